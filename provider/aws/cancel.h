/*
 * cancel.h - the process-wide Stop flag and the interruptible sleep.
 *
 * aws_cancel_all() (aws.h) is what the Stop RPC calls; the HTTP layer and the
 * retry loop ask aws_cancelled() and wait in aws_sleep_ms().
 */
#ifndef SSMPATCH_AWS_CANCEL_H
#define SSMPATCH_AWS_CANCEL_H

#include "aws.h"

/* Undo aws_cancel_all() (tests only; a provider process never un-cancels). */
void aws_cancel_reset(void);

#endif

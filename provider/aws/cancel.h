/*
 * cancel.h - the process-wide Stop flag and the interruptible sleep.
 *
 * aws_cancel_all() (aws.h) is what the Stop RPC calls; the HTTP layer and the
 * retry loop ask aws_cancelled() and wait in aws_sleep_ms(). Deadlines are on
 * CLOCK_MONOTONIC.
 */
#ifndef SSMPATCH_AWS_CANCEL_H
#define SSMPATCH_AWS_CANCEL_H

#include "aws.h"

#include <time.h>

/* *deadline = CLOCK_MONOTONIC now + ms; aws_ms_left: milliseconds until it
 * (negative once past). The clock the waits here and in process.c use. */
void aws_deadline_after(struct timespec *deadline, long ms);
long aws_ms_left(const struct timespec *deadline);

/* Undo aws_cancel_all() (tests only; a provider process never un-cancels). */
void aws_cancel_reset(void);

#endif

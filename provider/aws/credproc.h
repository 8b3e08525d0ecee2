/*
 * credproc.h - credentials from a profile's `credential_process` (aws-vault,
 * 1Password, granted, corporate helpers), as the AWS CLI and SDKs run it.
 *
 * The command is split into words (process.h, no shell) and run with a time
 * limit of AWS_CREDENTIAL_PROCESS_TIMEOUT_MS; it must exit 0 and print one
 * JSON object: {"Version": 1, "AccessKeyId", "SecretAccessKey",
 * "SessionToken"?, "Expiration"? (ISO-8601)}; without Expiration the
 * credentials never expire. On failure the error names the profile, the
 * program (argv[0] only: the rest of a command line may carry a secret), the
 * exit status or the JSON problem, and the program's stderr - never its
 * stdout, which holds the secret fields.
 */
#ifndef SSMPATCH_AWS_CREDPROC_H
#define SSMPATCH_AWS_CREDPROC_H

#include "aws.h"
#include "credentials.h"

#define AWS_CREDENTIAL_PROCESS_TIMEOUT_MS 60000L

/* 0 and *out (source "credential_process"), or AWS_ERR_AUTH / AWS_ERR_CONFIG
 * with err filled. timeout_ms 0 = AWS_CREDENTIAL_PROCESS_TIMEOUT_MS. */
int aws_credential_process(const char *profile, const char *command, long timeout_ms,
			   aws_credentials *out, aws_error *err);

#endif

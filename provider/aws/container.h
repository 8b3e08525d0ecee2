/*
 * container.h - container credentials (ECS tasks, CodeBuild, EKS Pod
 * Identity), as the AWS SDKs read them:
 *   AWS_CONTAINER_CREDENTIALS_RELATIVE_URI  http://169.254.170.2<relative>
 *   AWS_CONTAINER_CREDENTIALS_FULL_URI      any https URL; an http URL only
 *       to a loopback address (127.0.0.0/8, ::1, or a name resolving only
 *       to those), the ECS address 169.254.170.2 or the EKS Pod Identity
 *       addresses 169.254.170.23 and fd00:ec2::23 (the SDKs' allowed hosts)
 * RELATIVE_URI wins when both are set. The Authorization header is the
 * content of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read at every fetch:
 * EKS rotates it), else AWS_CONTAINER_AUTHORIZATION_TOKEN; a token with a
 * line break is refused. The answer is {AccessKeyId, SecretAccessKey, Token,
 * Expiration}; an error answer {code, message}. Timeouts: 2 s connect, 5 s
 * total.
 */
#ifndef SSMPATCH_AWS_CONTAINER_H
#define SSMPATCH_AWS_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>

#include "aws.h"
#include "credentials.h"
#include "http.h"

#define AWS_CONTAINER_ECS_BASE "http://169.254.170.2"
#define AWS_CONTAINER_CONNECT_MS 2000L
#define AWS_CONTAINER_TIMEOUT_MS 5000L

/* Is either variable set? */
bool aws_container_configured(void);

/* 0 = *out (source "container"); 1 = not configured (why[n] says so);
 * < 0 = configured but failed (an aws_err, err filled). */
int aws_container_credentials(aws_http *http, aws_credentials *out, char *why, size_t n,
			      aws_error *err);

/* May an http:// FULL_URI go to this host ("127.0.0.1", "[::1]", "localhost",
 * "169.254.170.2", ...)? Resolves names. */
bool aws_container_host_allowed(const char *host);

#endif

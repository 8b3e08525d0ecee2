/*
 * imds.h - EC2 instance metadata credentials, IMDSv2 only: PUT
 * /latest/api/token, then /latest/meta-data/iam/security-credentials/ and
 * .../<role>. Base URL from AWS_EC2_METADATA_SERVICE_ENDPOINT, default
 * http://169.254.169.254; AWS_EC2_METADATA_DISABLED=true skips it; 1 s
 * connect / 2 s total timeouts so a machine that is not on EC2 moves on
 * quickly.
 */
#ifndef SSMPATCH_AWS_IMDS_H
#define SSMPATCH_AWS_IMDS_H

#include <stddef.h>

#include "credentials.h"
#include "http.h"

#define AWS_IMDS_DEFAULT "http://169.254.169.254"
#define AWS_IMDS_CONNECT_MS 1000L
#define AWS_IMDS_TIMEOUT_MS 2000L

/* 0 = *out holds the instance role's credentials (source "imds"); 1 = none
 * here, with the reason in why[n]. */
int aws_imds_credentials(aws_http *http, aws_credentials *out, char *why, size_t n);

#endif

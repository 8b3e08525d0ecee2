/*
 * aws_internal.h - every header of provider/aws/ in one include, for the unit
 * tests and fuzz targets that reach below aws.h. No file of provider/aws/
 * includes it: each includes exactly the modules it uses, so the include
 * arrows between them run one way (scripts/check_layout.py checks it).
 *
 * The modules, each a .c/.h pair, from the bottom up:
 *   errors   aws_error values, AWS error codes and bodies   (xml)
 *   xml      element text of STS's XML answers
 *   cancel   the Stop flag and the interruptible sleep
 *   http     libcurl, pooled handles, one connection cache   (errors, cancel)
 *   sigv4    the SigV4 signer (standalone)
 *   credentials  a credentials value; secret strings
 *   call     one signed call with retries                    (http, sigv4, errors)
 *   sts      AssumeRole(WithWebIdentity), GetCallerIdentity   (call, xml)
 *   imds     EC2 instance metadata credentials                (http)
 *   container  ECS / EKS container credentials                (http)
 *   process  run a helper without a shell, with a deadline
 *   credproc credential_process                               (process)
 *   ini      the shared files' INI dialect
 *   profile  which shared files and profile; profile keys     (ini)
 *   endpoint service endpoints: provider, env, config file    (profile)
 *   sso      IAM Identity Center token cache, portal, OIDC    (http, profile)
 *   chain    the credential chain, cached and refreshed       (all sources, sts, endpoint)
 *   client   the aws_client: region, endpoints, account ID    (chain, sts, endpoint)
 *   ssm      ssm_call, ssm_call_all                           (client, call)
 */
#ifndef SSMPATCH_AWS_INTERNAL_H
#define SSMPATCH_AWS_INTERNAL_H

#include "aws.h"
#include "call.h"
#include "cancel.h"
#include "chain.h"
#include "client.h"
#include "container.h"
#include "credentials.h"
#include "credproc.h"
#include "endpoint.h"
#include "errors.h"
#include "http.h"
#include "imds.h"
#include "ini.h"
#include "process.h"
#include "profile.h"
#include "sigv4.h"
#include "sso.h"
#include "sts.h"
#include "xml.h"

#endif

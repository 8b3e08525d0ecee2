/*
 * client.h - the aws_client (aws.h) itself: what one configured provider
 * holds for talking to AWS, shared by ssm.c and the unit tests.
 *
 * aws_client_new does no network I/O: it copies the settings, reads the
 * shared config/credentials files (profile.h; needed for the profile's
 * region), decides the region (provider region, AWS_REGION,
 * AWS_DEFAULT_REGION, the profile's region, else AWS_ERR_CONFIG) and the
 * endpoints (`endpoints`, else AWS_ENDPOINT_URL_SSM / _STS, else
 * AWS_ENDPOINT_URL, else https://<svc>.<region>.amazonaws.com,
 * ".amazonaws.com.cn" for cn-* regions). Credentials are resolved lazily by
 * the chain (chain.h) at the first call that needs them.
 */
#ifndef SSMPATCH_AWS_CLIENT_H
#define SSMPATCH_AWS_CLIENT_H

#include <pthread.h>

#include "aws.h"
#include "call.h"
#include "chain.h"
#include "http.h"
#include "profile.h"

struct aws_client {
	aws_config cfg; /* deep copy of the provider settings */
	char *region; /* resolved */
	const char *partition; /* static string */
	aws_profiles profiles; /* the shared files and the selected profile */
	char *ssm_url, *sts_url;
	bool ssm_custom, sts_custom; /* set by a setting, not AWS's default endpoint */
	aws_http *http;
	aws_caller caller; /* transport settings of every call */
	aws_chain chain; /* the credentials */

	pthread_mutex_t account_mu;
	char account_id[16]; /* "" until known */
	bool ssm_account_refused; /* SSM answered GetServiceSetting with a refusal */

	/* Clients for other regions (aws_client_for_region): each borrows this
	 * one's HTTP client, credential chain and account ID, and has its own
	 * region, endpoint and signing scope (caller). `base` is NULL here and
	 * points back in each of them; cfg, profiles, sts_url, http and chain
	 * are unused (zero) in a regional client. */
	aws_client *base;
	pthread_mutex_t regions_mu; /* guards regions */
	aws_client *regions; /* list through next */
	aws_client *next;
};

/* "aws", "aws-cn" (cn-*), "aws-us-gov" (us-gov-*). */
const char *aws_partition_for_region(const char *region);

#endif

/*
 * credentials.h - one set of AWS credentials as a value, and the rules for
 * holding secrets: every copy is malloc'd and zeroed (OPENSSL_cleanse)
 * before it is freed, and nothing here logs.
 */
#ifndef SSMPATCH_AWS_CREDENTIALS_H
#define SSMPATCH_AWS_CREDENTIALS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

typedef struct {
	char *access_key, *secret_key, *token; /* owned; token may be NULL */
	time_t expires; /* 0 = does not expire */
	char source[48]; /* where they came from, for logs and diagnostics:
	                  * "static", "env", "profile ops", "imds", "assume_role", ... */
} aws_credentials;

/* Replace *c with copies of the given values (token NULL or "" = none).
 * Returns 0, or -1 (out of memory; *c is then cleared). */
int aws_credentials_set(aws_credentials *c, const char *ak, const char *sk, const char *tok,
			time_t expires, const char *source);
/* *dst = a deep copy of *src. 0 or -1. */
int aws_credentials_copy(aws_credentials *dst, const aws_credentials *src);
/* Zero and free the secrets; *c is all zero afterwards. NULL is fine. */
void aws_credentials_clear(aws_credentials *c);

/* Where the fields of a JSON credentials answer are: IMDS and container
 * endpoints (AccessKeyId, SecretAccessKey, Token, Expiration as ISO-8601),
 * credential_process (... SessionToken ...), SSO's GetRoleCredentials
 * (accessKeyId, ..., expiration in epoch milliseconds). */
typedef struct {
	const char *access_key, *secret_key, *token, *expiration;
	bool expiration_epoch_ms; /* a number of milliseconds, not ISO-8601 text */
} aws_json_creds_names;

/*
 * *out = the credentials in object j (source names them in logs). The token
 * and the expiration may be absent (no expiry then). Returns 0, or -1 with a
 * reason in why[n] that names the missing or malformed member, never a value.
 */
int aws_credentials_from_json(aws_credentials *out, const json_t *j,
			      const aws_json_creds_names *names, const char *source, char *why,
			      size_t n);

/* strdup / zero-and-free for secret strings (NULL passes through). */
char *aws_secret_dup(const char *s);
void aws_secret_free(char *s);
/* Zero every string in a JSON value (an answer that carried credentials),
 * nested ones too, then release it. NULL is fine. */
void aws_json_secret_decref(json_t *j);

#endif

/*
 * process.h - running a helper program without a shell, for
 * credential_process: split the command line as a POSIX shell would (quotes
 * and backslashes, no expansion), spawn it with stdin from /dev/null, collect
 * stdout and stderr, and kill it at a deadline.
 *
 * Limits: stdout up to AWS_PROCESS_MAX_OUT bytes (more is an error: a
 * credentials answer is small), the first AWS_PROCESS_MAX_ERR bytes of
 * stderr kept (the rest read and dropped), at most AWS_PROCESS_MAX_ARGS
 * words. The child gets the provider's environment and default signal
 * handling (the provider ignores SIGINT and blocks signals in its threads;
 * a helper must not inherit that).
 */
#ifndef SSMPATCH_AWS_PROCESS_H
#define SSMPATCH_AWS_PROCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

#define AWS_PROCESS_MAX_OUT (1024 * 1024)
#define AWS_PROCESS_MAX_ERR 8192
#define AWS_PROCESS_MAX_ARGS 256

/* The words of cmd, as `sh` would split them without expanding anything:
 * blanks separate words; '...' is literal; in "..." a backslash escapes
 * only " and \; elsewhere a backslash escapes the next character (Python's
 * shlex.split, which botocore uses). *argv is a NULL-terminated array of
 * malloc'd strings (aws_process_argv_free). 0, or -1 with why[n] (an
 * unterminated quote, an empty command, too many words). */
int aws_process_split(const char *cmd, char ***argv, char *why, size_t n);
void aws_process_argv_free(char **argv);

typedef struct {
	int exit_status; /* exit code; -1 when killed by a signal */
	int signal; /* the signal that ended it, 0 if none */
	bool timed_out; /* killed at the deadline */
	buf out; /* stdout (it may hold secrets: zeroed when freed) */
	buf err; /* the first AWS_PROCESS_MAX_ERR bytes of stderr */
} aws_process_result;

void aws_process_result_free(aws_process_result *r);

/* Run argv[0] (searched in PATH when it has no slash) with argv. 0 when it
 * ran to an end (see r), -1 with why[n] when it could not be started, its
 * stdout passed the limit, or reading failed. */
int aws_process_run(char *const argv[], long timeout_ms, aws_process_result *r, char *why,
		    size_t n);

#endif

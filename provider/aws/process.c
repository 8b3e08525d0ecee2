/*
 * process.c - run a helper program without a shell (contract in process.h).
 *
 * posix_spawnp, not fork: the provider is multi-threaded (gRPC), and
 * posix_spawn is the safe way to start a program from such a process.
 */
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cancel.h"
#include "credentials.h"

extern char **environ;

/* ---- splitting ---- */

void aws_process_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		aws_secret_free(argv[i]); /* a command line may carry a token */
	free(argv);
}

int aws_process_split(const char *cmd, char ***argv_out, char *why, size_t n)
{
	char **argv = calloc(AWS_PROCESS_MAX_ARGS + 1, sizeof(char *));
	buf w = BUF_INIT;
	size_t argc = 0;
	const char *p = cmd;
	int rc = -1;

	*argv_out = NULL;
	if (!argv) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	for (;;) {
		bool in_word = false;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		buf_clear(&w);
		while (*p && !(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
			in_word = true;
			if (*p == '\'') {
				const char *e = strchr(p + 1, '\'');
				if (!e) {
					snprintf(why, n, "unterminated ' quote");
					goto done;
				}
				buf_append(&w, p + 1, (size_t)(e - p - 1));
				p = e + 1;
			} else if (*p == '"') {
				for (p++; *p && *p != '"'; p++) {
					if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
						p++;
					buf_putc(&w, *p);
				}
				if (*p != '"') {
					snprintf(why, n, "unterminated \" quote");
					goto done;
				}
				p++;
			} else if (*p == '\\') {
				if (!p[1]) {
					snprintf(why, n, "a backslash ends the command");
					goto done;
				}
				buf_putc(&w, p[1]);
				p += 2;
			} else {
				buf_putc(&w, *p++);
			}
		}
		if (!in_word)
			continue;
		if (argc == AWS_PROCESS_MAX_ARGS) {
			snprintf(why, n, "more than %d words", AWS_PROCESS_MAX_ARGS);
			goto done;
		}
		if (!(argv[argc] = buf_detach(&w, NULL))) {
			snprintf(why, n, "out of memory");
			goto done;
		}
		argc++;
	}
	if (!argc) {
		snprintf(why, n, "the command is empty");
		goto done;
	}
	*argv_out = argv;
	argv = NULL;
	rc = 0;
done:
	buf_free_secret(&w);
	aws_process_argv_free(argv);
	return rc;
}

/* ---- running ---- */

void aws_process_result_free(aws_process_result *r)
{
	buf_free_secret(&r->out);
	buf_free(&r->err);
}

int aws_process_run(char *const argv[], long timeout_ms, aws_process_result *r, char *why, size_t n)
{
	int out[2] = {-1, -1}, err[2] = {-1, -1}, st = 0, rc = -1, spawned;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct timespec deadline;
	sigset_t none, defaults;
	pid_t pid = -1;
	bool fa_ok = false, attr_ok = false, too_much = false;
	char chunk[4096];

	memset(r, 0, sizeof(*r));
	buf_init(&r->out, AWS_PROCESS_MAX_OUT);
	buf_init(&r->err, AWS_PROCESS_MAX_ERR);
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		snprintf(why, n, "pipe: %s", strerror(errno));
		goto done;
	}
	fa_ok = posix_spawn_file_actions_init(&fa) == 0;
	attr_ok = posix_spawnattr_init(&attr) == 0;
	sigemptyset(&none);
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGINT);
	sigaddset(&defaults, SIGPIPE);
	sigaddset(&defaults, SIGTERM);
	if (!fa_ok || !attr_ok ||
	    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, out[1], 1) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, err[1], 2) != 0 ||
	    posix_spawnattr_setsigmask(&attr, &none) != 0 ||
	    posix_spawnattr_setsigdefault(&attr, &defaults) != 0 ||
	    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) != 0) {
		snprintf(why, n, "cannot prepare the process");
		goto done;
	}
	spawned = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	if (spawned != 0) {
		pid = -1;
		snprintf(why, n, "cannot run \"%s\": %s", argv[0], strerror(spawned));
		goto done;
	}
	close(out[1]);
	close(err[1]);
	out[1] = err[1] = -1;
	aws_deadline_after(&deadline, timeout_ms);
	while (out[0] >= 0 || err[0] >= 0) {
		struct pollfd pf[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
		long left = aws_ms_left(&deadline);
		int pr;

		if (left <= 0) {
			r->timed_out = true;
			break;
		}
		pr = poll(pf, 2, (int)(left > 1000 ? 1000 : left));
		if (pr < 0 && errno != EINTR) {
			snprintf(why, n, "poll: %s", strerror(errno));
			goto done;
		}
		for (int i = 0; pr > 0 && i < 2; i++) {
			int *fd = i == 0 ? &out[0] : &err[0];
			ssize_t got;

			if (*fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = read(*fd, chunk, sizeof(chunk));
			if (got <= 0) {
				close(*fd);
				*fd = -1;
			} else if (i == 0) {
				if (buf_append(&r->out, chunk, (size_t)got) < 0) {
					too_much = true;
					r->timed_out = false;
					goto kill;
				}
			} else if (r->err.len < AWS_PROCESS_MAX_ERR) {
				size_t room = AWS_PROCESS_MAX_ERR - r->err.len;
				buf_append(&r->err, chunk, (size_t)got < room ? (size_t)got : room);
			}
		}
	}
kill:
	/* Its pipes are closed; it may still run (or ignore them): wait to the deadline. */
	for (;;) {
		pid_t w;

		if (r->timed_out || too_much)
			kill(pid, SIGKILL);
		w = waitpid(pid, &st, r->timed_out || too_much ? 0 : WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			snprintf(why, n, "waitpid: %s", strerror(errno));
			goto done;
		}
		if (w == 0 && aws_ms_left(&deadline) <= 0)
			r->timed_out = true;
		else if (w == 0)
			nanosleep(&(struct timespec){0, 10 * 1000000L}, NULL);
	}
	pid = -1;
	if (too_much) {
		snprintf(why, n, "it printed more than %d bytes", AWS_PROCESS_MAX_OUT);
		goto done;
	}
	if (WIFEXITED(st)) {
		r->exit_status = WEXITSTATUS(st);
	} else {
		r->exit_status = -1;
		r->signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	}
	rc = 0;
done:
	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	if (attr_ok)
		posix_spawnattr_destroy(&attr);
	if (rc < 0)
		aws_process_result_free(r);
	return rc;
}

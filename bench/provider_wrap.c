/*
 * provider_wrap.c - stands in for the provider binary in bench/fleet.py's
 * Terraform runs and reports what each provider process cost.
 *
 * Terraform execs this (it sits in the filesystem mirror under the
 * provider's name); it forks, the child execs the real provider with the
 * same arguments and environment (or valgrind --tool=callgrind around it),
 * and the parent waits for the child and appends one line to a file:
 *
 *   {"pid": P, "utime_us": U, "stime_us": S, "maxrss_kb": M, "minflt": F,
 *    "majflt": J, "nvcsw": V, "nivcsw": I, "status": X, "start_ns": T0,
 *    "end_ns": T1}
 *
 * from getrusage(RUSAGE_CHILDREN) after the wait: exactly the CPU the
 * provider process used, all threads, from exec to exit (the kernel's own
 * accounting, nothing sampled). The wrapper's own cost (one small exec and a
 * fork, ~0.3 ms) is left out of the provider's figure and counts as
 * Terraform's.
 *
 * The child inherits stdin, stdout and stderr, so go-plugin reads the
 * provider's handshake line and log as usual. SIGINT is ignored here as the
 * provider ignores it (Terraform turns Ctrl-C into Stop); SIGTERM is passed
 * on. go-plugin's last resort, SIGKILL after 2 s, would hit this process
 * only; the provider exits on its own within that time after Shutdown.
 *
 * Environment:
 *   SSMPATCH_WRAP_EXEC      the real provider binary (required)
 *   SSMPATCH_WRAP_OUT       the file to append the line to (optional)
 *   SSMPATCH_WRAP_CALLGRIND a directory: run the provider under
 *                           valgrind --tool=callgrind, one
 *                           callgrind.<pid> file per process there
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t g_child;

static void forward(int sig)
{
	if (g_child > 0)
		kill(g_child, sig);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	const char *real = getenv("SSMPATCH_WRAP_EXEC");
	const char *out = getenv("SSMPATCH_WRAP_OUT");
	const char *cg = getenv("SSMPATCH_WRAP_CALLGRIND");
	struct sigaction sa;
	struct rusage ru;
	long long t0 = now_ns();
	int status = 0, fd;
	char line[512];
	pid_t pid;

	(void)argc;
	if (!real || !*real) {
		fputs("provider_wrap: SSMPATCH_WRAP_EXEC is not set\n", stderr);
		return 1;
	}
	signal(SIGINT, SIG_IGN);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		if (cg && *cg) {
			char file[4096];
			char *vg[] = {"valgrind", "--tool=callgrind", "--quiet",
				      file,       (char *)real,       NULL};

			snprintf(file, sizeof(file), "--callgrind-out-file=%s/callgrind.%%p", cg);
			execvp("valgrind", vg);
		} else {
			argv[0] = (char *)real;
			execv(real, argv);
		}
		_exit(127);
	}
	g_child = pid;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	getrusage(RUSAGE_CHILDREN, &ru);
	if (out && *out) {
		int n = snprintf(line, sizeof(line),
				 "{\"pid\": %d, \"utime_us\": %lld, \"stime_us\": %lld, "
				 "\"maxrss_kb\": %ld, \"minflt\": %ld, \"majflt\": %ld, "
				 "\"nvcsw\": %ld, \"nivcsw\": %ld, \"status\": %d, "
				 "\"start_ns\": %lld, \"end_ns\": %lld}\n",
				 (int)pid,
				 (long long)ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec,
				 (long long)ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec,
				 ru.ru_maxrss, ru.ru_minflt, ru.ru_majflt, ru.ru_nvcsw,
				 ru.ru_nivcsw, status, t0, now_ns());
		fd = open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0 && n > 0) {
			if (write(fd, line, (size_t)n) != n)
				fputs("provider_wrap: short write\n", stderr);
			close(fd);
		}
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/*
 * trivial.c - the baseline of bench.py's start-up measurement: the least a
 * go-plugin child can do. It prints one handshake-shaped line on stdout,
 * flushes it, and waits until it is killed (SIGTERM), like the provider
 * waits for Terraform. Linked against the C library only, so exec-to-line
 * time is fork + exec + ld.so + libc start-up + one write.
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	fputs("1|6|unix|/tmp/trivial.sock|grpc|\n", stdout);
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}

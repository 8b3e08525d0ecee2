/*
 * cancel.c - Stop: one process-wide flag, and a sleep that ends when it is
 * raised (contract in cancel.h and aws.h).
 */
#include "cancel.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static atomic_bool g_cancelled;
static pthread_mutex_t g_cancel_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cancel_cv;
static pthread_once_t g_cancel_once = PTHREAD_ONCE_INIT;

static void cancel_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&g_cancel_cv, &a);
	pthread_condattr_destroy(&a);
}

void aws_cancel_all(void)
{
	pthread_once(&g_cancel_once, cancel_init);
	pthread_mutex_lock(&g_cancel_mu);
	atomic_store(&g_cancelled, true);
	pthread_cond_broadcast(&g_cancel_cv);
	pthread_mutex_unlock(&g_cancel_mu);
}

bool aws_cancelled(void)
{
	return atomic_load(&g_cancelled);
}

void aws_cancel_reset(void)
{
	atomic_store(&g_cancelled, false);
}

void aws_deadline_after(struct timespec *deadline, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, deadline);
	deadline->tv_sec += ms / 1000;
	deadline->tv_nsec += (ms % 1000) * 1000000L;
	if (deadline->tv_nsec >= 1000000000L) {
		deadline->tv_sec++;
		deadline->tv_nsec -= 1000000000L;
	}
}

long aws_ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(deadline->tv_sec - now.tv_sec) * 1000L +
	       (deadline->tv_nsec - now.tv_nsec) / 1000000L;
}

int aws_sleep_ms(long ms)
{
	struct timespec deadline;
	int rc = 0;

	pthread_once(&g_cancel_once, cancel_init);
	aws_deadline_after(&deadline, ms);
	pthread_mutex_lock(&g_cancel_mu);
	while (!atomic_load(&g_cancelled)) {
		if (pthread_cond_timedwait(&g_cancel_cv, &g_cancel_mu, &deadline) == ETIMEDOUT)
			break;
	}
	if (atomic_load(&g_cancelled))
		rc = AWS_ERR_CANCELLED;
	pthread_mutex_unlock(&g_cancel_mu);
	return rc;
}

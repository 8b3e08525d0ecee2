/*
 * fuzz_common.h - shared helpers of the libFuzzer targets under fuzz/.
 *
 * Most targets take their first input byte as a selector (which schema type,
 * which mode, which RPC) and the rest as the payload, so one target covers
 * every resource. FUZZ_CHECK aborts with a message: libFuzzer then saves the
 * input as a crash. Logging is switched off once (TF_LOG=OFF) so the provider's
 * log lines do not slow the fuzzer down.
 */
#ifndef SSMPATCH_FUZZ_COMMON_H
#define SSMPATCH_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/schema.h"
#include "core/value.h"
#include "engine/engine.h"

#define FUZZ_CHECK(cond, ...)                                                               \
	do {                                                                                \
		if (!(cond)) {                                                              \
			fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d): ", #cond, __FILE__, \
				__LINE__);                                                  \
			fprintf(stderr, __VA_ARGS__);                                       \
			fputc('\n', stderr);                                                \
			abort();                                                            \
		}                                                                           \
	} while (0)

static inline void fuzz_quiet(void)
{
	setenv("TF_LOG", "OFF", 1);
	unsetenv("TF_LOG_PROVIDER");
	log_init();
}

/* LLVMFuzzerInitialize of the targets that need nothing but quiet logs. */
#define FUZZ_QUIET_INITIALIZE                             \
	int LLVMFuzzerInitialize(int *argc, char ***argv) \
	{                                                 \
		(void)argc;                               \
		(void)argv;                               \
		fuzz_quiet();                             \
		return 0;                                 \
	}

/* Number of schema blocks: every resource, then the provider. */
static inline size_t fuzz_block_count(void)
{
	return engine_resource_count() + 1;
}

/* Block i (mod count): resources in engine order, then the provider. Also its
 * type name (NULL for the provider). */
static inline const schema_block *fuzz_block(size_t i, const char **type_name)
{
	size_t n = fuzz_block_count();

	i %= n;
	if (i + 1 == n) {
		if (type_name)
			*type_name = NULL;
		return engine_provider_schema();
	}
	if (type_name)
		*type_name = engine_resource_at(i)->type_name;
	return engine_resource_at(i)->block;
}

/* Printable value for a failure message (static buffer is fine: we abort). */
static inline const char *fuzz_show(const tf_value *v)
{
	static char *last;
	free(last);
	last = tf_value_debug_string(v);
	return last ? last : "(?)";
}

#endif

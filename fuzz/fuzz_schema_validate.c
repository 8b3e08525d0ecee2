/*
 * fuzz_schema_validate.c - libFuzzer target: schema validation and the plan
 * helpers on arbitrary configuration objects.
 *
 * Input: selector byte (which block: each resource, then the provider), then
 * a msgpack object of the block's type (values the decoder rejects end the
 * run early; the seed corpus holds the seed scenario's configurations so the
 * mutations start from valid objects). Calls schema_validate, the engine's
 * validation (schema plus each resource's own checks), schema_conforms, and
 * the plan helpers schema_fill_defaults / schema_mark_computed_unknown /
 * schema_requires_replace. Oracles: validation of a wholly-known object
 * either errors or not, but never both "has error" and no diagnostic; a
 * conforming object still conforms after the plan helpers ran on it.
 */
#include "core/diag.h"
#include "core/msgpack_codec.h"
#include "fuzz_common.h"

FUZZ_QUIET_INITIALIZE

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const schema_block *b;
	const char *type_name;
	tf_value *cfg = NULL, *planned = NULL;
	tf_path *rr = NULL;
	size_t n_rr = 0;
	bool conforms;
	tf_diags d, dv, dc;

	if (size < 1)
		return 0;
	b = fuzz_block(data[0], &type_name);
	tf_diags_init(&d);
	tf_diags_init(&dv);
	tf_diags_init(&dc);

	cfg = msgpack_decode_value(data + 1, size - 1, schema_block_type(b), &d);
	if (!cfg)
		goto done;

	schema_validate(b, cfg, &dv);
	if (type_name)
		engine_validate_resource(type_name, cfg, &dv);
	else
		engine_validate_provider(cfg, &dv);
	for (size_t i = 0; i < dv.n; i++)
		FUZZ_CHECK(dv.items[i].summary && dv.items[i].summary[0],
			   "diagnostic without a summary");

	conforms = schema_conforms(b, cfg, &dc);
	if (tf_value_is_null(cfg))
		goto done;
	planned = tf_value_clone(cfg);
	FUZZ_CHECK(planned, "clone failed");
	FUZZ_CHECK(tf_value_equal(planned, cfg), "clone differs");
	FUZZ_CHECK(schema_fill_defaults(b, planned, cfg) == 0, "fill_defaults failed");
	FUZZ_CHECK(schema_mark_computed_unknown(b, planned, cfg) == 0,
		   "mark_computed_unknown failed");
	FUZZ_CHECK(schema_requires_replace(b, cfg, planned, &rr, &n_rr) >= 0,
		   "requires_replace failed");
	if (conforms) {
		tf_diags_free(&dc);
		tf_diags_init(&dc);
		FUZZ_CHECK(schema_conforms(b, planned, &dc),
			   "plan helpers broke conformance: %s: %s", fuzz_show(planned),
			   dc.n ? dc.items[0].detail : "");
	}
	/* Planning the same object against itself replaces nothing. */
	for (size_t i = 0; i < n_rr; i++)
		tf_path_free(&rr[i]);
	free(rr);
	rr = NULL;
	n_rr = 0;
	FUZZ_CHECK(schema_requires_replace(b, planned, planned, &rr, &n_rr) >= 0 && n_rr == 0,
		   "an unchanged object requires replacement (%zu paths)", n_rr);
done:
	for (size_t i = 0; i < n_rr; i++)
		tf_path_free(&rr[i]);
	free(rr);
	tf_value_free(cfg);
	tf_value_free(planned);
	tf_diags_free(&d);
	tf_diags_free(&dv);
	tf_diags_free(&dc);
	return 0;
}

/*
 * credproc.c - credential_process (contract in credproc.h).
 *
 * jansson's error text quotes the input near the error, which could be a
 * secret: only the line and column of a JSON error are reported.
 */
#include "credproc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/log.h"
#include "errors.h"
#include "process.h"

/* stderr fit for a diagnostic: printable ASCII and newlines, at most 1 KiB,
 * trailing blanks dropped; "(empty)" when there was none. */
static void stderr_text(char *out, size_t n, const buf *err)
{
	size_t i, o = 0;

	for (i = 0; i < err->len && o + 1 < n && o < 1024; i++) {
		unsigned char c = (unsigned char)err->data[i];
		out[o++] = (c == '\n' || (c >= 0x20 && c < 0x7f)) ? (char)c : ' ';
	}
	while (o && (out[o - 1] == ' ' || out[o - 1] == '\n'))
		o--;
	out[o] = '\0';
	if (!o)
		snprintf(out, n, "(empty)");
}

int aws_credential_process(const char *profile, const char *command, long timeout_ms,
			   aws_credentials *out, aws_error *err)
{
	static const aws_json_creds_names names = {"AccessKeyId", "SecretAccessKey", "SessionToken",
						   "Expiration", false};
	aws_process_result r = {0};
	char **argv = NULL, why[256], errtext[1100];
	json_t *j = NULL, *version;
	json_error_t je;
	int rc = AWS_ERR_AUTH;

	if (!timeout_ms)
		timeout_ms = AWS_CREDENTIAL_PROCESS_TIMEOUT_MS;
	if (aws_process_split(command, &argv, why, sizeof(why)) < 0) {
		aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL,
			      "credential_process of profile \"%s\" cannot be split into words: %s",
			      profile, why);
		return AWS_ERR_CONFIG;
	}
	LOG_D(AWS_LOG_MODULE, "credential_process of profile %s: running %s", profile, argv[0]);
	if (aws_process_run(argv, timeout_ms, &r, why, sizeof(why)) < 0) {
		aws_error_set(err, AWS_ERR_AUTH, 0, NULL, NULL,
			      "credential_process of profile \"%s\" (%s) failed: %s", profile,
			      argv[0], why);
		goto done;
	}
	stderr_text(errtext, sizeof(errtext), &r.err);
	if (r.timed_out) {
		aws_error_set(
			err, AWS_ERR_AUTH, 0, NULL, NULL,
			"credential_process of profile \"%s\" (%s) did not finish within %.1f s "
			"and was killed; its stderr: %s",
			profile, argv[0], (double)timeout_ms / 1000.0, errtext);
		goto done;
	}
	if (r.exit_status != 0) {
		if (r.signal)
			aws_error_set(
				err, AWS_ERR_AUTH, 0, NULL, NULL,
				"credential_process of profile \"%s\" (%s) was killed by signal "
				"%d; its stderr: %s",
				profile, argv[0], r.signal, errtext);
		else
			aws_error_set(
				err, AWS_ERR_AUTH, 0, NULL, NULL,
				"credential_process of profile \"%s\" (%s) exited with status "
				"%d; its stderr: %s",
				profile, argv[0], r.exit_status, errtext);
		goto done;
	}
	j = json_loadb(r.out.data ? r.out.data : "", r.out.len, 0, &je);
	if (!json_is_object(j)) {
		aws_error_set(
			err, AWS_ERR_AUTH, 0, NULL, NULL,
			"credential_process of profile \"%s\" (%s) printed no JSON object (%s "
			"line %d, column %d); its stderr: %s",
			profile, argv[0], j ? "a JSON value but not an object, at" : "invalid at",
			j ? 1 : je.line, j ? 1 : je.column, errtext);
		goto done;
	}
	version = json_object_get(j, "Version");
	if (!json_is_integer(version) || json_integer_value(version) != 1) {
		aws_error_set(err, AWS_ERR_AUTH, 0, NULL, NULL,
			      "credential_process of profile \"%s\" (%s) printed JSON without "
			      "\"Version\": 1; its stderr: %s",
			      profile, argv[0], errtext);
		goto done;
	}
	if (aws_credentials_from_json(out, j, &names, "credential_process", why, sizeof(why)) < 0) {
		aws_error_set(
			err, AWS_ERR_AUTH, 0, NULL, NULL,
			"credential_process of profile \"%s\" (%s) printed unusable JSON: %s; "
			"its stderr: %s",
			profile, argv[0], why, errtext);
		goto done;
	}
	rc = 0;
done:
	aws_json_secret_decref(j);
	aws_process_result_free(&r);
	aws_process_argv_free(argv);
	return rc;
}

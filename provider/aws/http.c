/*
 * http.c - the provider's HTTP client on libcurl, shared by every thread.
 *
 * One aws_http per client holds a curl share handle (connection cache, DNS
 * cache and TLS session IDs, each guarded by its own pthread mutex) and a small
 * pool of idle easy handles. A request borrows an easy handle, resets it, runs
 * it with curl_easy_perform and gives it back; since connections live in the
 * share, a connection opened by one thread is reused by the next request on any
 * thread, without a new TLS handshake.
 *
 * Limits and policy: connect timeout 10 s and total 60 s unless the request
 * asks for less (IMDS uses ~1 s); response bodies over AWS_HTTP_MAX_BODY (16 MiB)
 * fail; TLS peer and host verification always on; proxies from the environment
 * as curl does by default (http_proxy, https_proxy, no_proxy); only http and
 * https; no redirects followed. AWS_CA_BUNDLE (as in the AWS SDKs) names a PEM
 * file of extra trusted CAs, replacing the system bundle (private endpoints).
 * Without it, the trust anchors are libcurl's CA directory (see g_ca_dir), not
 * its CA bundle file.
 *
 * Stop (aws_cancel_all, see http.h for the rule): the pre-request callback
 * drops a request that is connected but not yet written, and the progress
 * callback aborts an abortable transfer; curl calls it at least about once a
 * second even while idle, so a hung read ends within ~1 s.
 *
 * libcurl is not linked: it is dlopen()ed at the first request of the
 * process (see g_curl below), and a client's share handle is made at its
 * first request too (http_ready), so start-up, Configure and every RPC that
 * never talks to AWS (validate, plan -refresh=false) do not pay for loading
 * it (18 million instructions, a third of a plan-walk process; bench/).
 * If it cannot be loaded, every request fails with an error naming the
 * package to install.
 *
 * Cancellation (cancel.c) is checked before a request starts and by the
 * progress callback while it runs.
 */
#include "http.h"

#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

/*
 * The libcurl functions this file uses, resolved with dlsym at the first
 * request. Why by hand: linking libcurl makes the dynamic loader map
 * and relocate it and its ~25 shared dependencies (nghttp2, krb5, ldap, ssh2,
 * ...) at every exec; bench/ measured that as most of the 13.5 M of 15.8 M
 * instructions from exec to the plugin handshake, yet GetProviderSchema and
 * the validate RPCs never need curl. Only curl.h's types and constants are
 * used at compile time; the calls below go through this table. Keep the
 * list in step with the curl_* calls in this file (a missing entry does not
 * compile, since the macros below replace the prototypes' names).
 */
static struct {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *e, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *e);
	CURLcode (*easy_getinfo)(CURL *e, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *e);
	void (*easy_reset)(CURL *e);
	const char *(*easy_strerror)(CURLcode cc);
	CURLSH *(*share_init)(void);
	CURLSHcode (*share_setopt)(CURLSH *sh, CURLSHoption opt, ...);
	CURLSHcode (*share_cleanup)(CURLSH *sh);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
	time_t (*getdate)(const char *s, const time_t *unused);
	curl_version_info_data *(*version_info)(CURLversion age);
} g_curl;

/*
 * The system's CA directory (OpenSSL's subject-hash links, /etc/ssl/certs on
 * Debian) as libcurl was built to know it, or "" to keep libcurl's defaults.
 * Why not libcurl's default, the CA bundle file: libcurl 7.88 with OpenSSL
 * 3.0 parses the whole bundle (144 certificates on Debian 12) for the first
 * TLS connection of every easy handle, some 235 million instructions each
 * (bench/README.md), more than everything else a provider process does. A
 * directory is looked up by the hash of the issuer's name when a chain is
 * verified: one or two certificates per connection. The same trust anchors
 * (update-ca-certificates writes both); used only when libcurl names a
 * directory that holds hash links.
 */
static char g_ca_dir[512];

/* Set once by curl_init_once when libcurl could not be loaded; "" otherwise. */
static char g_curl_load_err[512];

#define CURL_SONAME "libcurl.so.4"

/* curl.h's typecheck-gcc.h defines some of these as macros under gcc. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_share_setopt
#define curl_global_init(...) g_curl.global_init(__VA_ARGS__)
#define curl_easy_init(...) g_curl.easy_init(__VA_ARGS__)
#define curl_easy_setopt(...) g_curl.easy_setopt(__VA_ARGS__)
#define curl_easy_perform(...) g_curl.easy_perform(__VA_ARGS__)
#define curl_easy_getinfo(...) g_curl.easy_getinfo(__VA_ARGS__)
#define curl_easy_cleanup(...) g_curl.easy_cleanup(__VA_ARGS__)
#define curl_easy_reset(...) g_curl.easy_reset(__VA_ARGS__)
#define curl_easy_strerror(...) g_curl.easy_strerror(__VA_ARGS__)
#define curl_share_init(...) g_curl.share_init(__VA_ARGS__)
#define curl_share_setopt(...) g_curl.share_setopt(__VA_ARGS__)
#define curl_share_cleanup(...) g_curl.share_cleanup(__VA_ARGS__)
#define curl_slist_append(...) g_curl.slist_append(__VA_ARGS__)
#define curl_slist_free_all(...) g_curl.slist_free_all(__VA_ARGS__)
#define curl_getdate(...) g_curl.getdate(__VA_ARGS__)
#define curl_version_info(...) g_curl.version_info(__VA_ARGS__)

#include "core/log.h"
#include "cancel.h"
#include "errors.h"

struct aws_http {
	char *ca_bundle; /* AWS_CA_BUNDLE or NULL */
	pthread_mutex_t init_mu; /* guards the set-up at the first request */
	atomic_bool ready; /* share set up (written under init_mu) */
	CURLSH *share;
	pthread_mutex_t share_mu[CURL_LOCK_DATA_LAST]; /* one per curl_lock_data */
	pthread_mutex_t pool_mu; /* guards pool, n_pool */
	CURL *pool[AWS_HTTP_POOL_MAX];
	size_t n_pool;
};

/* ---- the shared handle ---- */

static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static CURLcode g_curl_init_rc;

/* dlsym name -> table slot; the cast is POSIX's documented dlsym idiom. */
#define CURL_SYM(slot, name)                                                                    \
	do {                                                                                    \
		if (!(*(void **)&g_curl.slot = dlsym(lib, name))) {                             \
			const char *e_ = dlerror();                                             \
			snprintf(g_curl_load_err, sizeof(g_curl_load_err),                      \
				 CURL_SONAME " has no %s (apt-get install libcurl4): %s", name, \
				 e_ ? e_ : "symbol is NULL");                                   \
			goto fail;                                                              \
		}                                                                               \
	} while (0)

/* Does dir hold an OpenSSL subject-hash link ("1a2b3c4d.0")? */
static bool has_hash_links(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	/* cppcheck-suppress readdirCalled ; one DIR of our own, read by one thread (pthread_once); readdir_r is deprecated */
	while (!found && (de = readdir(d))) {
		const char *n = de->d_name;
		found = strlen(n) >= 10 && strspn(n, "0123456789abcdef") == 8 && n[8] == '.' &&
			n[9] >= '0' && n[9] <= '9';
	}
	closedir(d);
	return found;
}

static void ca_dir_init(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

	if (v && v->capath && *v->capath && strlen(v->capath) < sizeof(g_ca_dir) &&
	    has_hash_links(v->capath))
		snprintf(g_ca_dir, sizeof(g_ca_dir), "%s", v->capath);
	LOG_D(AWS_LOG_MODULE, "trusted CAs: %s%s", g_ca_dir[0] ? "directory " : "libcurl's default",
	      g_ca_dir);
}

static void curl_init_once(void)
{
	void *lib;
	const char *e;

	/* Never dlclose()d: curl keeps global state and threads may be using it. */
	if (!(lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL))) {
		e = dlerror();
		snprintf(g_curl_load_err, sizeof(g_curl_load_err),
			 CURL_SONAME " could not be loaded (apt-get install libcurl4): %s",
			 e ? e : "unknown dlopen error");
		goto fail_unloaded;
	}
	CURL_SYM(global_init, "curl_global_init");
	CURL_SYM(easy_init, "curl_easy_init");
	CURL_SYM(easy_setopt, "curl_easy_setopt");
	CURL_SYM(easy_perform, "curl_easy_perform");
	CURL_SYM(easy_getinfo, "curl_easy_getinfo");
	CURL_SYM(easy_cleanup, "curl_easy_cleanup");
	CURL_SYM(easy_reset, "curl_easy_reset");
	CURL_SYM(easy_strerror, "curl_easy_strerror");
	CURL_SYM(share_init, "curl_share_init");
	CURL_SYM(share_setopt, "curl_share_setopt");
	CURL_SYM(share_cleanup, "curl_share_cleanup");
	CURL_SYM(slist_append, "curl_slist_append");
	CURL_SYM(slist_free_all, "curl_slist_free_all");
	CURL_SYM(getdate, "curl_getdate");
	CURL_SYM(version_info, "curl_version_info");
	/* curl_global_init is not thread-safe in curl 7.88: run it exactly once. */
	g_curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	ca_dir_init();
	return;
fail:
	/* Leave no half-filled table behind; lib stays loaded (harmless). */
	memset(&g_curl, 0, sizeof(g_curl));
fail_unloaded:
	LOG_W(AWS_LOG_MODULE, "%s", g_curl_load_err);
}

static void share_lock(CURL *e, curl_lock_data data, curl_lock_access acc, void *userp)
{
	aws_http *h = userp;

	(void)e;
	(void)acc;
	if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_lock(&h->share_mu[data]);
}

static void share_unlock(CURL *e, curl_lock_data data, void *userp)
{
	aws_http *h = userp;

	(void)e;
	if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_unlock(&h->share_mu[data]);
}

aws_http *aws_http_new(void)
{
	const char *ca;
	aws_http *h;
	int i;

	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&h->share_mu[i], NULL);
	pthread_mutex_init(&h->pool_mu, NULL);
	pthread_mutex_init(&h->init_mu, NULL);
	atomic_init(&h->ready, false);
	if ((ca = getenv("AWS_CA_BUNDLE")) && *ca && !(h->ca_bundle = strdup(ca))) {
		aws_http_free(h);
		return NULL;
	}
	return h;
}

/* Load libcurl (once per process) and make h's share handle (once per
 * client), at the first request. Returns 0, or an aws_err with err filled:
 * AWS_ERR_CONFIG when libcurl cannot be loaded (retrying cannot help). */
static int http_ready(aws_http *h, aws_error *err)
{
	int rc = 0;

	if (atomic_load_explicit(&h->ready, memory_order_acquire))
		return 0;
	pthread_once(&g_curl_once, curl_init_once);
	if (g_curl_load_err[0]) {
		aws_error_set(err, AWS_ERR_CONFIG, 0, NULL, NULL, "%s", g_curl_load_err);
		return AWS_ERR_CONFIG;
	}
	pthread_mutex_lock(&h->init_mu);
	if (atomic_load_explicit(&h->ready, memory_order_relaxed))
		goto done;
	if (g_curl_init_rc != CURLE_OK) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, NULL, "curl_global_init failed: %d",
			      (int)g_curl_init_rc);
		rc = AWS_ERR_OTHER;
		goto done;
	}
	h->share = curl_share_init();
	if (!h->share ||
	    curl_share_setopt(h->share, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK ||
	    curl_share_setopt(h->share, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK ||
	    curl_share_setopt(h->share, CURLSHOPT_USERDATA, h) != CURLSHE_OK ||
	    curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) != CURLSHE_OK ||
	    curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK ||
	    curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) !=
		    CURLSHE_OK) {
		if (h->share)
			curl_share_cleanup(h->share);
		h->share = NULL;
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, NULL,
			      "cannot set up a curl share handle");
		rc = AWS_ERR_OTHER;
		goto done;
	}
	atomic_store_explicit(&h->ready, true, memory_order_release);
done:
	pthread_mutex_unlock(&h->init_mu);
	return rc;
}

void aws_http_free(aws_http *h)
{
	size_t i;

	if (!h)
		return;
	/* Easy handles first: they reference the share. Both exist only if
	 * libcurl was loaded. */
	for (i = 0; i < h->n_pool; i++)
		curl_easy_cleanup(h->pool[i]);
	if (h->share)
		curl_share_cleanup(h->share);
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&h->share_mu[i]);
	pthread_mutex_destroy(&h->pool_mu);
	pthread_mutex_destroy(&h->init_mu);
	free(h->ca_bundle);
	free(h);
}

static CURL *pool_get(aws_http *h)
{
	CURL *e = NULL;

	pthread_mutex_lock(&h->pool_mu);
	if (h->n_pool)
		e = h->pool[--h->n_pool];
	pthread_mutex_unlock(&h->pool_mu);
	if (e)
		curl_easy_reset(e);
	else
		e = curl_easy_init();
	return e;
}

static void pool_put(aws_http *h, CURL *e)
{
	pthread_mutex_lock(&h->pool_mu);
	if (h->n_pool < AWS_HTTP_POOL_MAX) {
		h->pool[h->n_pool++] = e;
		e = NULL;
	}
	pthread_mutex_unlock(&h->pool_mu);
	if (e)
		curl_easy_cleanup(e);
}

/* ---- one request ---- */

void aws_http_response_init(aws_http_response *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, AWS_HTTP_MAX_BODY);
}

void aws_http_response_free(aws_http_response *r)
{
	if (r)
		buf_free_secret(&r->body);
}

typedef struct {
	aws_http_response *resp;
	bool too_large;
	bool finish_once_sent; /* the request's rule under Stop */
	bool sent; /* the request is (being) written on a connection */
} xfer_state;

/* Under Stop, may this transfer still be aborted? */
static bool abortable(const xfer_state *st)
{
	return !(st->finish_once_sent && st->sent);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	xfer_state *st = userp;
	size_t n = size * nmemb;

	if (buf_append(&st->resp->body, data, n) < 0) {
		st->too_large = true;
		return 0; /* CURLE_WRITE_ERROR */
	}
	return n;
}

/* Copy a header's value (trimmed) into out if the line is "name: value". */
static void header_value(const char *line, size_t len, const char *name, char *out, size_t outsz)
{
	size_t nl = strlen(name);

	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return;
	aws_copy_trimmed(out, outsz, line + nl + 1, len - nl - 1);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userp)
{
	xfer_state *st = userp;
	size_t n = size * nmemb;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* A new response (after 100 Continue or a proxy CONNECT): start over. */
		st->resp->error_type[0] = '\0';
		st->resp->request_id[0] = '\0';
		st->resp->date = 0;
		return n;
	}
	header_value(data, n, "x-amzn-ErrorType", st->resp->error_type,
		     sizeof(st->resp->error_type));
	header_value(data, n, "x-amzn-RequestId", st->resp->request_id,
		     sizeof(st->resp->request_id));
	{
		char date[64] = "";
		header_value(data, n, "Date", date, sizeof(date));
		if (date[0]) {
			time_t t = curl_getdate(date, NULL);
			st->resp->date = t > 0 ? t : 0;
		}
	}
	return n;
}

static int on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return aws_cancelled() && abortable(userp) ? 1 : 0;
}

/* Connected (TLS done), the request about to be written: the last moment a
 * Stop can drop a request SSM never saw. curl calls it again if it re-sends
 * on a new connection; by then a mutating request counts as sent. */
static int on_prereq(void *userp, char *primary_ip, char *local_ip, int primary_port,
		     int local_port)
{
	xfer_state *st = userp;

	(void)primary_ip;
	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	if (aws_cancelled() && abortable(st))
		return CURL_PREREQFUNC_ABORT;
	st->sent = true;
	return CURL_PREREQFUNC_OK;
}

int aws_http_do(aws_http *h, const aws_http_request *req, aws_http_response *resp, aws_error *err)
{
	struct curl_slist *hl = NULL, *tmp;
	char errbuf[CURL_ERROR_SIZE] = "";
	xfer_state st = {resp, false, req->finish_once_sent, false};
	CURL *e = NULL;
	CURLcode cc;
	size_t i;
	int rc = AWS_ERR_OTHER;

	buf_clear(&resp->body);
	resp->status = 0;
	resp->date = 0;
	resp->error_type[0] = resp->request_id[0] = '\0';
	if (aws_cancelled()) {
		aws_error_set(err, AWS_ERR_CANCELLED, 0, NULL, NULL,
			      "request cancelled before it was sent (Stop)");
		return AWS_ERR_CANCELLED;
	}
	if ((rc = http_ready(h, err)) != 0)
		return rc;
	rc = AWS_ERR_OTHER;
	if (!(e = pool_get(h))) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, NULL, "curl_easy_init failed");
		goto done;
	}
	for (i = 0; i < req->n_headers; i++) {
		if (!(tmp = curl_slist_append(hl, req->headers[i])))
			goto oom;
		hl = tmp;
	}
	/* No "Expect: 100-continue" round trip for large bodies. */
	if (!(tmp = curl_slist_append(hl, "Expect:")))
		goto oom;
	hl = tmp;

	curl_easy_setopt(e, CURLOPT_SHARE, h->share);
	/* curl_easy_perform keeps at most MAXCONNECTS idle connections in the
	 * (shared) cache, default 4 * one handle: too few for `parallelism` threads. */
	curl_easy_setopt(e, CURLOPT_MAXCONNECTS, (long)AWS_HTTP_MAX_IDLE_CONNS);
	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	/* AWS's JSON and query endpoints speak HTTP/1.1; with the easy interface an
	 * HTTP/2 connection would not be multiplexed anyway, and 1.1 keeps the
	 * shared connection cache simple. */
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			 req->connect_timeout_ms ? req->connect_timeout_ms
						 : AWS_HTTP_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
			 req->timeout_ms ? req->timeout_ms : AWS_HTTP_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->ca_bundle) {
		curl_easy_setopt(e, CURLOPT_CAINFO, h->ca_bundle);
	} else if (g_ca_dir[0]) {
		curl_easy_setopt(e, CURLOPT_CAINFO, NULL); /* no bundle file: see g_ca_dir */
		curl_easy_setopt(e, CURLOPT_CAPATH, g_ca_dir);
	}
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, AWS_USER_AGENT);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &st);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &st);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, &st);
	curl_easy_setopt(e, CURLOPT_PREREQDATA, &st);
	/* A libcurl before 7.80 lacks the option: then a request counts as sent
	 * from its start (a mutating one is never aborted). */
	st.sent = curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq) != CURLE_OK;
	if (strcmp(req->method, "GET") == 0) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		if (strcmp(req->method, "POST") != 0)
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
	}

	cc = curl_easy_perform(e);
	if (cc == CURLE_OK) {
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &resp->status);
		rc = 0;
	} else if (cc == CURLE_ABORTED_BY_CALLBACK || (aws_cancelled() && abortable(&st))) {
		rc = AWS_ERR_CANCELLED;
		aws_error_set(err, rc, 0, NULL, NULL, "request cancelled %s(Stop)",
			      st.sent ? "" : "before it was sent ");
	} else if (cc == CURLE_WRITE_ERROR && st.too_large) {
		aws_error_set(err, AWS_ERR_OTHER, 0, NULL, NULL,
			      "response body larger than %u bytes", AWS_HTTP_MAX_BODY);
	} else if (cc == CURLE_URL_MALFORMAT || cc == CURLE_UNSUPPORTED_PROTOCOL ||
		   cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE ||
		   cc == CURLE_SSL_CERTPROBLEM) {
		/* Retrying cannot fix these. */
		rc = AWS_ERR_CONFIG;
		aws_error_set(err, rc, 0, NULL, NULL, "%s: %s", curl_easy_strerror(cc),
			      errbuf[0] ? errbuf : req->url);
	} else {
		rc = AWS_ERR_NETWORK;
		aws_error_set(err, rc, 0, NULL, NULL, "%s: %s", curl_easy_strerror(cc),
			      errbuf[0] ? errbuf : req->url);
	}
	goto done;
oom:
	aws_error_set(err, AWS_ERR_OTHER, 0, NULL, NULL, "out of memory");
done:
	curl_slist_free_all(hl);
	if (e) {
		/* The handle must not keep pointers into this stack frame. */
		curl_easy_setopt(e, CURLOPT_ERRORBUFFER, NULL);
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
		pool_put(h, e);
	}
	return rc;
}

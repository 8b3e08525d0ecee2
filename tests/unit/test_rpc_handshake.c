/*
 * test_rpc_handshake.c - go-plugin start-up pieces: cookie, version
 * negotiation, socket path, handshake line, reattach JSON, port range, and the
 * AutoMTLS certificate (checked back with OpenSSL).
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* ENGINE and EC_KEY, as in rpc/tls.c */
#include <errno.h>
#include <grp.h>
#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/engine.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/base64.h"
#include "rpc/handshake.h"
#include "rpc/tls.h"
#include "unit.h"

static const int both[] = {5, 6};
static const int only5[] = {5};

static void test_rpc_handshake__cookie(void)
{
	CHECK(handshake_cookie_ok(HANDSHAKE_COOKIE_VALUE));
	CHECK(!handshake_cookie_ok(NULL));
	CHECK(!handshake_cookie_ok(""));
	CHECK(!handshake_cookie_ok("d602bf8f"));
}

static void test_rpc_handshake__negotiate(void)
{
	CHECK(handshake_negotiate("5", both, 2) == 5);
	CHECK(handshake_negotiate("6", both, 2) == 6);
	CHECK(handshake_negotiate("5,6", both, 2) == 6);
	CHECK(handshake_negotiate("6,5", both, 2) == 6);
	CHECK(handshake_negotiate(" 6 , 5 ", both, 2) == 6);
	CHECK(handshake_negotiate(NULL, both, 2) == 5); /* legacy client: lowest */
	CHECK(handshake_negotiate("", both, 2) == 5);
	CHECK(handshake_negotiate("4,7", both, 2) == 5); /* no match: lowest */
	CHECK(handshake_negotiate("x,6,", both, 2) == 6); /* junk skipped */
	CHECK(handshake_negotiate("5,6", only5, 1) == 5);
	CHECK(handshake_negotiate("6", only5, 1) == 5);
}

/* PLUGIN_UNIX_SOCKET_GROUP: a gid, or a group name looked up with
 * getgrnam_r (the group of this process stands in for any name). */
static void test_rpc_handshake__socket_group(void)
{
	struct group *mine = getgrgid(getgid());
	char name[256];

	CHECK(handshake_socket_group(NULL) == -1);
	CHECK(handshake_socket_group("") == -1);
	CHECK(handshake_socket_group("1234") == 1234);
	CHECK(handshake_socket_group("-5") == -1);
	CHECK(handshake_socket_group("no-such-group-ssmpatch") == -1);
	CHECK(mine != NULL);
	if (mine) {
		snprintf(name, sizeof(name), "%s", mine->gr_name);
		CHECK(handshake_socket_group(name) == (long)getgid());
	}
}

static void test_rpc_handshake__socket_path(void)
{
	char path[108], dir[] = "/tmp/hs_testXXXXXX", longdir[200];
	struct stat st;

	CHECK(mkdtemp(dir) != NULL);
	CHECK(handshake_socket_path(path, sizeof(path), dir) == 0);
	CHECK(strncmp(path, dir, strlen(dir)) == 0);
	CHECK(strncmp(path + strlen(dir), "/plugin", 7) == 0);
	CHECK(stat(path, &st) != 0 && errno == ENOENT); /* reserved name, removed */
	memset(longdir, 'a', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = '\0';
	errno = 0;
	CHECK(handshake_socket_path(path, sizeof(path), longdir) == -1 && errno == ENAMETOOLONG);
	CHECK(rmdir(dir) == 0);
}

static void test_rpc_handshake__line(void)
{
	char *l = handshake_line(5, "unix", "/tmp/plugin123", NULL);
	CHECK_STR(l, "1|5|unix|/tmp/plugin123|grpc|\n");
	free(l);
	l = handshake_line(6, "tcp", "127.0.0.1:10001", "MIIB");
	CHECK_STR(l, "1|6|tcp|127.0.0.1:10001|grpc|MIIB\n");
	free(l);
}

static void test_rpc_handshake__reattach_json(void)
{
	char *s = handshake_reattach_json("registry.terraform.io/ssmpatch/ssmpatch", 6, 4242,
					  "unix", "/tmp/plugin\"x");
	json_error_t err;
	json_t *root = s ? json_loads(s, 0, &err) : NULL;
	json_t *cfg = json_object_get(root, "registry.terraform.io/ssmpatch/ssmpatch");

	CHECK(cfg != NULL);
	CHECK_STR(json_string_value(json_object_get(cfg, "Protocol")), "grpc");
	CHECK(json_integer_value(json_object_get(cfg, "ProtocolVersion")) == 6);
	CHECK(json_integer_value(json_object_get(cfg, "Pid")) == 4242);
	CHECK(json_is_true(json_object_get(cfg, "Test")));
	CHECK_STR(json_string_value(json_object_get(json_object_get(cfg, "Addr"), "Network")),
		  "unix");
	CHECK_STR(json_string_value(json_object_get(json_object_get(cfg, "Addr"), "String")),
		  "/tmp/plugin\"x");
	CHECK(strchr(s, '\n') == NULL);
	json_decref(root);
	free(s);
}

static void test_rpc_handshake__ports(void)
{
	int lo = -1, hi = -1;
	CHECK(handshake_port_range(NULL, NULL, &lo, &hi) == 0 && lo == 0 && hi == 0);
	CHECK(handshake_port_range("10000", "25000", &lo, &hi) == 0 && lo == 10000 && hi == 25000);
	CHECK(handshake_port_range("", "", &lo, &hi) == 0 && lo == 0 && hi == 0);
	CHECK(handshake_port_range("2", "1", &lo, &hi) == -1);
	CHECK(handshake_port_range("x", "1", &lo, &hi) == -1);
	CHECK(handshake_port_range("1", "70000", &lo, &hi) == -1);
}

/* Sign msg with key (SHA-512, as go-plugin's P-521 client signs in TLS 1.3). */
static size_t sign_msg(EVP_PKEY *key, const unsigned char *msg, size_t n, unsigned char *sig,
		       size_t cap)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t len = cap;
	int ok = md && EVP_DigestSignInit(md, NULL, EVP_sha512(), NULL, key) == 1 &&
		 EVP_DigestSign(md, sig, &len, msg, n) == 1;

	EVP_MD_CTX_free(md);
	return ok ? len : 0;
}

static int verify_msg(EVP_PKEY *pub, const unsigned char *msg, size_t n, const unsigned char *sig,
		      size_t sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md && EVP_DigestVerifyInit(md, NULL, EVP_sha512(), NULL, pub) == 1 &&
		 EVP_DigestVerify(md, sig, sig_len, msg, n) == 1;

	EVP_MD_CTX_free(md);
	return ok;
}

/* A self-signed certificate for key, parsed back from DER (as the TLS
 * handshake parses the peer's certificate). */
static X509 *cert_for(EVP_PKEY *key)
{
	X509 *x = X509_new(), *back = NULL;
	unsigned char *der = NULL;
	const unsigned char *p;
	int len;

	if (x && X509_set_version(x, 2) && X509_set_pubkey(x, key) &&
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
	    X509_gmtime_adj(X509_getm_notAfter(x), 3600) && X509_sign(x, key, EVP_sha512()) &&
	    (len = i2d_X509(x, &der)) > 0) {
		p = der;
		back = d2i_X509(NULL, &p, len);
	}
	OPENSSL_free(der);
	X509_free(x);
	return back;
}

static void test_rpc_handshake__tls_identity(void)
{
	tls_identity id;
	BIO *bio;
	X509 *x = NULL;
	EVP_PKEY *pub, *key = NULL;
	ENGINE *e = NULL;
	unsigned char *der = NULL;
	char *b64;
	int der_len;
	char cn[64] = "";

	CHECK(tls_identity_generate(&id) == 0);
	CHECK(tls_pem_has_cert(id.cert_pem));
	CHECK(!tls_pem_has_cert("not a cert"));
	CHECK(!tls_pem_has_cert("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
	/* DER SEQUENCE with trailing bytes */
	CHECK(!tls_pem_has_cert("-----BEGIN CERTIFICATE-----\nMAAA\n-----END CERTIFICATE-----\n"));
	CHECK(tls_pem_has_cert("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"));
	/* gRPC's syntax for an engine key, with the engine and key this file registers */
	CHECK_STR(id.key_ref, "engine:" TLS_ENGINE_ID ":" TLS_ENGINE_KEY_ID);
	bio = BIO_new_mem_buf(id.cert_pem, -1);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	CHECK(x != NULL);
	if (!x)
		goto done;
	/* Field 6 of the handshake is the DER of this very certificate. */
	der_len = i2d_X509(x, &der);
	b64 = base64_encode(der, (size_t)der_len, BASE64_NO_PAD, NULL);
	CHECK_STR(b64, id.cert_der_b64);
	free(b64);
	OPENSSL_free(der);
	X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn));
	CHECK_STR(cn, "localhost");
	CHECK(X509_check_host(x, "localhost", 0, 0, NULL) == 1);
	CHECK(X509_check_ca(x) >= 1);
	CHECK((X509_get_extended_key_usage(x) & (XKU_SSL_SERVER | XKU_SSL_CLIENT)) ==
	      (XKU_SSL_SERVER | XKU_SSL_CLIENT));
	CHECK((X509_get_key_usage(x) & (KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT |
					KU_KEY_AGREEMENT | KU_KEY_CERT_SIGN)) ==
	      (KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT | KU_KEY_AGREEMENT | KU_KEY_CERT_SIGN));
	CHECK(X509_EXTENSION_get_critical(
		      X509_get_ext(x, X509_get_ext_by_NID(x, NID_basic_constraints, -1))) == 1);
	CHECK(X509_EXTENSION_get_critical(
		      X509_get_ext(x, X509_get_ext_by_NID(x, NID_key_usage, -1))) == 1);
	CHECK(X509_get0_subject_key_id(x) != NULL && X509_get0_subject_key_id(x)->length == 20);
	CHECK(X509_cmp_current_time(X509_get0_notBefore(x)) < 0);
	CHECK(X509_cmp_time(X509_get0_notAfter(x), &(time_t){time(NULL) + 29L * 365 * 86400}) > 0);
	pub = X509_get0_pubkey(x);
	CHECK(pub && X509_verify(x, pub) == 1); /* self-signed */
	CHECK(pub && EVP_PKEY_is_a(pub, "EC") && EVP_PKEY_get_bits(pub) == 256);
	/* The key gRPC gets, the way gRPC gets it: from the engine, by key id.
	 * It is the certificate's pair: it signs, the certificate's key verifies. */
	e = ENGINE_by_id(TLS_ENGINE_ID);
	CHECK(e != NULL && ENGINE_init(e) == 1);
	if (!e)
		goto done;
	CHECK(ENGINE_load_private_key(e, "another", NULL, NULL) == NULL);
	key = ENGINE_load_private_key(e, TLS_ENGINE_KEY_ID, NULL, NULL);
	CHECK(key != NULL);
	if (!key)
		goto done;
	CHECK(X509_check_private_key(x, key) == 1);
	CHECK(EVP_PKEY_eq(key, pub) == 1);
	{
		unsigned char sig[160];
		static const unsigned char msg[] = "ssmpatch";
		size_t n = sign_msg(key, msg, sizeof(msg), sig, sizeof(sig));
		CHECK(n > 0 && verify_msg(pub, msg, sizeof(msg), sig, n));
	}
done:
	if (e) {
		ENGINE_finish(e);
		ENGINE_free(e);
	}
	EVP_PKEY_free(key);
	X509_free(x);
	tls_identity_free(&id);
	CHECK(id.key_ref == NULL && id.cert_pem == NULL);
}

/*
 * With the engine registered (tls.c), a peer's EC certificate is decoded with
 * OpenSSL's classic EC method, and checking a signature with its key goes
 * through the engine's method: that check must still accept the right
 * signature and refuse a tampered one, another message and another key's
 * signature, for go-plugin's P-521 and for P-256.
 */
static EVP_PKEY *ec_key(int nid)
{
	EC_KEY *ec = EC_KEY_new_by_curve_name(nid);
	EVP_PKEY *k = EVP_PKEY_new();

	if (!ec || !k || !EC_KEY_generate_key(ec) || !EVP_PKEY_assign_EC_KEY(k, ec)) {
		EC_KEY_free(ec);
		EVP_PKEY_free(k);
		return NULL;
	}
	return k;
}

static void test_rpc_handshake__tls_engine_verifies(void)
{
	static const int curves[] = {NID_secp521r1, NID_X9_62_prime256v1};
	static const unsigned char msg[] = "TLS 1.3, client CertificateVerify";
	tls_identity id;

	CHECK(tls_identity_generate(&id) == 0); /* registers the engine */
	tls_identity_free(&id);
	for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
		EVP_PKEY *signer = ec_key(curves[i]);
		EVP_PKEY *other = ec_key(curves[i]);
		X509 *cert = signer ? cert_for(signer) : NULL;
		EVP_PKEY *pub = cert ? X509_get0_pubkey(cert) : NULL;
		unsigned char sig[160], bad[160];
		size_t n = signer ? sign_msg(signer, msg, sizeof(msg), sig, sizeof(sig)) : 0;
		size_t m = other ? sign_msg(other, msg, sizeof(msg), bad, sizeof(bad)) : 0;

		CHECK(signer && other && cert && pub && n > 0 && m > 0);
		if (pub && n > 0 && m > 0) {
			ENGINE *pe = ENGINE_get_pkey_meth_engine(EVP_PKEY_EC);
			CHECK(pe != NULL && strcmp(ENGINE_get_id(pe), TLS_ENGINE_ID) == 0);
			if (pe)
				ENGINE_finish(pe);
			CHECK(EVP_PKEY_get_bits(pub) == EVP_PKEY_get_bits(signer));
			CHECK(X509_verify(cert, pub) == 1);
			CHECK(verify_msg(pub, msg, sizeof(msg), sig, n) == 1);
			CHECK(verify_msg(pub, msg, sizeof(msg) - 1, sig, n) == 0);
			CHECK(verify_msg(pub, msg, sizeof(msg), bad, m) == 0);
			sig[n / 2] ^= 0x01;
			CHECK(verify_msg(pub, msg, sizeof(msg), sig, n) == 0);
		}
		X509_free(cert);
		EVP_PKEY_free(signer);
		EVP_PKEY_free(other);
	}
}

/* Every SSL_CTX of the process (gRPC's) sends no session tickets. */
static void test_rpc_handshake__tls_no_tickets(void)
{
	SSL_CTX *ctx;

	CHECK(tls_openssl_init(1) == 0);
	ctx = SSL_CTX_new(TLS_method());
	CHECK(ctx != NULL && SSL_CTX_get_num_tickets(ctx) == 0);
	SSL_CTX_free(ctx);
}

int main(void)
{
	RUN(test_rpc_handshake__cookie);
	RUN(test_rpc_handshake__negotiate);
	RUN(test_rpc_handshake__socket_group);
	RUN(test_rpc_handshake__socket_path);
	RUN(test_rpc_handshake__line);
	RUN(test_rpc_handshake__reattach_json);
	RUN(test_rpc_handshake__ports);
	RUN(test_rpc_handshake__tls_no_tickets);
	RUN(test_rpc_handshake__tls_identity);
	RUN(test_rpc_handshake__tls_engine_verifies);
	return unit_summary();
}

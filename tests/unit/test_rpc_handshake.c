/*
 * test_rpc_handshake.c - go-plugin start-up pieces: cookie, version
 * negotiation, socket path, handshake line, reattach JSON, port range, and the
 * AutoMTLS certificate (checked back with OpenSSL).
 */
#include <errno.h>
#include <grp.h>
#include <jansson.h>
#include <openssl/pem.h>
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

/* The private key of PEM text, or NULL. */
static EVP_PKEY *pem_private_key(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	return key;
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

static void test_rpc_handshake__tls_identity(void)
{
	tls_identity id;
	BIO *bio;
	X509 *x = NULL;
	EVP_PKEY *pub, *key = NULL;
	unsigned char *der = NULL;
	char *b64;
	int der_len;
	char cn[64] = "";

	CHECK(tls_identity_generate(&id) == 0);
	CHECK(tls_pem_has_cert(id.cert_pem));
	CHECK(!tls_pem_has_cert("not a cert"));
	CHECK(!tls_pem_has_cert(id.key_pem));
	CHECK(!tls_pem_has_cert("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
	/* DER SEQUENCE with trailing bytes */
	CHECK(!tls_pem_has_cert("-----BEGIN CERTIFICATE-----\nMAAA\n-----END CERTIFICATE-----\n"));
	CHECK(tls_pem_has_cert("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"));
	CHECK(strstr(id.key_pem, "PRIVATE KEY") != NULL);
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
	CHECK((X509_get_key_usage(x) & (KU_DIGITAL_SIGNATURE | KU_KEY_CERT_SIGN)) ==
	      (KU_DIGITAL_SIGNATURE | KU_KEY_CERT_SIGN));
	CHECK(X509_cmp_current_time(X509_get0_notBefore(x)) < 0);
	CHECK(X509_cmp_time(X509_get0_notAfter(x), &(time_t){time(NULL) + 29L * 365 * 86400}) > 0);
	pub = X509_get0_pubkey(x);
	CHECK(pub && X509_verify(x, pub) == 1); /* self-signed */
	CHECK(pub && EVP_PKEY_is_a(pub, "EC") && EVP_PKEY_get_bits(pub) == 256);
	/* The hand-built PKCS#8 key parses with OpenSSL and is the certificate's
	 * pair; it signs, and the certificate's key verifies that signature. */
	CHECK(strncmp(id.key_pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
	key = pem_private_key(id.key_pem);
	CHECK(key != NULL);
	if (!key)
		goto done;
	CHECK(X509_check_private_key(x, key) == 1);
	CHECK(EVP_PKEY_eq(key, pub) == 1);
	{
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		unsigned char sig[128];
		size_t sig_len = sizeof(sig);
		static const unsigned char msg[] = "ssmpatch";
		CHECK(md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
		      EVP_DigestSign(md, sig, &sig_len, msg, sizeof(msg)) == 1);
		EVP_MD_CTX_reset(md);
		CHECK(md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub) == 1 &&
		      EVP_DigestVerify(md, sig, sig_len, msg, sizeof(msg)) == 1);
		EVP_MD_CTX_free(md);
	}
done:
	EVP_PKEY_free(key);
	X509_free(x);
	tls_identity_free(&id);
	CHECK(id.key_pem == NULL && id.cert_pem == NULL);
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
	RUN(test_rpc_handshake__tls_identity);
	return unit_summary();
}

/*
 * tls.c - self-signed server certificate for go-plugin AutoMTLS (OpenSSL 3),
 * and the engine that hands its key to gRPC. See tls.h for what the
 * certificate contains and why.
 *
 * Why an ENGINE (an API OpenSSL 3.0 deprecates): every instruction here runs
 * in every provider process, and Terraform starts two per provider alias for
 * each command. OpenSSL 3.0 decodes keys through its decoder framework,
 * whose set-up enumerates every decoder and key manager of the loaded
 * providers on each call and is not cached (later releases cache it). gRPC
 * 1.51's TLS server set-up decodes our private key and three certificates
 * that way, and the handshake a fourth (Terraform's), some 1.4 million
 * instructions per certificate and 4.7 million for the key: with the rest of
 * the framework's first use, a third of a validate-walk process (bench/,
 * "fleet"). Two documented hooks avoid it, both through one ENGINE that
 * exists only inside this process (libcurl, loaded later, brings its own
 * OpenSSL):
 *  - gRPC takes a private key given as "engine:<engine id>:<key id>" from
 *    ENGINE_load_private_key (ssl_transport_security.cc,
 *    ssl_ctx_use_engine_private_key), so the key made here reaches gRPC as
 *    the object itself: never written as PEM, never parsed.
 *  - OpenSSL decodes a certificate's SubjectPublicKeyInfo with the key
 *    type's classic ASN.1 method instead of the decoder framework when an
 *    engine supplies the EVP_PKEY_METHOD of that type (crypto/x509/x_pubkey.c,
 *    x509_pubkey_decode). The engine supplies OpenSSL's own built-in EC
 *    method (EVP_PKEY_meth_find), so the EC keys of both certificates (ours,
 *    P-256; go-plugin's, P-521) take that path, and operations on such keys
 *    (checking Terraform's CertificateVerify signature) run OpenSSL's
 *    built-in EC code: the same ECDSA implementation the default provider
 *    wraps, reached without the provider dispatch. Every check of the
 *    handshake stays as it was; tests/unit/test_rpc_handshake.c checks that
 *    this path accepts a good signature and refuses a bad one.
 * Our key is generated with the EC_KEY functions (also deprecated in 3.0) so
 * that it is made the same way whether or not the engine is registered yet
 * (a key type context by name goes to the engine once it is).
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* ENGINE and EC_KEY: see above */

#include "tls.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/conf.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/engine.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/base64.h"

#define TLS_VALID_SECONDS (262980L * 3600L) /* go-plugin: 262980 h */
#define TLS_BACKDATE_SECONDS 30L

/* ---- the process's OpenSSL ---- */

/*
 * The only configuration this process's OpenSSL gets: no session tickets.
 * A TLS 1.3 server sends two by default, each an encrypted copy of the
 * session with Terraform's certificate in it (0.9 million instructions with
 * the engine below, 3.5 without); go-plugin never resumes a session, every
 * process is new. gRPC offers no setting for it, and OpenSSL applies the
 * "system_default" section of its ssl_conf module to every SSL_CTX, gRPC's
 * included.
 */
static const char g_openssl_conf[] = "openssl_conf = ssmpatch_init\n"
				     "[ssmpatch_init]\n"
				     "ssl_conf = ssmpatch_ssl\n"
				     "[ssmpatch_ssl]\n"
				     "system_default = ssmpatch_tls\n"
				     "[ssmpatch_tls]\n"
				     "NumTickets = 0\n";

int tls_openssl_init(int serving_tls)
{
	const uint64_t base = OPENSSL_INIT_NO_ATEXIT | OPENSSL_INIT_NO_LOAD_CONFIG |
			      OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS;
	CONF *conf = NULL;
	BIO *bio = NULL;
	long eline = 0;
	int rc = -1;

	/* No OPENSSL_cleanup() at exit (NO_ATEXIT): it deletes OpenSSL's
	 * thread-local key while gRPC and curl threads may still be running,
	 * and a thread ending after that loses its error-state block (a
	 * 904-byte leak LeakSanitizer reports now and then). The process is
	 * exiting; the OS reclaims everything anyway.
	 * No system openssl.cnf (NO_LOAD_CONFIG; 1.7 million instructions): this
	 * static OpenSSL serves only the loopback TLS with Terraform, whose
	 * parameters go-plugin fixes (and Go providers ignore OpenSSL's
	 * configuration altogether), plus hashing and random numbers. The TLS
	 * to AWS is libcurl's, with the system's OpenSSL and configuration.
	 * No error strings (NO_LOAD_*_STRINGS; 1 million instructions): the
	 * one place they would show is gRPC's log line for a failed handshake
	 * with Terraform, which then carries the code alone
	 * ("error:0A000086::::"; `openssl errstr 0A000086` spells it out). */
	if (!OPENSSL_init_crypto(base, NULL))
		return -1;
	if (!serving_tls) /* libssl stays untouched: hashing and randomness only */
		return 0;
	if (!OPENSSL_init_ssl(base | OPENSSL_INIT_NO_LOAD_SSL_STRINGS, NULL))
		return -1;
	OPENSSL_load_builtin_modules();
	conf = NCONF_new_ex(NULL, NULL);
	bio = BIO_new_mem_buf(g_openssl_conf, -1);
	if (conf && bio && NCONF_load_bio(conf, bio, &eline) > 0 &&
	    CONF_modules_load(conf, NULL, 0) > 0)
		rc = 0;
	BIO_free(bio);
	NCONF_free(conf);
	return rc;
}

/* ---- the engine ---- */

static pthread_once_t g_engine_once = PTHREAD_ONCE_INIT;
static int g_engine_ok;
static pthread_mutex_t g_key_mu = PTHREAD_MUTEX_INITIALIZER;
static EVP_PKEY *g_key; /* the current server key (one reference held here) */

/* ENGINE_load_private_key: a new reference to the server key. */
static EVP_PKEY *engine_load_key(ENGINE *e, const char *key_id, UI_METHOD *ui, void *cb_data)
{
	EVP_PKEY *k = NULL;

	(void)e;
	(void)ui;
	(void)cb_data;
	if (!key_id || strcmp(key_id, TLS_ENGINE_KEY_ID) != 0)
		return NULL;
	pthread_mutex_lock(&g_key_mu);
	if (g_key && EVP_PKEY_up_ref(g_key))
		k = g_key;
	pthread_mutex_unlock(&g_key_mu);
	return k;
}

static const int g_engine_nids[] = {EVP_PKEY_EC};

/* ENGINE pkey_meths: OpenSSL's built-in EC method (see the top of the file). */
static int engine_pkey_meths(ENGINE *e, EVP_PKEY_METHOD **pmeth, const int **nids, int nid)
{
	(void)e;
	if (!pmeth) {
		*nids = g_engine_nids;
		return (int)(sizeof(g_engine_nids) / sizeof(g_engine_nids[0]));
	}
	*pmeth = nid == EVP_PKEY_EC ? (EVP_PKEY_METHOD *)EVP_PKEY_meth_find(EVP_PKEY_EC) : NULL;
	return *pmeth != NULL;
}

static void engine_register(void)
{
	ENGINE *e = ENGINE_new();

	if (!e)
		return;
	if (ENGINE_set_id(e, TLS_ENGINE_ID) && ENGINE_set_name(e, "ssmpatch AutoMTLS key") &&
	    ENGINE_set_load_privkey_function(e, engine_load_key) &&
	    ENGINE_set_pkey_meths(e, engine_pkey_meths) && ENGINE_add(e) &&
	    ENGINE_register_pkey_meths(e))
		g_engine_ok = 1;
	ENGINE_free(e); /* the engine list keeps its own reference */
}

/* ---- the certificate ---- */

static char *bio_to_string(BIO *bio)
{
	char *data = NULL, *out;
	long len = BIO_get_mem_data(bio, &data);

	if (len <= 0 || !data)
		return NULL;
	out = malloc((size_t)len + 1);
	if (!out)
		return NULL;
	memcpy(out, data, (size_t)len);
	out[len] = '\0';
	return out;
}

/* One extension from its i2d-able structure (not X509V3_EXT_conf_nid's
 * configuration-text parser, which costs ten times more). */
static int add_ext(X509 *x, int nid, int critical, void *value)
{
	return value && X509_add1_ext_i2d(x, nid, value, critical, X509V3_ADD_DEFAULT) == 1 ? 0
											    : -1;
}

static int add_extensions(X509 *x)
{
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
	ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
	EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();
	ASN1_OCTET_STRING *ski = ASN1_OCTET_STRING_new();
	GENERAL_NAMES *san = sk_GENERAL_NAME_new_null();
	GENERAL_NAME *dns = GENERAL_NAME_new();
	ASN1_IA5STRING *host = ASN1_IA5STRING_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	const ASN1_BIT_STRING *pub;
	int rc = -1;

	if (!bc || !ku || !eku || !ski || !san || !dns || !host)
		goto done;
	bc->ca = 0xFF; /* DER TRUE (X509V3_get_value_bool sets the same) */
	/* digitalSignature (0), keyEncipherment (2), keyAgreement (4), keyCertSign (5) */
	if (!ASN1_BIT_STRING_set_bit(ku, 0, 1) || !ASN1_BIT_STRING_set_bit(ku, 2, 1) ||
	    !ASN1_BIT_STRING_set_bit(ku, 4, 1) || !ASN1_BIT_STRING_set_bit(ku, 5, 1))
		goto done;
	if (!sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_client_auth)) ||
	    !sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_server_auth)))
		goto done;
	/* subjectKeyIdentifier "hash": SHA-1 of the public key bits (RFC 5280 4.2.1.2) */
	pub = X509_get0_pubkey_bitstr(x);
	if (!pub || !EVP_Digest(pub->data, (size_t)pub->length, md, &md_len, EVP_sha1(), NULL) ||
	    !ASN1_OCTET_STRING_set(ski, md, (int)md_len))
		goto done;
	if (!ASN1_STRING_set(host, "localhost", 9))
		goto done;
	GENERAL_NAME_set0_value(dns, GEN_DNS, host);
	host = NULL;
	if (!sk_GENERAL_NAME_push(san, dns))
		goto done;
	dns = NULL;
	if (add_ext(x, NID_basic_constraints, 1, bc) == 0 &&
	    add_ext(x, NID_key_usage, 1, ku) == 0 && add_ext(x, NID_ext_key_usage, 0, eku) == 0 &&
	    add_ext(x, NID_subject_key_identifier, 0, ski) == 0 &&
	    add_ext(x, NID_subject_alt_name, 0, san) == 0)
		rc = 0;
done:
	BASIC_CONSTRAINTS_free(bc);
	ASN1_BIT_STRING_free(ku);
	sk_ASN1_OBJECT_free(eku); /* the objects are OpenSSL's static ones */
	ASN1_OCTET_STRING_free(ski);
	GENERAL_NAMES_free(san);
	GENERAL_NAME_free(dns);
	ASN1_IA5STRING_free(host);
	return rc;
}

/* A new P-256 key pair (see the top of the file for why EC_KEY). */
static EVP_PKEY *p256_generate(void)
{
	EC_KEY *ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
	EVP_PKEY *key = EVP_PKEY_new();

	if (!ec || !key || !EC_KEY_generate_key(ec) || !EVP_PKEY_assign_EC_KEY(key, ec)) {
		EC_KEY_free(ec);
		EVP_PKEY_free(key);
		return NULL;
	}
	return key; /* owns ec */
}

int tls_identity_generate(tls_identity *out)
{
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	X509_NAME *name = NULL;
	BIGNUM *serial = NULL;
	BIO *cbio = NULL;
	unsigned char *der = NULL;
	int der_len, rc = -1;

	memset(out, 0, sizeof(*out));
	key = p256_generate();
	x = X509_new();
	serial = BN_new();
	if (!key || !x || !serial)
		goto done;

	if (!X509_set_version(x, 2) || !BN_rand(serial, 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
	    !BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)))
		goto done;
	if (!X509_gmtime_adj(X509_getm_notBefore(x), -TLS_BACKDATE_SECONDS) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), TLS_VALID_SECONDS - TLS_BACKDATE_SECONDS))
		goto done;
	/* A classic EC_KEY encodes with its ASN.1 method, not the encoder framework. */
	if (!X509_set_pubkey(x, key))
		goto done;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"HashiCorp",
					-1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					(const unsigned char *)"localhost", -1, -1, 0) ||
	    !X509_set_issuer_name(x, name))
		goto done;
	if (add_extensions(x) != 0 || !X509_sign(x, key, EVP_sha256()))
		goto done;

	cbio = BIO_new(BIO_s_mem());
	if (!cbio || !PEM_write_bio_X509(cbio, x))
		goto done;
	out->cert_pem = bio_to_string(cbio);
	der_len = i2d_X509(x, &der);
	if (der_len <= 0)
		goto done;
	out->cert_der_b64 = base64_encode(der, (size_t)der_len, BASE64_NO_PAD, NULL);
	if (!out->cert_pem || !out->cert_der_b64)
		goto done;
	pthread_once(&g_engine_once, engine_register);
	if (!g_engine_ok)
		goto done;
	pthread_mutex_lock(&g_key_mu);
	EVP_PKEY_free(g_key);
	g_key = key;
	key = NULL;
	pthread_mutex_unlock(&g_key_mu);
	out->key_ref = "engine:" TLS_ENGINE_ID ":" TLS_ENGINE_KEY_ID;
	rc = 0;
done:
	if (rc != 0)
		tls_identity_free(out);
	OPENSSL_free(der);
	BIO_free(cbio);
	BN_free(serial);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

int tls_pem_has_cert(const char *pem)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	long len = 0;
	STACK_OF(ASN1_TYPE) *seq = NULL;
	BIO *bio;
	int ok;

	if (!pem || !*pem)
		return 0;
	bio = BIO_new_mem_buf(pem, -1);
	if (!bio)
		return 0;
	/* A CERTIFICATE block whose content is exactly one DER SEQUENCE. Not
	 * d2i_X509: gRPC parses the certificate fully anyway when it sets up
	 * TLS; a certificate that passes this and fails there stops the
	 * provider at listen time. */
	ok = PEM_bytes_read_bio(&der, &len, NULL, PEM_STRING_X509, bio, NULL, NULL) && len > 0;
	BIO_free(bio);
	if (ok) {
		p = der;
		seq = d2i_ASN1_SEQUENCE_ANY(NULL, &p, len);
		ok = seq != NULL && p == der + len;
	}
	sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
	OPENSSL_free(der);
	return ok;
}

void tls_identity_free(tls_identity *id)
{
	if (!id)
		return;
	free(id->cert_pem);
	free(id->cert_der_b64);
	memset(id, 0, sizeof(*id));
}

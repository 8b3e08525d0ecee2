/*
 * tls.c - self-signed server certificate for go-plugin AutoMTLS (OpenSSL 3).
 * See tls.h for what the certificate contains and why.
 */
#include "tls.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define TLS_VALID_SECONDS (262980L * 3600L) /* go-plugin: 262980 h */
#define TLS_BACKDATE_SECONDS 30L

char *tls_base64_raw(const unsigned char *data, int n)
{
	size_t cap = 4 * (((size_t)n + 2) / 3) + 1;
	char *out = malloc(cap);
	int len;

	if (!out)
		return NULL;
	len = EVP_EncodeBlock((unsigned char *)out, data, n);
	if (len < 0) {
		free(out);
		return NULL;
	}
	while (len > 0 && out[len - 1] == '=')
		len--;
	out[len] = '\0';
	return out;
}

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

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

int tls_identity_generate(tls_identity *out)
{
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	X509_NAME *name = NULL;
	BIGNUM *serial = NULL;
	BIO *cbio = NULL, *kbio = NULL;
	unsigned char *der = NULL;
	int der_len, rc = -1;

	memset(out, 0, sizeof(*out));
	key = EVP_EC_gen("P-256");
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
	if (!X509_set_pubkey(x, key))
		goto done;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"HashiCorp", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0) ||
	    !X509_set_issuer_name(x, name))
		goto done;
	if (add_ext(x, NID_basic_constraints, "critical,CA:TRUE") != 0 ||
	    add_ext(x, NID_key_usage, "critical,digitalSignature,keyEncipherment,keyAgreement,keyCertSign") != 0 ||
	    add_ext(x, NID_ext_key_usage, "clientAuth,serverAuth") != 0 ||
	    add_ext(x, NID_subject_key_identifier, "hash") != 0 ||
	    add_ext(x, NID_subject_alt_name, "DNS:localhost") != 0)
		goto done;
	if (!X509_sign(x, key, EVP_sha256()))
		goto done;

	cbio = BIO_new(BIO_s_mem());
	kbio = BIO_new(BIO_s_mem());
	if (!cbio || !kbio || !PEM_write_bio_X509(cbio, x) ||
	    !PEM_write_bio_PrivateKey(kbio, key, NULL, NULL, 0, NULL, NULL))
		goto done;
	out->cert_pem = bio_to_string(cbio);
	out->key_pem = bio_to_string(kbio);
	der_len = i2d_X509(x, &der);
	if (der_len <= 0)
		goto done;
	out->cert_der_b64 = tls_base64_raw(der, der_len);
	if (!out->cert_pem || !out->key_pem || !out->cert_der_b64)
		goto done;
	rc = 0;
done:
	if (rc != 0)
		tls_identity_free(out);
	OPENSSL_free(der);
	BIO_free(cbio);
	BIO_free(kbio);
	BN_free(serial);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

int tls_pem_has_cert(const char *pem)
{
	BIO *bio;
	X509 *x;
	int ok;

	if (!pem || !*pem)
		return 0;
	bio = BIO_new_mem_buf(pem, -1);
	if (!bio)
		return 0;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ok = x != NULL;
	X509_free(x);
	return ok;
}

void tls_identity_free(tls_identity *id)
{
	if (!id)
		return;
	if (id->key_pem) /* the private key: wipe before freeing */
		OPENSSL_cleanse(id->key_pem, strlen(id->key_pem));
	free(id->cert_pem);
	free(id->key_pem);
	free(id->cert_der_b64);
	memset(id, 0, sizeof(*id));
}

/*
 * tls.c - self-signed server certificate for go-plugin AutoMTLS (OpenSSL 3).
 * See tls.h for what the certificate contains and why.
 */
#include "tls.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "core/base64.h"

#define TLS_VALID_SECONDS (262980L * 3600L) /* go-plugin: 262980 h */
#define TLS_BACKDATE_SECONDS 30L

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

/*
 * Why the key and public key are encoded by hand below: OpenSSL 3.0's
 * generic paths (X509_set_pubkey, PEM_write_bio_PrivateKey) go through its
 * encoder/decoder framework, whose set-up enumerates every algorithm of every
 * loaded provider on each call: about 9 million instructions, a third of the
 * provider's whole start-up, for two fixed-shape P-256 structures. Here the
 * public key goes into the certificate with X509_PUBKEY_set0_param (plain
 * ASN.1, no framework), and the private key is the fixed 109-byte SEC1
 * ECPrivateKey (RFC 5915) wrapped in PKCS#8 by OpenSSL's PKCS8 ASN.1 code.
 * tests/unit/test_rpc_handshake.c parses both back with OpenSSL and checks
 * that they are one key pair.
 */
#define P256_PRIV_LEN 32
#define P256_PUB_LEN 65 /* uncompressed point: 04 || X || Y */

/* ECPrivateKey ::= SEQUENCE { version INTEGER (1), privateKey OCTET STRING,
 * publicKey [1] BIT STRING } - parameters omitted, PKCS#8 carries them. */
static const unsigned char sec1_head[] = {0x30, 0x6b, 0x02, 0x01, 0x01, 0x04, P256_PRIV_LEN};
static const unsigned char sec1_mid[] = {0xa1, 0x44, 0x03, 0x42, 0x00};
#define SEC1_LEN (sizeof(sec1_head) + P256_PRIV_LEN + sizeof(sec1_mid) + P256_PUB_LEN)

/* The key pair's raw public point and private scalar. */
static int p256_raw(const EVP_PKEY *key, unsigned char pub[P256_PUB_LEN],
		    unsigned char priv[P256_PRIV_LEN])
{
	BIGNUM *d = NULL;
	size_t n = 0;
	int ok;

	if (!EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pub, P256_PUB_LEN, &n) ||
	    n != P256_PUB_LEN || pub[0] != 0x04)
		return -1;
	if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d))
		return -1;
	ok = BN_bn2binpad(d, priv, P256_PRIV_LEN) == P256_PRIV_LEN;
	BN_clear_free(d);
	return ok ? 0 : -1;
}

/* SubjectPublicKeyInfo { id-ecPublicKey, prime256v1 } with the point. */
static int set_p256_pubkey(X509 *x, const unsigned char pub[P256_PUB_LEN])
{
	unsigned char *penc = OPENSSL_memdup(pub, P256_PUB_LEN);

	if (!penc)
		return -1;
	if (!X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x), OBJ_nid2obj(NID_X9_62_id_ecPublicKey),
				    V_ASN1_OBJECT, OBJ_nid2obj(NID_X9_62_prime256v1), penc,
				    P256_PUB_LEN)) {
		OPENSSL_free(penc);
		return -1;
	}
	return 0;
}

/* "-----BEGIN PRIVATE KEY-----" (PKCS#8) of the pair, on bio. */
static int write_p256_pkcs8(BIO *bio, const unsigned char pub[P256_PUB_LEN],
			    const unsigned char priv[P256_PRIV_LEN])
{
	PKCS8_PRIV_KEY_INFO *p8 = PKCS8_PRIV_KEY_INFO_new();
	unsigned char *sec1 = OPENSSL_malloc(SEC1_LEN), *w = sec1;
	int ok = 0;

	if (p8 && sec1) {
		memcpy(w, sec1_head, sizeof(sec1_head));
		w += sizeof(sec1_head);
		memcpy(w, priv, P256_PRIV_LEN);
		w += P256_PRIV_LEN;
		memcpy(w, sec1_mid, sizeof(sec1_mid));
		w += sizeof(sec1_mid);
		memcpy(w, pub, P256_PUB_LEN);
		if (PKCS8_pkey_set0(p8, OBJ_nid2obj(NID_X9_62_id_ecPublicKey), 0, V_ASN1_OBJECT,
				    OBJ_nid2obj(NID_X9_62_prime256v1), sec1, (int)SEC1_LEN)) {
			sec1 = NULL; /* owned by p8 now; its free cleanses the key */
			ok = PEM_write_bio_PKCS8_PRIV_KEY_INFO(bio, p8);
		}
	}
	if (sec1)
		OPENSSL_clear_free(sec1, SEC1_LEN);
	PKCS8_PRIV_KEY_INFO_free(p8);
	return ok ? 0 : -1;
}

int tls_identity_generate(tls_identity *out)
{
	unsigned char pub[P256_PUB_LEN], priv[P256_PRIV_LEN];
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
	if (!key || !x || !serial || p256_raw(key, pub, priv) != 0)
		goto done;
	if (!X509_set_version(x, 2) || !BN_rand(serial, 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
	    !BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)))
		goto done;
	if (!X509_gmtime_adj(X509_getm_notBefore(x), -TLS_BACKDATE_SECONDS) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), TLS_VALID_SECONDS - TLS_BACKDATE_SECONDS))
		goto done;
	if (set_p256_pubkey(x, pub) != 0)
		goto done;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"HashiCorp",
					-1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					(const unsigned char *)"localhost", -1, -1, 0) ||
	    !X509_set_issuer_name(x, name))
		goto done;
	if (add_ext(x, NID_basic_constraints, "critical,CA:TRUE") != 0 ||
	    add_ext(x, NID_key_usage,
		    "critical,digitalSignature,keyEncipherment,keyAgreement,keyCertSign") != 0 ||
	    add_ext(x, NID_ext_key_usage, "clientAuth,serverAuth") != 0 ||
	    add_ext(x, NID_subject_key_identifier, "hash") != 0 ||
	    add_ext(x, NID_subject_alt_name, "DNS:localhost") != 0)
		goto done;
	if (!X509_sign(x, key, EVP_sha256()))
		goto done;

	cbio = BIO_new(BIO_s_mem());
	kbio = BIO_new(BIO_s_secmem()); /* cleansed when freed */
	if (!cbio || !kbio || !PEM_write_bio_X509(cbio, x) ||
	    write_p256_pkcs8(kbio, pub, priv) != 0)
		goto done;
	out->cert_pem = bio_to_string(cbio);
	out->key_pem = bio_to_string(kbio);
	der_len = i2d_X509(x, &der);
	if (der_len <= 0)
		goto done;
	out->cert_der_b64 = base64_encode(der, (size_t)der_len, BASE64_NO_PAD, NULL);
	if (!out->cert_pem || !out->key_pem || !out->cert_der_b64)
		goto done;
	rc = 0;
done:
	if (rc != 0)
		tls_identity_free(out);
	OPENSSL_cleanse(priv, sizeof(priv));
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
	 * d2i_X509: in OpenSSL 3.0 it decodes the public key through the
	 * decoder framework (some 3.5 million instructions), and gRPC parses
	 * the certificate fully anyway when it sets up TLS; a certificate that
	 * passes this and fails there stops the provider at listen time. */
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
	if (id->key_pem) /* the private key: wipe before freeing */
		OPENSSL_cleanse(id->key_pem, strlen(id->key_pem));
	free(id->cert_pem);
	free(id->key_pem);
	free(id->cert_der_b64);
	memset(id, 0, sizeof(*id));
}

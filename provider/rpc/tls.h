/*
 * tls.h - go-plugin AutoMTLS: the provider's throw-away server identity.
 *
 * When Terraform sets PLUGIN_CLIENT_CERT, the plugin serves TLS that requires
 * that exact (self-signed) client certificate, and presents a fresh
 * self-signed certificate of its own whose DER goes into field 6 of the
 * handshake line (go-plugin mtls.go; docs/protocol.md §2.4). The certificate
 * made here: ECDSA P-256 key, random 128-bit serial, CN=localhost,
 * O=HashiCorp, SAN DNS:localhost, CA:TRUE, key usage digitalSignature |
 * keyEncipherment | keyAgreement | keyCertSign, EKU serverAuth + clientAuth,
 * valid from now - 30 s for 262980 hours (~30 years), signed with SHA-256.
 * The key never leaves the process and is never written out: gRPC takes it
 * from an in-process OpenSSL engine.
 */
#ifndef SSMPATCH_RPC_TLS_H
#define SSMPATCH_RPC_TLS_H

/* Set up the process's OpenSSL before anything uses it: no system
 * configuration, no error strings; when serving_tls (AutoMTLS), libssl too,
 * with no TLS session tickets (tls.c says why). 0, or -1. */
int tls_openssl_init(int serving_tls);

/* The process's OpenSSL engine holding the key (tls.c says why). */
#define TLS_ENGINE_ID "ssmpatch-automtls"
#define TLS_ENGINE_KEY_ID "server"

typedef struct {
	char *cert_pem; /* "-----BEGIN CERTIFICATE-----..." */
	/* What gRPC takes as the private key: "engine:ssmpatch-automtls:server",
	 * gRPC's syntax for a key held by an OpenSSL engine. Static string. */
	const char *key_ref;
	char *cert_der_b64; /* DER, standard base64 alphabet, no padding, no newlines */
} tls_identity;

/* 0, or -1 (OpenSSL failure; nothing allocated). The key goes to the engine
 * TLS_ENGINE_ID (key id TLS_ENGINE_KEY_ID), replacing an earlier one; that
 * engine also gives EC certificates OpenSSL's classic EC key method. */
int tls_identity_generate(tls_identity *out);
void tls_identity_free(tls_identity *id);

/* Does pem (PLUGIN_CLIENT_CERT) start with a PEM CERTIFICATE block holding one
 * DER SEQUENCE? A structural check only: gRPC parses it fully at listen. */
int tls_pem_has_cert(const char *pem);

#endif

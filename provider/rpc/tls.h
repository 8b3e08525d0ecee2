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
 * The key never leaves the process.
 */
#ifndef SSMPATCH_RPC_TLS_H
#define SSMPATCH_RPC_TLS_H

typedef struct {
	char *cert_pem; /* "-----BEGIN CERTIFICATE-----..." */
	char *key_pem; /* PKCS#8 "-----BEGIN PRIVATE KEY-----..." */
	char *cert_der_b64; /* DER, standard base64 alphabet, no padding, no newlines */
} tls_identity;

/* 0, or -1 (OpenSSL failure; nothing allocated). */
int tls_identity_generate(tls_identity *out);
void tls_identity_free(tls_identity *id);

/* Does pem (PLUGIN_CLIENT_CERT) start with a PEM CERTIFICATE block holding one
 * DER SEQUENCE? A structural check only: gRPC parses it fully at listen. */
int tls_pem_has_cert(const char *pem);

#endif

"""mirror_server.py - a static HTTPS server for tests (the provider network
mirror, a release directory) with a throw-away CA.

    with HttpsStaticServer(directory, workdir) as srv:
        srv.url          # https://localhost:PORT/
        srv.ca_file      # PEM of the CA that signed the server certificate
        srv.requests     # ["GET /registry.terraform.io/ssmpatch/ssmpatch/index.json", ...]
        srv.cli_env()    # SSL_CERT_FILE (only this CA), no proxies: for Terraform/OpenTofu

The CA and the server certificate (SAN localhost and 127.0.0.1) are made
with python3-cryptography for each server and never leave `workdir`.
"""
import datetime
import functools
import http.server
import os
import ssl

from harness.http_double import LocalServer


def make_ca_and_server_cert(workdir):
    """(ca.pem, server.pem, server.key) paths in workdir."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ssmpatch throw-away test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = [os.path.join(str(workdir), n) for n in ("ca.pem", "server.pem", "server.key")]
    with open(paths[0], "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(paths[1], "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(paths[2], "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return paths


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):
        self.server.requests.append("%s %s %s" % (self.command, self.path, args[1] if len(args) > 1 else ""))


class HttpsStaticServer(LocalServer):
    def __init__(self, directory, workdir):
        self.directory = str(directory)
        self.workdir = str(workdir)
        self.ca_file, cert, key = make_ca_and_server_cert(workdir)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        super().__init__(functools.partial(_Handler, directory=self.directory), ctx)
        self.server.requests = []
        self.url = "https://localhost:%d/" % self.port

    @property
    def requests(self):
        """"GET /path 200" for every request served so far."""
        return list(self.server.requests)

    def paths(self, status="200"):
        return [r.split()[1] for r in self.requests if r.split()[-1] == status]

    def cli_env(self):
        """Environment for a Go CLI: trust only this CA, talk to it directly."""
        empty = os.path.join(self.workdir, "no-ca-dir")
        os.makedirs(empty, exist_ok=True)
        env = {"SSL_CERT_FILE": self.ca_file, "SSL_CERT_DIR": empty, "NO_PROXY": "localhost,127.0.0.1",
               "no_proxy": "localhost,127.0.0.1"}
        for var in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            env[var] = ""
        return env

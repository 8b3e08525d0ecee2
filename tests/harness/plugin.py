"""Start the provider binary exactly as Terraform (go-plugin's client) does.

``PluginProcess`` sets the go-plugin environment (magic cookie,
PLUGIN_PROTOCOL_VERSIONS, PLUGIN_MIN_PORT/MAX_PORT and, with AutoMTLS,
PLUGIN_CLIENT_CERT holding a freshly generated client certificate made like
go-plugin's generateCert), reads and checks the handshake line
``CORE|APP|NETWORK|ADDRESS|grpc|SERVERCERT`` within a timeout, connects over
the unix socket or TCP (with TLS pinned to the server certificate from field
6 as the only root and server name "localhost"), calls
``plugin.GRPCStdio/StreamStdio`` once and keeps reading it in the background.

``close()`` does what go-plugin does on teardown: Shutdown over
GRPCController, close the connection, wait 2 s for the process to exit; it
records whether the exit was graceful and whether the unix socket file was
removed (``check_clean_exit()`` asserts both). Unlike go-plugin it does not
ignore the Shutdown answer: an error raises ``ProtocolError``.

stdout after the handshake and every stderr line are captured
(``stdout_after_handshake``, ``stderr_lines``) so tests can assert on them.
Raw calls: ``call(method, request, timeout)`` with a full method path
("/tfplugin5.Provider/GetSchema") or a short name resolved on the
negotiated protocol's service.
"""

import base64
import datetime
import os
import queue
import subprocess
import threading

import grpc

from . import protos
from .errors import HarnessError, ProtocolError

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
GRACE_SECONDS = 2.0          # go-plugin waits this long after Shutdown
MAX_MESSAGE = 256 << 20      # terraform-plugin-go's limits

REPO_ROOT = protos.REPO_ROOT


def provider_binary():
    """Path of the provider: env SSMPATCH_PROVIDER or build/terraform-provider-ssmpatch."""
    p = os.environ.get("SSMPATCH_PROVIDER") or os.path.join(REPO_ROOT, "build", "terraform-provider-ssmpatch")
    return os.path.abspath(p)


def response_class_for(request, name="Response"):
    """X.Request -> X.Response, or X.<name> (the tfplugin naming convention)."""
    import sys
    parent = request.DESCRIPTOR.containing_type
    if parent is None:
        raise HarnessError("cannot derive the response class of %s" % request.DESCRIPTOR.full_name)
    mod = sys.modules[type(request).__module__]
    return getattr(getattr(mod, parent.name), name)


# --------------------------------------------------------------------------
# certificates (go-plugin mtls.go generateCert)


class Cert:
    """A PEM certificate and key; ``der`` the certificate's DER bytes."""

    def __init__(self, cert_pem, key_pem, der):
        self.cert_pem = cert_pem
        self.key_pem = key_pem
        self.der = der


def generate_cert():
    """ECDSA P-521, self-signed, IsCA, CN/SAN localhost, O HashiCorp, EKU
    client+server auth, 128-bit random serial, valid now-30s .. +262980h."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP521R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HashiCorp"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(int.from_bytes(os.urandom(16), "big") >> 1 or 1)
            .not_valid_before(now - datetime.timedelta(seconds=30))
            .not_valid_after(now + datetime.timedelta(hours=262980))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH,
                                                  ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=True, data_encipherment=False,
                                         key_agreement=True, key_cert_sign=True, crl_sign=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA512()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    return Cert(cert_pem, key_pem, cert.public_bytes(serialization.Encoding.DER))


def der_to_pem(der):
    b64 = base64.b64encode(der).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return ("-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n").encode()


def decode_raw_std_b64(s):
    """Go's base64.RawStdEncoding: standard alphabet, no padding (strict)."""
    if "=" in s or "-" in s or "_" in s:
        raise ProtocolError("server certificate is not unpadded standard base64: %r..." % s[:40])
    return base64.b64decode(s + "=" * (-len(s) % 4), validate=True)


# --------------------------------------------------------------------------
# handshake


class Handshake:
    """The parsed handshake line."""

    def __init__(self, line):
        self.line = line
        parts = [p.strip() for p in line.strip().split("|")]
        if len(parts) < 4:
            raise ProtocolError("handshake line has %d fields, needs >= 4: %r" % (len(parts), line))
        self.fields = parts
        try:
            self.core = int(parts[0])
            self.app = int(parts[1])
        except ValueError:
            raise ProtocolError("handshake core/app version not a number: %r" % line)
        self.network = parts[2]
        self.address = parts[3]
        self.protocol = parts[4] if len(parts) > 4 else "netrpc"
        self.server_cert_b64 = parts[5] if len(parts) > 5 else ""
        self.server_cert_der = None
        if len(self.server_cert_b64) > 50:
            self.server_cert_der = decode_raw_std_b64(self.server_cert_b64)

    def __repr__(self):
        return "Handshake(%r)" % self.line


class PluginProcess:
    """One running provider process, connected like Terraform does.

    Arguments: ``binary`` (default ``provider_binary()``), ``protocol``
    (a version int or the raw PLUGIN_PROTOCOL_VERSIONS string, e.g. "6,5";
    None omits the variable), ``mtls`` (AutoMTLS on/off), ``env`` (extra
    environment; a value of None removes a variable), ``cookie`` (False to
    omit the magic cookie), ``handshake_timeout`` seconds, ``connect``
    (False: only start and read the handshake), ``stdio`` (call StreamStdio).
    """

    # Set by the handshake, the connection and close(); these until then.
    handshake = channel = exit_code = shutdown_error = graceful_exit = socket_removed = None
    shutdown_sent = _closed = False
    grace = GRACE_SECONDS

    def __init__(self, binary=None, protocol="5,6", mtls=True, env=None, cookie=True,
                 handshake_timeout=10.0, connect=True, stdio=True, min_port=10000, max_port=25000,
                 client_cert=None):
        self.binary = binary or provider_binary()
        if not os.access(self.binary, os.X_OK):
            raise HarnessError("provider binary not found or not executable: %s" % self.binary)
        self.pb = protos.load()
        self.mtls = mtls
        self.client_cert = client_cert or (generate_cert() if mtls else None)
        self.stderr_lines, self.stdout_after_handshake, self.stdio_messages = [], [], []
        self._stdout_q = queue.Queue()

        e = dict(os.environ)
        if cookie is True:
            e[MAGIC_COOKIE_KEY] = MAGIC_COOKIE_VALUE
        elif cookie:
            e[MAGIC_COOKIE_KEY] = cookie
        else:
            e.pop(MAGIC_COOKIE_KEY, None)
        if protocol is None:
            e.pop("PLUGIN_PROTOCOL_VERSIONS", None)
        else:
            e["PLUGIN_PROTOCOL_VERSIONS"] = str(protocol)
        e["PLUGIN_MIN_PORT"] = str(min_port)
        e["PLUGIN_MAX_PORT"] = str(max_port)
        if self.client_cert is not None:
            e["PLUGIN_CLIENT_CERT"] = self.client_cert.cert_pem.decode()
        else:
            e.pop("PLUGIN_CLIENT_CERT", None)
        for k, v in (env or {}).items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = str(v)
        self.env = e
        self.requested_versions = [int(x) for x in str(protocol).split(",") if x.strip()] if protocol else []

        self.proc = subprocess.Popen([self.binary], env=e, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._t_out = threading.Thread(target=self._read_stdout, daemon=True)
        self._t_err = threading.Thread(target=self._read_stderr, daemon=True)
        self._t_out.start()
        self._t_err.start()
        if connect:
            try:
                self.read_handshake(handshake_timeout)
                self.connect(timeout=max(10.0, handshake_timeout))  # valgrind: slow on both
                if stdio:
                    self.start_stdio()
            except BaseException:
                self.kill()
                raise

    # -- pipes ----------------------------------------------------------------

    def _read_stdout(self):
        first = True
        for line in iter(self.proc.stdout.readline, b""):
            if first:
                self._stdout_q.put(line)
                first = False
            else:
                self.stdout_after_handshake.append(line)
        self._stdout_q.put(None)

    def _read_stderr(self):
        for line in iter(self.proc.stderr.readline, b""):
            self.stderr_lines.append(line.decode("utf-8", "replace").rstrip("\n"))

    def stderr_text(self):
        return "\n".join(self.stderr_lines)

    # -- handshake and connection ----------------------------------------------

    def read_handshake(self, timeout=10.0):
        try:
            line = self._stdout_q.get(timeout=timeout)
        except queue.Empty:
            raise ProtocolError("no handshake line within %.1f s; stderr:\n%s" % (timeout, self.stderr_text()))
        if line is None:
            self.proc.wait(timeout=5)
            raise ProtocolError("provider exited (code %s) before the handshake; stderr:\n%s"
                                % (self.proc.returncode, self.stderr_text()))
        text = line.decode("utf-8", "replace")
        if not text.endswith("\n"):
            raise ProtocolError("handshake line not newline-terminated: %r" % text)
        hs = Handshake(text)
        if hs.core != 1:
            raise ProtocolError("core protocol %d, go-plugin needs 1: %r" % (hs.core, text))
        if self.requested_versions and hs.app not in self.requested_versions:
            raise ProtocolError("negotiated app protocol %d not among requested %s"
                                % (hs.app, self.requested_versions))
        if hs.network not in ("unix", "tcp"):
            raise ProtocolError("unknown network %r" % hs.network)
        if hs.protocol != "grpc":
            raise ProtocolError("Terraform only accepts grpc, got %r" % hs.protocol)
        if self.mtls and hs.server_cert_der is None:
            raise ProtocolError("AutoMTLS requested but handshake has no server certificate: %r" % text)
        if not self.mtls and hs.server_cert_b64:
            raise ProtocolError("no PLUGIN_CLIENT_CERT but the handshake carries a certificate")
        self.handshake = hs
        self.version = hs.app
        return hs

    @property
    def target(self):
        hs = self.handshake
        return ("unix:" + hs.address) if hs.network == "unix" else hs.address

    def make_channel(self, client_cert=None, root_der=None):
        """A new gRPC channel to the plugin (optionally with another client
        certificate or another pinned root, for negative tests)."""
        opts = [("grpc.max_receive_message_length", MAX_MESSAGE),
                ("grpc.max_send_message_length", MAX_MESSAGE)]
        if self.mtls:
            cc = client_cert or self.client_cert
            root = der_to_pem(root_der or self.handshake.server_cert_der)
            creds = grpc.ssl_channel_credentials(root_certificates=root, private_key=cc.key_pem,
                                                 certificate_chain=cc.cert_pem)
            opts += [("grpc.ssl_target_name_override", "localhost"),
                     ("grpc.default_authority", "localhost")]
            return grpc.secure_channel(self.target, creds, options=opts)
        return grpc.insecure_channel(self.target, options=opts)

    def connect(self, timeout=10.0):
        self.channel = self.make_channel()
        try:
            grpc.channel_ready_future(self.channel).result(timeout=timeout)
        except grpc.FutureTimeoutError:
            raise ProtocolError("could not connect to %s within %.1f s; stderr:\n%s"
                                % (self.target, timeout, self.stderr_text()))

    def start_stdio(self):
        """Call GRPCStdio/StreamStdio once (as go-plugin does) and drain it."""
        from google.protobuf import empty_pb2
        side = self.pb.side
        call = self.channel.unary_stream(
            "/plugin.GRPCStdio/StreamStdio",
            request_serializer=empty_pb2.Empty.SerializeToString,
            response_deserializer=side.StdioData.FromString)
        self._stdio_call = call(empty_pb2.Empty())
        self.stdio_error = None

        def drain():
            try:
                for m in self._stdio_call:
                    self.stdio_messages.append((m.channel, m.data))
            except grpc.RpcError as e:
                self.stdio_error = e
        self._t_stdio = threading.Thread(target=drain, daemon=True)
        self._t_stdio.start()

    # -- calls -------------------------------------------------------------------

    def service(self):
        return "tfplugin%d.Provider" % self.version

    def call(self, method, request, response_class=None, timeout=30.0, channel=None, metadata=None):
        """Unary call. ``method``: "/pkg.Service/Name" or just "Name" on the
        negotiated Provider service. ``request``: a message or raw bytes
        (then ``response_class`` is required)."""
        if not method.startswith("/"):
            method = "/%s/%s" % (self.service(), method)
        if response_class is None:
            response_class = response_class_for(request)
        ser = (lambda b: b) if isinstance(request, (bytes, bytearray)) else (lambda m: m.SerializeToString())
        fn = (channel or self.channel).unary_unary(method, request_serializer=ser,
                                                   response_deserializer=response_class.FromString)
        return fn(request, timeout=timeout, metadata=metadata)

    def call_stream(self, method, request, response_class=None, timeout=30.0):
        """Server-streaming call (ListResource, InvokeAction): an iterator over
        the response messages, which is also the call (``cancel()``). The
        response class is X.Event for a request X.Request unless given."""
        if not method.startswith("/"):
            method = "/%s/%s" % (self.service(), method)
        if response_class is None:
            response_class = response_class_for(request, "Event")
        ser = (lambda b: b) if isinstance(request, (bytes, bytearray)) else (lambda m: m.SerializeToString())
        fn = self.channel.unary_stream(method, request_serializer=ser,
                                       response_deserializer=response_class.FromString)
        return fn(request, timeout=timeout)

    def call_future(self, method, request, response_class, timeout=30.0):
        if not method.startswith("/"):
            method = "/%s/%s" % (self.service(), method)
        ser = (lambda b: b) if isinstance(request, (bytes, bytearray)) else (lambda m: m.SerializeToString())
        fn = self.channel.unary_unary(method, request_serializer=ser,
                                      response_deserializer=response_class.FromString)
        return fn.future(request, timeout=timeout)

    def health(self, service="plugin", timeout=5.0):
        side = self.pb.side
        r = self.call("/grpc.health.v1.Health/Check", side.HealthCheckRequest(service=service),
                      side.HealthCheckResponse, timeout=timeout)
        return side.HealthCheckResponse.ServingStatus.Name(r.status)

    # -- teardown ------------------------------------------------------------------

    def shutdown(self, timeout=10.0):
        """GRPCController/Shutdown; returns the grpc.RpcError, or None when
        the provider answered. (go-plugin ignores the answer; Terraform must
        still get it, so ``close()`` treats an error as a failure.)"""
        side = self.pb.side
        self.shutdown_sent = True
        try:
            self.call("/plugin.GRPCController/Shutdown", side.ControllerEmpty(), side.ControllerEmpty,
                      timeout=timeout)
        except grpc.RpcError as e:
            self.shutdown_error = e
            return e
        return None

    def close(self, grace=None):
        """go-plugin's Kill(): Shutdown, close conn, wait 2 s (or `grace`
        seconds: a provider under valgrind needs far longer), else kill.
        A process that is already gone (a test killed it) or was already
        sent one gets no Shutdown.
        Raises ProtocolError, after the teardown, when the Shutdown RPC
        failed: Terraform never sees its answer then."""
        if self._closed:
            return
        self._closed = True
        if self.channel is not None:
            if self.proc.poll() is None and not self.shutdown_sent:
                self.shutdown(timeout=max(10.0, grace or 0))
            self.channel.close()
        self.grace = GRACE_SECONDS if grace is None else grace
        try:
            self.exit_code = self.proc.wait(timeout=self.grace)
            self.graceful_exit = True
        except subprocess.TimeoutExpired:
            self.graceful_exit = False
            self.proc.kill()
            self.exit_code = self.proc.wait()
        self._t_out.join(timeout=2)
        self._t_err.join(timeout=2)
        if self.handshake is not None and self.handshake.network == "unix":
            self.socket_removed = not os.path.exists(self.handshake.address)
        if self.shutdown_error is not None:
            e = self.shutdown_error
            raise ProtocolError("GRPCController/Shutdown failed: %s %r; stderr:\n%s"
                                % (e.code(), e.details(), self.stderr_text()[-2000:]))

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._closed = True
        if self.channel is not None:
            self.channel.close()

    def check_clean_exit(self):
        """Assert the last close() was graceful and left no socket file."""
        if self.shutdown_error is not None:
            raise ProtocolError("GRPCController/Shutdown failed: %s" % self.shutdown_error)
        if not self.graceful_exit:
            raise ProtocolError("plugin failed to exit gracefully within %.0f s of Shutdown"
                                % self.grace)
        if self.exit_code != 0:
            raise ProtocolError("plugin exited with code %s after Shutdown; stderr:\n%s"
                                % (self.exit_code, self.stderr_text()[-2000:]))
        if self.socket_removed is False:
            raise ProtocolError("unix socket %s left behind after exit" % self.handshake.address)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def close_all(plugins):
    """Tear down every PluginProcess not closed yet (go-plugin's Kill) and
    return the problems, one string each: a Shutdown RPC that failed, an
    exit that was not graceful or not 0, a socket left behind. The protocol
    tests' ``start`` fixture fails the test with them."""
    problems = []
    for proc in plugins:
        if proc._closed:
            continue
        try:
            proc.close()
            if proc.handshake is not None:
                proc.check_clean_exit()
        except AssertionError as e:
            problems.append(str(e))
    return problems

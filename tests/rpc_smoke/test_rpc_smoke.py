"""Black-box smoke tests of the provider's plugin server (go-plugin + tfplugin5/6).

Drives the built binary the way Terraform's plugin client does: environment,
handshake line on stdout, gRPC over the unix socket (optionally AutoMTLS),
Shutdown. Python stubs are generated from proto/*.proto into a temp dir at
test time (protoc --python_out), so the tests check our .proto files too.

Run:  /usr/bin/python3 -m pytest -q tests/rpc_smoke
Binary: $SSMPATCH_PROVIDER (as tests/run-all.sh sets it), else build/terraform-provider-ssmpatch.
"""
import base64
import datetime
import importlib
import json
import os
import signal
import ssl
import stat
import subprocess
import sys
import tempfile
import threading
import time

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = (os.environ.get("SSMPATCH_PROVIDER") or os.environ.get("SSMPATCH_PROVIDER_BIN")
       or os.path.join(ROOT, "build", "terraform-provider-ssmpatch"))
COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
RESOURCES = {"ssmpatch_patch_baseline", "ssmpatch_maintenance_window",
             "ssmpatch_window_target", "ssmpatch_window_task"}


@pytest.fixture(scope="session")
def pb():
    """Generated protobuf modules: pb['tfplugin5'], pb['health'], ..."""
    out = tempfile.mkdtemp(prefix="rpc_smoke_pb")
    protos = sorted(f for f in os.listdir(os.path.join(ROOT, "proto")) if f.endswith(".proto"))
    subprocess.run(["protoc", "-I" + os.path.join(ROOT, "proto"), "-I/usr/include",
                    "--python_out=" + out] + protos, cwd=os.path.join(ROOT, "proto"), check=True)
    sys.path.insert(0, out)
    return {p[:-6]: importlib.import_module(p[:-6] + "_pb2") for p in protos}


def make_cert(curve=ec.SECP521R1()):
    """A go-plugin style self-signed client certificate: (cert_pem, key_pem)."""
    key = ec.generate_private_key(curve)
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HashiCorp"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(seconds=30))
            .not_valid_after(now + datetime.timedelta(hours=262980))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=True, data_encipherment=False,
                                         key_agreement=True, key_cert_sign=True, crl_sign=False,
                                         encipher_only=False, decipher_only=False), True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH,
                                                  ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


class Plugin:
    """One provider process started as Terraform starts it."""

    def __init__(self, versions="5,6", tls=False, extra_env=None, args=(), cookie=True):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PLUGIN_", "TF_", "SSMPATCH_"))}
        self.sockdir = tempfile.mkdtemp(prefix="rpc_smoke_sock")
        env["PLUGIN_UNIX_SOCKET_DIR"] = self.sockdir
        if cookie:
            env["TF_PLUGIN_MAGIC_COOKIE"] = COOKIE
        if versions is not None:
            env["PLUGIN_PROTOCOL_VERSIONS"] = versions
        self.client_cert = self.client_key = None
        if tls:
            self.client_cert, self.client_key = make_cert()
            env["PLUGIN_CLIENT_CERT"] = self.client_cert.decode()
        env.update(extra_env or {})
        self.proc = subprocess.Popen([BIN] + list(args), env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.channel = None

    def handshake(self):
        line = self.proc.stdout.readline().decode()
        assert line.endswith("\n"), "no handshake line: %r (stderr %r)" % (line, self.stderr())
        self.fields = line.strip().split("|")
        assert len(self.fields) == 6, line
        self.core, self.app, self.network, self.address, self.protocol, self.cert = self.fields
        return self.fields

    def server_cert_pem(self):
        der = base64.b64decode(self.cert + "=" * (-len(self.cert) % 4))
        return ssl.DER_cert_to_PEM_cert(der).encode()

    def connect(self, client_cert=None, client_key=None):
        target = ("unix:" + self.address) if self.network == "unix" else self.address
        opts = [("grpc.max_receive_message_length", 256 << 20)]
        if self.cert:
            creds = grpc.ssl_channel_credentials(
                root_certificates=self.server_cert_pem(),
                private_key=client_key or self.client_key,
                certificate_chain=client_cert or self.client_cert)
            opts.append(("grpc.ssl_target_name_override", "localhost"))
            self.channel = grpc.secure_channel(target, creds, options=opts)
        else:
            self.channel = grpc.insecure_channel(target, options=opts)
        return self.channel

    def call(self, path, request_bytes=b"", timeout=10):
        return self.channel.unary_unary(path)(request_bytes, timeout=timeout)

    def stderr(self):
        return self.proc.stderr.read().decode() if self.proc.poll() is not None else ""

    def close(self):
        if self.channel:
            self.channel.close()
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


@pytest.fixture
def plugins():
    started = []

    def start(**kw):
        p = Plugin(**kw)
        started.append(p)
        return p
    yield start
    for p in started:
        p.close()


def shutdown(p, pb):
    """GRPCController/Shutdown, then the process must exit 0 promptly and remove its socket."""
    t0 = time.monotonic()
    resp = p.call("/plugin.GRPCController/Shutdown", pb["grpc_controller"].Empty().SerializeToString())
    assert pb["grpc_controller"].Empty.FromString(resp) == pb["grpc_controller"].Empty()
    assert p.proc.wait(timeout=2) == 0
    assert time.monotonic() - t0 < 2.0
    if p.network == "unix":
        assert not os.path.exists(p.address)


def get_schema(p, pb, version):
    mod = pb["tfplugin%d" % version]
    path = "/tfplugin5.Provider/GetSchema" if version == 5 else "/tfplugin6.Provider/GetProviderSchema"
    raw = p.call(path, mod.GetProviderSchema.Request().SerializeToString())
    return mod, mod.GetProviderSchema.Response.FromString(raw)


# ---------------------------------------------------------------- handshake

def test_no_cookie_prints_message_and_exits_1():
    env = {k: v for k, v in os.environ.items() if k != "TF_PLUGIN_MAGIC_COOKIE"}
    r = subprocess.run([BIN], env=env, capture_output=True, timeout=10)
    assert r.returncode == 1
    assert r.stdout == b""
    assert b"This binary is a plugin" in r.stderr
    env["TF_PLUGIN_MAGIC_COOKIE"] = "wrong"
    r = subprocess.run([BIN], env=env, capture_output=True, timeout=10)
    assert r.returncode == 1 and r.stdout == b"" and b"This binary is a plugin" in r.stderr


@pytest.mark.parametrize("tls", [False, True], ids=["insecure", "automtls"])
@pytest.mark.parametrize("versions,want", [("5", 5), ("6", 6), ("5,6", 6), ("6,5", 6),
                                           (None, 5), ("4,7", 5)])
def test_handshake_and_schema(plugins, pb, versions, want, tls):
    p = plugins(versions=versions, tls=tls)
    p.handshake()
    assert (p.core, p.app, p.network, p.protocol) == ("1", str(want), "unix", "grpc")
    st = os.stat(p.address)
    assert stat.S_ISSOCK(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o600
    assert os.path.basename(p.address).startswith("plugin")
    assert os.path.dirname(p.address) == p.sockdir
    if tls:
        assert len(p.cert) > 50 and "=" not in p.cert and "\n" not in p.cert
        cert = x509.load_pem_x509_certificate(p.server_cert_pem())
        assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "localhost"
        assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "HashiCorp"
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert san.get_values_for_type(x509.DNSName) == ["localhost"]
        assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert ExtendedKeyUsageOID.SERVER_AUTH in eku and ExtendedKeyUsageOID.CLIENT_AUTH in eku
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        assert ku.digital_signature and ku.key_cert_sign and ku.key_encipherment and ku.key_agreement
        now = datetime.datetime.utcnow()
        assert cert.not_valid_before <= now - datetime.timedelta(seconds=20)
        assert cert.not_valid_after >= now + datetime.timedelta(days=365 * 29)
    else:
        assert p.cert == ""
    p.connect()
    mod, resp = get_schema(p, pb, want)
    assert set(resp.resource_schemas) == RESOURCES
    assert not [d for d in resp.diagnostics if d.severity == mod.Diagnostic.ERROR]
    shutdown(p, pb)


def test_stdout_stays_silent_after_handshake(plugins, pb):
    p = plugins(versions="5")
    p.handshake()
    p.connect()
    get_schema(p, pb, 5)
    shutdown(p, pb)
    assert p.proc.stdout.read() == b""


def test_mtls_refuses_other_client_certificate(plugins, pb):
    p = plugins(versions="5,6", tls=True)
    p.handshake()
    other_cert, other_key = make_cert()
    p.connect(client_cert=other_cert, client_key=other_key)
    with pytest.raises(grpc.RpcError) as e:
        get_schema(p, pb, 6)
    assert e.value.code() == grpc.StatusCode.UNAVAILABLE
    p.channel.close()
    # No client certificate at all: refused too.
    target = "unix:" + p.address
    creds = grpc.ssl_channel_credentials(root_certificates=p.server_cert_pem())
    ch = grpc.secure_channel(target, creds, options=[("grpc.ssl_target_name_override", "localhost")])
    with pytest.raises(grpc.RpcError) as e:
        ch.unary_unary("/grpc.health.v1.Health/Check")(b"", timeout=5)
    assert e.value.code() == grpc.StatusCode.UNAVAILABLE
    ch.close()
    # The right certificate still works, and the process is alive.
    p.connect()
    get_schema(p, pb, 6)
    shutdown(p, pb)


def test_tcp_listener_on_request(plugins, pb):
    p = plugins(versions="6", extra_env={"SSMPATCH_PLUGIN_NETWORK": "tcp",
                                         "PLUGIN_MIN_PORT": "20000", "PLUGIN_MAX_PORT": "20100"})
    p.handshake()
    assert p.network == "tcp"
    host, port = p.address.rsplit(":", 1)
    assert host == "127.0.0.1" and 20000 <= int(port) <= 20100
    p.connect()
    get_schema(p, pb, 6)
    shutdown(p, pb)


def test_debug_mode_prints_reattach_json(plugins, pb):
    p = plugins(versions=None, cookie=False, args=["-debug"],
                extra_env={"SSMPATCH_PROVIDER_ADDR": "example.com/me/ssmpatch"})
    reattach = None
    deadline = time.monotonic() + 10
    while reattach is None and time.monotonic() < deadline:
        line = p.proc.stdout.readline().decode()
        assert line, "debug output ended early"
        if line.startswith("TF_REATTACH_PROVIDERS="):
            reattach = json.loads(line.strip()[len("TF_REATTACH_PROVIDERS="):].strip("'"))
    cfg = reattach["example.com/me/ssmpatch"]
    assert cfg["Protocol"] == "grpc" and cfg["ProtocolVersion"] == 5 and cfg["Test"] is True
    assert cfg["Pid"] == p.proc.pid
    assert cfg["Addr"]["Network"] == "unix" and os.path.exists(cfg["Addr"]["String"])
    p.network, p.address, p.cert = "unix", cfg["Addr"]["String"], ""
    p.connect()
    get_schema(p, pb, 5)
    p.proc.send_signal(signal.SIGTERM)
    assert p.proc.wait(timeout=5) == 0
    assert not os.path.exists(cfg["Addr"]["String"])


def test_version_flag():
    r = subprocess.run([BIN, "-version"], capture_output=True, timeout=10)
    assert r.returncode == 0 and r.stdout.startswith(b"terraform-provider-ssmpatch ")


# ---------------------------------------------------------------- services

def test_schema_contents_v5_v6(plugins, pb):
    p = plugins(versions="6")
    p.handshake()
    p.connect()
    for version in (5, 6):  # both services are registered whatever was negotiated
        mod, resp = get_schema(p, pb, version)
        assert resp.HasField("provider") and resp.HasField("server_capabilities")
        assert not resp.server_capabilities.plan_destroy
        assert not resp.server_capabilities.get_provider_schema_optional
        assert sorted(resp.data_source_schemas) == [
            "ssmpatch_maintenance_windows", "ssmpatch_patch_baseline",
            "ssmpatch_patch_group_compliance", "ssmpatch_window_executions"]
        for name, schema in list(resp.resource_schemas.items()) + list(resp.data_source_schemas.items()):
            assert schema.block.attributes, name
            for a in schema.block.attributes:
                json.loads(a.type)  # cty type JSON
                assert a.required or a.optional or a.computed, (name, a.name)
                assert not (a.required and (a.optional or a.computed)), (name, a.name)
                assert a.description_kind == mod.MARKDOWN
            for b in schema.block.block_types:
                assert b.nesting in (mod.Schema.NestedBlock.SINGLE, mod.Schema.NestedBlock.LIST,
                                     mod.Schema.NestedBlock.SET)
                assert b.block.attributes or b.block.block_types
        ids = [a for a in resp.resource_schemas["ssmpatch_maintenance_window"].block.attributes
               if a.name == "id"]
        assert ids and ids[0].computed
    meta = pb["tfplugin6"].GetMetadata.Response.FromString(
        p.call("/tfplugin6.Provider/GetMetadata", b""))
    assert {r.type_name for r in meta.resources} == RESOURCES
    shutdown(p, pb)


def test_health_check(plugins, pb):
    h = pb["health"]
    p = plugins(versions="5")
    p.handshake()
    p.connect()
    for svc in ("", "plugin"):
        resp = h.HealthCheckResponse.FromString(
            p.call("/grpc.health.v1.Health/Check", h.HealthCheckRequest(service=svc).SerializeToString()))
        assert resp.status == h.HealthCheckResponse.SERVING
    with pytest.raises(grpc.RpcError) as e:
        p.call("/grpc.health.v1.Health/Check", h.HealthCheckRequest(service="nope").SerializeToString())
    assert e.value.code() == grpc.StatusCode.NOT_FOUND
    shutdown(p, pb)


@pytest.mark.parametrize("path", ["/tfplugin5.Provider/GetFunctions", "/tfplugin5.Provider/MoveResourceState",
                                  "/tfplugin6.Provider/OpenEphemeralResource",
                                  "/tfplugin6.Provider/GetResourceIdentitySchemas",
                                  "/no.Such/Service", "/grpc.health.v1.Health/Watch"])
def test_unimplemented(plugins, pb, path):
    p = plugins(versions="5,6")
    p.handshake()
    p.connect()
    t0 = time.monotonic()
    with pytest.raises(grpc.RpcError) as e:
        p.call(path, b"")
    assert e.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert time.monotonic() - t0 < 2
    # Streaming call to the broker: UNIMPLEMENTED as well.
    stream = p.channel.stream_stream("/plugin.GRPCBroker/StartStream")(iter([]), timeout=5)
    with pytest.raises(grpc.RpcError) as e:
        list(stream)
    assert e.value.code() == grpc.StatusCode.UNIMPLEMENTED
    shutdown(p, pb)


def test_malformed_protobuf_is_invalid_argument(plugins, pb):
    t5 = pb["tfplugin5"]
    p = plugins(versions="5")
    p.handshake()
    p.connect()
    good = t5.PlanResourceChange.Request(
        type_name="ssmpatch_maintenance_window",
        config=t5.DynamicValue(msgpack=b"\x80")).SerializeToString()
    for path in ("/tfplugin5.Provider/PlanResourceChange", "/tfplugin6.Provider/PlanResourceChange",
                 "/tfplugin5.Provider/Configure", "/grpc.health.v1.Health/Check"):
        for bad in (good[:-1], good[:5], b"\xff\xff\xff", b"\x0a\xff\xff\xff\xff\x0f"):
            with pytest.raises(grpc.RpcError) as e:
                p.call(path, bad)
            assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT, (path, bad)
    assert p.proc.poll() is None
    get_schema(p, pb, 5)
    shutdown(p, pb)


def test_bad_value_is_a_diagnostic_not_a_crash(plugins, pb):
    t6 = pb["tfplugin6"]
    p = plugins(versions="6")
    p.handshake()
    p.connect()
    req = t6.ValidateResourceConfig.Request(type_name="ssmpatch_maintenance_window",
                                            config=t6.DynamicValue(msgpack=b"\xc1\x00"))
    resp = t6.ValidateResourceConfig.Response.FromString(
        p.call("/tfplugin6.Provider/ValidateResourceConfig", req.SerializeToString()))
    assert [d.severity for d in resp.diagnostics] == [t6.Diagnostic.ERROR]
    req = t6.ValidateResourceConfig.Request(type_name="nope", config=t6.DynamicValue(msgpack=b"\xc0"))
    resp = t6.ValidateResourceConfig.Response.FromString(
        p.call("/tfplugin6.Provider/ValidateResourceConfig", req.SerializeToString()))
    assert resp.diagnostics and resp.diagnostics[0].severity == t6.Diagnostic.ERROR
    resp = t6.ReadDataSource.Response.FromString(p.call(
        "/tfplugin6.Provider/ReadDataSource",
        t6.ReadDataSource.Request(type_name="ssmpatch_x").SerializeToString()))
    assert resp.diagnostics[0].severity == t6.Diagnostic.ERROR
    assert "data source" in resp.diagnostics[0].summary.lower()
    assert p.proc.poll() is None
    shutdown(p, pb)


def test_upgrade_flatmap_is_refused(plugins, pb):
    t5 = pb["tfplugin5"]
    p = plugins(versions="5")
    p.handshake()
    p.connect()
    req = t5.UpgradeResourceState.Request(type_name="ssmpatch_maintenance_window", version=0,
                                          raw_state=t5.RawState(flatmap={"id": "mw-1"}))
    resp = t5.UpgradeResourceState.Response.FromString(
        p.call("/tfplugin5.Provider/UpgradeResourceState", req.SerializeToString()))
    assert resp.diagnostics and resp.diagnostics[0].severity == t5.Diagnostic.ERROR
    shutdown(p, pb)


def test_stop_answers_empty_error(plugins, pb):
    p = plugins(versions="5,6")
    p.handshake()
    p.connect()
    r5 = pb["tfplugin5"].Stop.Response.FromString(p.call("/tfplugin5.Provider/Stop", b""))
    r6 = pb["tfplugin6"].StopProvider.Response.FromString(p.call("/tfplugin6.Provider/StopProvider", b""))
    assert r5.Error == "" and r6.Error == ""
    shutdown(p, pb)


def test_sigint_ignored_and_shutdown_with_open_stdio_stream(plugins, pb):
    p = plugins(versions="5,6")
    p.handshake()
    p.connect()
    # Terraform opens StreamStdio first and keeps it open for the plugin's lifetime.
    stream = p.channel.unary_stream("/plugin.GRPCStdio/StreamStdio")(b"", timeout=30)
    got = []

    def drain():
        try:
            got.extend(list(stream))
            got.append("ended")
        except grpc.RpcError as e:
            got.append(e.code())
    t = threading.Thread(target=drain, daemon=True)
    t.start()
    p.proc.send_signal(signal.SIGINT)
    time.sleep(0.3)
    assert p.proc.poll() is None, "SIGINT must be ignored"
    # Parallel calls while the stream is open.
    results = []

    def one():
        results.append(get_schema(p, pb, 6)[1].resource_schemas.keys() == RESOURCES)
    threads = [threading.Thread(target=one) for _ in range(12)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(10)
    assert results == [True] * 12
    shutdown(p, pb)
    t.join(5)
    assert got and got[-1] in ("ended", grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED)


def test_sigterm_exits_cleanly(plugins):
    p = plugins(versions="5")
    p.handshake()
    p.proc.send_signal(signal.SIGTERM)
    assert p.proc.wait(timeout=5) == 0
    assert not os.path.exists(p.address)

"""go-plugin start-up and teardown, as Terraform's plugin client performs them
(docs/protocol.md §2): environment, handshake line, AutoMTLS, side services,
Shutdown."""

import datetime
import os
import re
import subprocess
import tempfile
import time

import grpc
import pytest

from harness import plugin as plugin_mod
from harness.errors import ProtocolError
from harness.plugin import MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, PluginProcess, generate_cert
from harness.provider import Provider

B64_RAW_STD = re.compile(r"^[A-Za-z0-9+/]+$")


@pytest.mark.parametrize("versions,expected", [("5", 5), ("6", 6), ("5,6", 6), ("6,5", 6)])
@pytest.mark.parametrize("mtls", [True, False], ids=["mtls", "plain"])
def test_handshake_matrix(start, versions, expected, mtls):
    p = start(protocol=versions, mtls=mtls)
    hs = p.plugin.handshake
    line = hs.line
    assert line.endswith("\n") and line.count("\n") == 1
    fields = line.rstrip("\n").split("|")
    assert fields[0] == "1"
    assert fields[1] == str(expected), "negotiated %s for PLUGIN_PROTOCOL_VERSIONS=%s" % (fields[1], versions)
    assert fields[2] == "unix"
    assert os.path.isabs(fields[3])
    assert fields[4] == "grpc"
    if mtls:
        assert len(fields) == 6
        cert = fields[5]
        assert len(cert) > 50
        assert B64_RAW_STD.match(cert), "field 6 must be base64 std alphabet without padding"
        check_server_cert(hs.server_cert_der)
    else:
        assert len(fields) in (5, 6)
        assert len(fields) == 5 or fields[5] == "", "certificate field without PLUGIN_CLIENT_CERT"
    # it really is serving that protocol
    assert p.version == expected
    assert p.schema.resources, "GetSchema returned no resource types"
    p.close()
    p.plugin.check_clean_exit()


def check_server_cert(der):
    """What the Go client checks on the pinned server certificate."""
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID
    cert = x509.load_der_x509_certificate(der)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.SERVER_AUTH in eku
    now = datetime.datetime.utcnow()
    assert cert.not_valid_before <= now <= cert.not_valid_after


def test_no_versions_env_falls_back_to_lowest(start):
    p = start(protocol=None, mtls=False)
    assert p.version == 5


def test_unsupported_version_falls_back_to_lowest(start):
    proc = start(kind=PluginProcess, protocol="7", mtls=False, connect=False)
    proc.requested_versions = []
    hs = proc.read_handshake(10)
    assert hs.app == 5
    proc.connect()


@pytest.mark.parametrize("cookie", [False, "wrong-cookie"], ids=["missing", "wrong"])
def test_cookie_checked(provider_binary, cookie):
    env = dict(os.environ)
    env.pop(MAGIC_COOKIE_KEY, None)
    if cookie:
        env[MAGIC_COOKIE_KEY] = cookie
    env["PLUGIN_PROTOCOL_VERSIONS"] = "5,6"
    t0 = time.monotonic()
    res = subprocess.run([provider_binary], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
    elapsed = time.monotonic() - t0
    assert res.returncode == 1
    assert elapsed < 1.0, "took %.2f s to refuse" % elapsed
    assert res.stdout == b"", "nothing (no handshake) on stdout"
    err = res.stderr.decode()
    assert len(err.strip()) > 20 and "plugin" in err.lower(), "stderr must explain: %r" % err


@pytest.mark.parametrize("cert,reason", [
    ("not a certificate", "no PEM block"),
    ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "not DER"),
    # a DER SEQUENCE that is no X.509 certificate: only gRPC's full parse at
    # listen time can refuse it
    ("-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n", "not X.509"),
], ids=["garbage", "not-der", "not-x509"])
@pytest.mark.parametrize("network", ["unix", "tcp"])
def test_bad_client_certificate_refused_with_reason(provider_binary, tmp_path, cert, reason, network):
    """A PLUGIN_CLIENT_CERT that is not a certificate stops the provider
    before any handshake, promptly, with a message naming the variable - in
    TCP mode too, where a refused TLS set-up must not be retried on each of
    the 15001 ports of the range (it took 23 s before the port probe)."""
    env = dict(os.environ)
    env[MAGIC_COOKIE_KEY] = MAGIC_COOKIE_VALUE
    env["PLUGIN_PROTOCOL_VERSIONS"] = "5,6"
    env["PLUGIN_CLIENT_CERT"] = cert
    env["PLUGIN_UNIX_SOCKET_DIR"] = str(tmp_path)
    if network == "tcp":
        env.update(SSMPATCH_PLUGIN_NETWORK="tcp", PLUGIN_MIN_PORT="10000", PLUGIN_MAX_PORT="25000")
    t0 = time.monotonic()
    res = subprocess.run([provider_binary], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    elapsed = time.monotonic() - t0
    assert res.returncode == 1, reason
    assert elapsed < 5.0, "took %.1f s to refuse" % elapsed
    assert res.stdout == b"", "no handshake line for a bad certificate (%s)" % reason
    assert "PLUGIN_CLIENT_CERT" in res.stderr.decode(), res.stderr.decode()
    assert os.listdir(tmp_path) == [], "socket left behind"


def test_other_client_certificate_refused(start):
    p = start(protocol=6, mtls=True)
    intruder = generate_cert()
    ch = p.plugin.make_channel(client_cert=intruder)
    try:
        with pytest.raises(grpc.RpcError) as ei:
            p.plugin.call("GetProviderSchema", p.pb.GetProviderSchema.Request(), channel=ch, timeout=5)
        assert ei.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        ch.close()
    # and a client that does not speak TLS at all
    ch = grpc.insecure_channel(p.plugin.target)
    try:
        with pytest.raises(grpc.RpcError):
            p.plugin.call("GetProviderSchema", p.pb.GetProviderSchema.Request(), channel=ch, timeout=5)
    finally:
        ch.close()
    # the legitimate client still works
    assert p.get_schema().resources


def test_server_cert_is_pinned(start):
    """A client pinning another root must not accept the server."""
    p = start(protocol=5, mtls=True)
    other = generate_cert()
    ch = p.plugin.make_channel(root_der=other.der)
    try:
        with pytest.raises(grpc.RpcError) as ei:
            p.plugin.call("GetSchema", p.pb.GetProviderSchema.Request(), channel=ch, timeout=5)
        assert ei.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        ch.close()


def test_shutdown_exits_promptly_and_removes_socket(start):
    """go-plugin's Kill(): Shutdown is answered (close() raises otherwise),
    the process exits 0 within go-plugin's 2 s and removes its socket."""
    p = start(protocol=6, mtls=True)
    sock = p.plugin.handshake.address
    assert os.path.exists(sock)
    p.close()
    assert p.plugin.shutdown_error is None
    assert p.plugin.graceful_exit, "did not exit within %.0f s of Shutdown" % plugin_mod.GRACE_SECONDS
    assert p.plugin.exit_code == 0, "exit %s; stderr:\n%s" % (p.plugin.exit_code,
                                                           p.plugin.stderr_text()[-4000:])
    assert not os.path.exists(sock), "socket file left behind"


def test_socket_in_plugin_unix_socket_dir(start):
    d = tempfile.mkdtemp(prefix="ssmpatch-sockdir-")
    p = start(protocol=5, mtls=False, env={"PLUGIN_UNIX_SOCKET_DIR": d})
    assert os.path.dirname(p.plugin.handshake.address) == d
    p.close()
    p.plugin.check_clean_exit()
    assert os.listdir(d) == []


def test_health_serving_for_plugin(start):
    p = start(protocol=6, mtls=True)
    assert p.plugin.health("plugin") == "SERVING"


def test_stdio_stream_accepted(start):
    """StreamStdio is called once at start; it must not fail (UNIMPLEMENTED
    is tolerated by go-plugin with a warning, so only check it is not an
    error other than that) and must end cleanly at Shutdown."""
    p = start(protocol=6, mtls=True)
    p.get_schema()
    time.sleep(0.2)
    err = p.plugin.stdio_error
    assert err is None or err.code() == grpc.StatusCode.UNIMPLEMENTED, err
    p.close()
    p.plugin.check_clean_exit()


def test_sigint_ignored(start):
    """Ctrl-C reaches the whole process group; go-plugin servers ignore it
    (Terraform turns it into Stop)."""
    import signal
    p = start(protocol=6, mtls=False)
    p.plugin.proc.send_signal(signal.SIGINT)
    time.sleep(0.3)
    assert p.plugin.proc.poll() is None, "provider died on SIGINT"
    assert p.get_schema().resources


def test_handshake_is_fast(start):
    p = start(protocol=6, mtls=True)
    assert p.plugin.handshake_elapsed < 2.0, "handshake took %.2f s" % p.plugin.handshake_elapsed


def test_harness_rejects_bad_handshake_lines():
    from harness.plugin import Handshake
    with pytest.raises(ProtocolError):
        Handshake("1|6|unix\n")
    with pytest.raises(ProtocolError):
        Handshake("1|6|unix|/tmp/x|grpc|" + "A" * 60 + "==\n")
    hs = Handshake("1|5|unix|/tmp/plugin1|grpc|\n")
    assert (hs.core, hs.app, hs.network, hs.address, hs.protocol) == (1, 5, "unix", "/tmp/plugin1", "grpc")
    assert MAGIC_COOKIE_VALUE.startswith("d602bf8f")


def test_tcp_listener_in_port_range(start):
    """SSMPATCH_PLUGIN_NETWORK=tcp: 127.0.0.1 with a port from
    PLUGIN_MIN_PORT..PLUGIN_MAX_PORT (go-plugin's TCP mode), with AutoMTLS."""
    import random
    lo = random.randrange(20000, 30000)
    p = start(protocol=6, mtls=True, min_port=lo, max_port=lo + 50, env={"SSMPATCH_PLUGIN_NETWORK": "tcp"})
    hs = p.plugin.handshake
    assert hs.network == "tcp"
    host, port = hs.address.rsplit(":", 1)
    assert host == "127.0.0.1" and lo <= int(port) <= lo + 50
    assert p.get_schema().resources
    p.close()
    p.plugin.check_clean_exit()


def test_debug_reattach_mode(provider_binary):
    """-debug: no cookie, no TLS; prints TF_REATTACH_PROVIDERS JSON keyed by
    the provider address (docs/protocol.md §2.8); serves until SIGTERM."""
    import json
    import queue
    import signal
    import threading
    env = {k: v for k, v in os.environ.items()
           if k not in (MAGIC_COOKIE_KEY, "PLUGIN_CLIENT_CERT", "PLUGIN_PROTOCOL_VERSIONS")}
    proc = subprocess.Popen([provider_binary, "-debug"], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(ln) for ln in proc.stdout], daemon=True).start()
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    try:
        value = None
        deadline = time.monotonic() + 10
        while value is None and time.monotonic() < deadline:
            ln = lines.get(timeout=10)
            m = re.match(r"^TF_REATTACH_PROVIDERS='(.*)'\s*$", ln)
            if m:
                value = json.loads(m.group(1))
        assert value, "no TF_REATTACH_PROVIDERS line"
        [(addr, info)] = value.items()
        assert re.match(r"^[a-z0-9.\-]+/[a-z0-9\-]+/ssmpatch$", addr), addr
        assert info["Protocol"] == "grpc" and info["ProtocolVersion"] in (5, 6)
        assert info["Pid"] == proc.pid
        assert info["Addr"]["Network"] in ("unix", "tcp")
        sock = info["Addr"]["String"]
        target = ("unix:" + sock) if info["Addr"]["Network"] == "unix" else sock
        from harness import protos
        pb = protos.load().for_version(info["ProtocolVersion"])
        ch = grpc.insecure_channel(target)
        method = "/tfplugin%d.Provider/%s" % (info["ProtocolVersion"],
                                              "GetSchema" if info["ProtocolVersion"] == 5 else "GetProviderSchema")
        resp = ch.unary_unary(method, request_serializer=lambda m: m.SerializeToString(),
                              response_deserializer=pb.GetProviderSchema.Response.FromString)(
            pb.GetProviderSchema.Request(), timeout=10)
        ch.close()
        assert resp.resource_schemas
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=plugin_mod.GRACE_SECONDS) == 0
        if info["Addr"]["Network"] == "unix":
            assert not os.path.exists(sock), "socket left behind after SIGTERM"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

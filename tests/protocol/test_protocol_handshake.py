"""go-plugin start-up and teardown, as Terraform's plugin client performs them
(docs/protocol.md §2): environment, handshake line, AutoMTLS, side services,
Shutdown."""

import datetime
import os
import re
import signal
import stat
import subprocess
import tempfile

import grpc
import pytest

from harness import plugin as plugin_mod
from harness.errors import ProtocolError
from harness.plugin import MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, PluginProcess, generate_cert

B64_RAW_STD = re.compile(r"^[A-Za-z0-9+/]+$")


@pytest.mark.parametrize("versions,expected", [("5", 5), ("6", 6), ("5,6", 6), ("6,5", 6)])
@pytest.mark.parametrize("mtls", [True, False], ids=["mtls", "plain"])
def test_handshake_matrix(start, versions, expected, mtls):
    launched = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    p = start(protocol=versions, mtls=mtls)
    hs = p.plugin.handshake
    line = hs.line
    assert line.endswith("\n") and line.count("\n") == 1
    fields = line.rstrip("\n").split("|")
    assert fields[0] == "1"
    assert fields[1] == str(expected), "negotiated %s for PLUGIN_PROTOCOL_VERSIONS=%s" % (fields[1], versions)
    assert fields[2] == "unix"
    assert os.path.isabs(fields[3])
    check_socket_file(fields[3])
    assert fields[4] == "grpc"
    if mtls:
        assert len(fields) == 6
        cert = fields[5]
        assert len(cert) > 50
        assert B64_RAW_STD.match(cert), "field 6 must be base64 std alphabet without padding"
        check_server_cert(hs.server_cert_der, launched)
    else:
        assert len(fields) in (5, 6)
        assert len(fields) == 5 or fields[5] == "", "certificate field without PLUGIN_CLIENT_CERT"
    # it really is serving that protocol
    assert p.version == expected
    assert p.schema.resources, "GetSchema returned no resource types"
    p.close()
    p.plugin.check_clean_exit()


def check_socket_file(path):
    """go-plugin's listener: a socket named plugin*, readable by its owner only."""
    st = os.stat(path)
    assert stat.S_ISSOCK(st.st_mode), "%s is not a socket" % path
    assert stat.S_IMODE(st.st_mode) == 0o600, "socket mode %o" % stat.S_IMODE(st.st_mode)
    assert os.path.basename(path).startswith("plugin"), path


def check_server_cert(der, launched):
    """What the Go client checks on the pinned server certificate, and how
    go-plugin's generateCert makes it: ECDSA, CN and SAN localhost,
    O HashiCorp, a CA with key usages for TLS both ways, valid from 30 s
    before it was made (after `launched`, a clock reading taken before the
    process started) for 262980 hours."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    cert = x509.load_der_x509_certificate(der)
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "localhost"
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "HashiCorp"
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.SERVER_AUTH in eku and ExtendedKeyUsageOID.CLIENT_AUTH in eku
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature and ku.key_cert_sign and ku.key_encipherment and ku.key_agreement
    made = cert.not_valid_before.replace(tzinfo=datetime.timezone.utc) + datetime.timedelta(seconds=30)
    now = datetime.datetime.now(datetime.timezone.utc)
    assert launched <= made <= now, "not valid from 30 s before it was made: %s" % cert.not_valid_before
    lifetime = cert.not_valid_after - cert.not_valid_before
    assert datetime.timedelta(hours=262980) <= lifetime <= datetime.timedelta(hours=262980, seconds=1), lifetime


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
    res = subprocess.run([provider_binary], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    assert res.returncode == 1
    assert res.stdout == b"", "nothing (no handshake) on stdout"
    err = res.stderr.decode()
    assert "This binary is a plugin" in err, "stderr must explain, as go-plugin does: %r" % err


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
    before any handshake, with a message naming the variable - in TCP mode
    too, where a refused TLS set-up must not be retried on each of the 15001
    ports of the range (it took 23 s before the port probe): gRPC is asked
    at most twice (counted in the provider's debug log)."""
    env = dict(os.environ)
    env[MAGIC_COOKIE_KEY] = MAGIC_COOKIE_VALUE
    env["PLUGIN_PROTOCOL_VERSIONS"] = "5,6"
    env["PLUGIN_CLIENT_CERT"] = cert
    env["PLUGIN_UNIX_SOCKET_DIR"] = str(tmp_path)
    env["TF_LOG"] = "DEBUG"
    if network == "tcp":
        env.update(SSMPATCH_PLUGIN_NETWORK="tcp", PLUGIN_MIN_PORT="10000", PLUGIN_MAX_PORT="25000")
    res = subprocess.run([provider_binary], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    assert res.returncode == 1, reason
    assert res.stdout == b"", "no handshake line for a bad certificate (%s)" % reason
    err = res.stderr.decode()
    assert "PLUGIN_CLIENT_CERT" in err, err
    assert os.listdir(tmp_path) == [], "socket left behind"
    refused = [ln for ln in err.splitlines() if "gRPC refused to listen on" in ln]
    assert len(refused) <= 2, "%d ports tried with a certificate gRPC refuses:\n%s" % (len(refused), err[-2000:])


def _refused(p, ch):
    """A call over channel `ch` fails to connect (UNAVAILABLE)."""
    try:
        with pytest.raises(grpc.RpcError) as ei:
            p.plugin.call(p.names["schema"], p.pb.GetProviderSchema.Request(), channel=ch, timeout=5)
        assert ei.value.code() == grpc.StatusCode.UNAVAILABLE, ei.value
    finally:
        ch.close()


def test_other_client_certificate_refused(start):
    p = start(protocol=6, mtls=True)
    # a client with another certificate than PLUGIN_CLIENT_CERT
    _refused(p, p.plugin.make_channel(client_cert=generate_cert()))
    # a TLS client with no certificate at all
    root = plugin_mod.der_to_pem(p.plugin.handshake.server_cert_der)
    _refused(p, grpc.secure_channel(p.plugin.target, grpc.ssl_channel_credentials(root_certificates=root),
                                    options=[("grpc.ssl_target_name_override", "localhost")]))
    # a client that does not speak TLS at all
    _refused(p, grpc.insecure_channel(p.plugin.target))
    # the legitimate client still works
    assert p.get_schema().resources


def test_server_cert_is_pinned(start):
    """A client pinning another root must not accept the server."""
    p = start(protocol=5, mtls=True)
    _refused(p, p.plugin.make_channel(root_der=generate_cert().der))


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
    """go-plugin's Ping checks service "plugin"; "" is the server as a
    whole; any other name is NOT_FOUND (grpc.health.v1)."""
    p = start(protocol=6, mtls=True)
    assert p.plugin.health("plugin") == "SERVING"
    assert p.plugin.health("") == "SERVING"
    with pytest.raises(grpc.RpcError) as ei:
        p.plugin.health("nope")
    assert ei.value.code() == grpc.StatusCode.NOT_FOUND


def test_stdio_stream_accepted(start):
    """StreamStdio is called once at start (go-plugin): the provider accepts
    it - its initial metadata arrives and the stream stays open while the
    provider runs, nothing ever sent on it - and it ends at Shutdown."""
    p = start(protocol=6, mtls=True)
    call = p.plugin._stdio_call
    call.initial_metadata()  # waits for the provider's answer to the call
    assert not call.done(), "StreamStdio ended: %s" % p.plugin.stdio_error
    assert p.get_schema().resources
    assert not call.done() and p.plugin.stdio_messages == []
    p.close()
    p.plugin.check_clean_exit()
    p.plugin._t_stdio.join(timeout=30)
    assert call.done()


def _ignored_signals(pid):
    with open("/proc/%d/status" % pid) as f:
        return int([ln for ln in f if ln.startswith("SigIgn:")][0].split()[1], 16)


def test_sigint_ignored(start):
    """Ctrl-C reaches the whole process group; go-plugin servers ignore it
    (Terraform turns it into Stop). The disposition is SIG_IGN (so the kernel
    drops the signal when it is sent), and the provider serves on after one."""
    p = start(protocol=6, mtls=False)
    assert _ignored_signals(p.plugin.proc.pid) & (1 << (signal.SIGINT - 1)), "SIGINT is not ignored"
    p.plugin.proc.send_signal(signal.SIGINT)
    assert p.get_schema().resources
    assert p.plugin.proc.poll() is None, "provider died on SIGINT"


def test_sigterm_exits_cleanly(start):
    """SIGTERM (what go-plugin's process kill is not, but a service manager
    or a user sends): a graceful stop, exit 0, socket removed."""
    p = start(kind=PluginProcess, protocol=5, mtls=False)
    sock = p.handshake.address
    p.proc.send_signal(signal.SIGTERM)
    assert p.proc.wait(timeout=30) == 0
    assert not os.path.exists(sock), "socket left behind after SIGTERM"


def test_version_and_help_flags(provider_binary):
    r = subprocess.run([provider_binary, "-version"], capture_output=True, timeout=30)
    assert r.returncode == 0 and re.match(rb"^terraform-provider-ssmpatch \S+\n$", r.stdout), r.stdout
    r = subprocess.run([provider_binary, "-help"], capture_output=True, timeout=30)
    assert r.returncode == 0 and b"-debug" in r.stdout
    r = subprocess.run([provider_binary, "-bogus"], capture_output=True, timeout=30)
    assert r.returncode == 2 and b"usage" in r.stderr and r.stdout == b""


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
    the provider address (SSMPATCH_PROVIDER_ADDR here; docs/protocol.md
    §2.8); serves until SIGTERM."""
    import json
    import queue
    import threading
    env = {k: v for k, v in os.environ.items()
           if k not in (MAGIC_COOKIE_KEY, "PLUGIN_CLIENT_CERT", "PLUGIN_PROTOCOL_VERSIONS")}
    env["SSMPATCH_PROVIDER_ADDR"] = "example.com/me/ssmpatch"
    proc = subprocess.Popen([provider_binary, "-debug"], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(ln) for ln in proc.stdout], daemon=True).start()
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    try:
        value = None
        while value is None:
            ln = lines.get(timeout=30)  # raises queue.Empty if the line never comes
            assert ln is not None
            m = re.match(r"^TF_REATTACH_PROVIDERS='(.*)'\s*$", ln)
            if m:
                value = json.loads(m.group(1))
        assert value, "no TF_REATTACH_PROVIDERS line"
        [(addr, info)] = value.items()
        assert addr == "example.com/me/ssmpatch", addr  # SSMPATCH_PROVIDER_ADDR
        assert info["Protocol"] == "grpc" and info["Test"] is True
        assert info["ProtocolVersion"] == 5  # no PLUGIN_PROTOCOL_VERSIONS: the lowest
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
        assert proc.wait(timeout=30) == 0
        if info["Addr"]["Network"] == "unix":
            assert not os.path.exists(sock), "socket left behind after SIGTERM"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

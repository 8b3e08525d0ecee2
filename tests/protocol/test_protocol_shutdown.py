"""GRPCController/Shutdown, the way Terraform ends every provider process:
the answer always reaches the client, and the process exits 0 and removes its
socket (docs/protocol.md §2).

The answer used to be lost now and then (UNAVAILABLE "Broken pipe", 3 of 15
reruns of the old rpc_smoke tests): the server sent its GOAWAY before the
Shutdown reply and cut the connection as soon as the reply was queued, while
the client was still answering the GOAWAY ping. provider/rpc/server.c now
sends every reply before the GOAWAY and waits for the client to close.
"""

import concurrent.futures
import os
import socket
import ssl
import struct

import pytest

from harness.plugin import PluginProcess, der_to_pem

# 300 in the release pass; the ASan+UBSan pass (tests/run-all.sh sets
# SSMPATCH_SANITIZER_BUILD) looks for memory errors on the same path, and 40
# do that at a tenth of its cost there (a sanitized process starts and exits
# about ten times slower).
CYCLES = 40 if os.environ.get("SSMPATCH_SANITIZER_BUILD") == "1" else 300
PARALLEL = 8
# How long each process may take to exit after Shutdown: a deadline for a
# hang, not go-plugin's 2 s. Eight processes at once on a loaded 2-core
# machine, under ASan (LeakSanitizer scans at exit), take longer than that;
# the 2 s rule is checked one process at a time in test_protocol_handshake.
EXIT_S = 60


def _cycle(binary, i):
    """One provider process, driven like Terraform: handshake, StreamStdio,
    maybe a call, then go-plugin's Kill (Shutdown, close, wait). Returns
    None, or what went wrong."""
    mtls = i % 2 == 0
    tcp = (i // 2) % 2 == 1
    env = {"SSMPATCH_PLUGIN_NETWORK": "tcp"} if tcp else None
    lo = 20000 + (i % 200) * 40  # a port range of its own: parallel probes do not race
    p = None
    try:
        p = PluginProcess(binary=binary, protocol="5,6", mtls=mtls, env=env, min_port=lo, max_port=lo + 39)
        if (i // 4) % 2:
            p.health()
        p.close(grace=EXIT_S)
        p.check_clean_exit()
        return None
    except AssertionError as e:
        return "cycle %d (%s, %s): %s" % (i, "mTLS" if mtls else "plain", "tcp" if tcp else "unix", e)
    finally:
        if p is not None and not p._closed:
            p.kill()


def test_shutdown_answered_on_fresh_processes(provider_binary):
    """300 fresh processes (40 under ASan; mTLS and plain, unix and TCP, with
    and without a call before), 8 at a time: every Shutdown is answered, every process
    exits 0 by itself and leaves no socket."""
    with concurrent.futures.ThreadPoolExecutor(PARALLEL) as ex:
        results = list(ex.map(lambda i: _cycle(provider_binary, i), range(CYCLES)))
    failed = [r for r in results if r is not None]
    assert not failed, "%d of %d Shutdown cycles failed:\n%s" % (len(failed), CYCLES, "\n".join(failed[:10]))


def _raw_connection(p, tmp_path):
    """A bare HTTP/2 connection to the provider (over TLS with the client
    certificate under AutoMTLS), preface and SETTINGS sent: a client whose
    every frame the test controls."""
    hs = p.handshake
    if hs.network == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(hs.address)
    else:
        host, port = hs.address.rsplit(":", 1)
        sock = socket.create_connection((host, int(port)))
    if p.mtls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(cadata=der_to_pem(hs.server_cert_der).decode())
        (tmp_path / "c.pem").write_bytes(p.client_cert.cert_pem)
        (tmp_path / "k.pem").write_bytes(p.client_cert.key_pem)
        ctx.load_cert_chain(str(tmp_path / "c.pem"), str(tmp_path / "k.pem"))
        ctx.set_alpn_protocols(["h2"])
        sock = ctx.wrap_socket(sock, server_hostname="localhost")
    sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + _frame(H2_SETTINGS, 0, 0))
    return sock


H2_DATA, H2_HEADERS, H2_SETTINGS, H2_PING, H2_GOAWAY = 0, 1, 4, 6, 7
END_STREAM, END_HEADERS, ACK = 0x1, 0x4, 0x1
CUT = (BrokenPipeError, ConnectionResetError, ssl.SSLError)  # the server closed the connection


def _frame(ftype, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", stream) + payload


def _hpack_literal(name, value):
    """Literal header field without indexing, new name, no Huffman (RFC 7541 6.2.2)."""
    name, value = name.encode(), value.encode()
    assert len(name) < 127 and len(value) < 127
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


def _read_frames(sock, until, ack_pings=True):
    """Read frames, answering SETTINGS and (unless ack_pings is false) PING as
    any client does, until until(frames) is true or the server closes.
    Returns (frames, closed); frames are (type, flags, stream, payload)."""
    buf, frames = b"", []
    while not until(frames):
        try:
            data = sock.recv(65536)
        except CUT:
            data = b""
        if not data:
            return frames, True
        buf += data
        while len(buf) >= 9:
            n = struct.unpack(">I", b"\x00" + buf[:3])[0]
            if len(buf) < 9 + n:
                break
            f = (buf[3], buf[4], struct.unpack(">I", buf[5:9])[0] & 0x7FFFFFFF, buf[9:9 + n])
            buf = buf[9 + n:]
            frames.append(f)
            try:
                if f[0] == H2_SETTINGS and not f[1] & ACK:
                    sock.sendall(_frame(H2_SETTINGS, ACK, 0))
                elif f[0] == H2_PING and not f[1] & ACK and ack_pings:
                    sock.sendall(_frame(H2_PING, ACK, 0, f[3]))
            except CUT:
                return frames, True
    return frames, False


@pytest.mark.parametrize("mtls", [True, False], ids=["mtls", "plain"])
def test_shutdown_reply_precedes_goaway_and_connection_outlives_it(start, tmp_path, mtls):
    """On the wire, frame by frame: the Shutdown answer (through its
    END_STREAM trailers) comes before the server's GOAWAY, and the server
    does not cut the connection under the client that just got the answer:
    a PING the client sends after the GOAWAY is still answered. (The old server cut
    it at once, and a gRPC client still writing - its PING ACK for the
    GOAWAY - failed with EPIPE before it had read the answer.)

    gRPC's graceful GOAWAY comes with a PING; once the client ACKs it, gRPC
    sends its final GOAWAY and closes a connection without streams, which is
    right. So this client holds that ACK back until its own PING has been
    answered (otherwise the check races gRPC's close), then ACKs and sees the
    connection end."""
    # A grace far longer than the test: the connection must outlive the
    # GOAWAY however slowly this machine runs (the default is 1 s).
    p = start(kind=PluginProcess, protocol=6, mtls=mtls, stdio=False,
              env={"SSMPATCH_SHUTDOWN_GRACE_MS": "600000"})
    sock = _raw_connection(p, tmp_path)
    try:
        headers = b"".join(_hpack_literal(k, v) for k, v in (
            (":method", "POST"), (":scheme", "https" if mtls else "http"),
            (":path", "/plugin.GRPCController/Shutdown"), (":authority", "localhost"),
            ("content-type", "application/grpc"), ("te", "trailers")))
        sock.sendall(_frame(H2_HEADERS, END_HEADERS, 1, headers) +
                     _frame(H2_DATA, END_STREAM, 1, b"\x00\x00\x00\x00\x00"))  # an empty message

        def answered(fs):
            return any(f[0] == H2_HEADERS and f[1] & END_STREAM and f[2] == 1 for f in fs)
        frames, closed = _read_frames(sock, answered, ack_pings=False)
        seen = list(frames)
        assert answered(frames), "no complete answer to Shutdown (closed=%s): %s" % (closed, frames)
        kinds = [(f[0], f[2]) for f in frames if f[0] in (H2_HEADERS, H2_DATA, H2_GOAWAY)]
        # the GOAWAY may come in the same read as the trailers: it must follow them
        end = next(i for i, f in enumerate(frames) if f[0] == H2_HEADERS and f[1] & END_STREAM and f[2] == 1)
        assert not any(f[0] == H2_GOAWAY for f in frames[:end]), \
            "GOAWAY before the end of the Shutdown answer: %s" % kinds
        assert [k for k in kinds if k[1] == 1][:2] == [(H2_HEADERS, 1), (H2_DATA, 1)], kinds

        # the server's stop begins with its GOAWAY; the connection must outlive it
        if not any(f[0] == H2_GOAWAY for f in frames):
            frames, closed = _read_frames(sock, lambda fs: any(f[0] == H2_GOAWAY for f in fs),
                                          ack_pings=False)
            seen += frames
            assert not closed, "the server cut the connection right after answering Shutdown"
        try:
            sock.sendall(_frame(H2_PING, 0, 0, b"stillup!"))
            frames, closed = _read_frames(sock, lambda fs: any(f[0] == H2_PING and f[1] & ACK for f in fs),
                                          ack_pings=False)
            seen += frames
        except CUT:
            frames, closed = [], True
        assert not closed, "the server cut the connection right after answering Shutdown"
        assert [f[3] for f in frames if f[0] == H2_PING and f[1] & ACK] == [b"stillup!"]

        # now the client answers the GOAWAY's PING, as gRPC clients do: the
        # server may then finish its GOAWAY and close the idle connection
        for f in seen:
            if f[0] == H2_PING and not f[1] & ACK:
                sock.sendall(_frame(H2_PING, ACK, 0, f[3]))
        frames, closed = _read_frames(sock, lambda fs: False)
        assert closed, frames
    finally:
        sock.close()
    assert p.proc.wait(timeout=10) == 0
    p.close()
    p.check_clean_exit()


def _idle_connection(p, tmp_path):
    """A second client connection that says hello in HTTP/2, waits for the
    server's SETTINGS (so the server has taken it as a connection, not a
    handshake still in progress), and then neither sends nor closes: a
    client that never lets go."""
    sock = _raw_connection(p, tmp_path)
    frames, closed = _read_frames(sock, lambda fs: any(f[0] == H2_SETTINGS and not f[1] & ACK for f in fs))
    assert not closed, "the server closed a new connection: %s" % frames
    return sock


@pytest.mark.parametrize("mtls", [True, False], ids=["mtls", "plain"])
def test_shutdown_with_a_client_that_never_closes(start, tmp_path, mtls):
    """Another client stays connected and idle: the Shutdown caller still
    gets the answer, and the provider disconnects the idle client itself
    after a grace period and exits 0 (go-plugin kills it after 2 s)."""
    p = start(kind=PluginProcess, protocol=6, mtls=mtls, env={"TF_LOG": "DEBUG"})
    idle = _idle_connection(p, tmp_path)
    try:
        assert p.health() == "SERVING"
        assert p.shutdown() is None, "Shutdown RPC failed"
        p.channel.close()
        assert p.proc.wait(timeout=10) == 0
    finally:
        idle.close()
    p.close()
    p.check_clean_exit()
    assert any("clients still connected" in ln for ln in p.stderr_lines), \
        "the idle client was not the one disconnected by the provider:\n" + p.stderr_text()[-3000:]

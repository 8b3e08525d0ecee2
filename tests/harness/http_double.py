"""http_double.py - the local HTTP servers tests stand up as doubles of a remote
endpoint (AWS endpoints, credential sources, a provider mirror): one
ThreadingHTTPServer on 127.0.0.1, an ephemeral port, served from a daemon
thread for the time of a ``with`` block.

- ``LocalServer(handler, tls=None)``: ``tls`` an ``ssl.SSLContext`` to serve
  https; ``.server``, ``.port``; ``with`` starts it, leaving stops it, closes
  the socket and joins the thread.
- ``Handler``: a BaseHTTPRequestHandler for HTTP/1.1 keep-alive that logs
  nothing, with ``reply(status, body, ctype, headers)`` (str or bytes, with
  Content-Length) and ``request_body()``.
"""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LocalServer:
    def __init__(self, handler, tls=None):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body, ctype="application/json", headers=None):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def request_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

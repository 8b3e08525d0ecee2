"""cred_doubles.py - the credential sources the credential tests stand up
themselves, each a small local HTTP server (or a script) that hands out
temporary keys minted by the SSM emulator (``POST /_emulator/keys``,
tests/emulator/sts_web_identity.py), so the emulator knows every key that may
sign a call, refuses each once it expires, and records which one signed what.

- ``SSOPortal``: IAM Identity Center's portal (GetRoleCredentials: GET
  /federation/credentials with the x-amz-sso_bearer_token header) and its
  OIDC service (CreateToken: POST /token, grant type refresh_token), on one
  port: point AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL_SSO_OIDC at ``url``.
- ``ContainerEndpoint``: the ECS / EKS Pod Identity credentials endpoint
  (GET, Authorization header checked).
- ``IMDS``: EC2 instance metadata, IMDSv2 (token PUT, then the role).
- ``PROCESS``: a credential_process script (cred_process.py) and
  ``process_command(...)`` to build its command line.
- ``write_sso_cache``: the AWS CLI v2's token cache file, named as it names it.
"""

import datetime
import hashlib
import json
import pathlib
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = pathlib.Path(__file__).resolve().parent
PROCESS = HERE / "cred_process.py"


def iso(t):
    return datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def mint(emu_url, lifetime=3600, label="double", account=None):
    """A temporary key the emulator accepts for `lifetime` seconds."""
    body = json.dumps({"lifetime": lifetime, "label": label, "account": account}).encode()
    req = urllib.request.Request(emu_url + "/_emulator/keys", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def web_identity(emu, tokens, lifetime=None):
    """Make the emulator's STS accept these web identity tokens."""
    return emu._test("POST", "web_identity", {"tokens": list(tokens), "lifetime": lifetime})


class _Double:
    """A ThreadingHTTPServer on 127.0.0.1 with a call record."""

    def __init__(self):
        self.calls = []
        self.lock = threading.Lock()
        owner = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def send(self, status, obj, headers=None):
                body = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def body(self):
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else b""

            def do_GET(self):
                owner.handle(self, "GET", b"")

            def do_PUT(self):
                owner.handle(self, "PUT", self.body())

            def do_POST(self):
                owner.handle(self, "POST", self.body())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def record(self, kind, **detail):
        with self.lock:
            self.calls.append(dict(kind=kind, **detail))

    def kinds(self, kind):
        with self.lock:
            return [c for c in self.calls if c["kind"] == kind]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class SSOPortal(_Double):
    """GetRoleCredentials and CreateToken. ``tokens``: access tokens the portal
    accepts; ``clients``: {client_id: secret}; ``refresh_tokens``: accepted
    refresh tokens; every credential issued lives ``lifetime`` seconds."""

    def __init__(self, emu, lifetime=3600, account="111122223333"):
        super().__init__()
        self.emu_url = emu.url
        self.lifetime = lifetime
        self.account = account
        self.tokens = set()
        self.clients = {}
        self.refresh_tokens = set()
        self.issued = []  # access key IDs handed out
        self.new_token_n = 0

    def handle(self, h, method, body):
        url = urllib.parse.urlsplit(h.path)
        if method == "GET" and url.path == "/federation/credentials":
            q = dict(urllib.parse.parse_qsl(url.query))
            tok = h.headers.get("x-amz-sso_bearer_token")
            self.record("GetRoleCredentials", account=q.get("account_id"),
                        role=q.get("role_name"), token_ok=tok in self.tokens)
            if tok not in self.tokens:
                return h.send(401, {"message": "Session token not found or invalid"},
                              {"x-amzn-ErrorType": "UnauthorizedException"})
            k = mint(self.emu_url, self.lifetime, "sso-" + q.get("role_name", "role"),
                     q.get("account_id"))
            self.issued.append(k["AccessKeyId"])
            exp_ms = int((time.time() + self.lifetime) * 1000)
            return h.send(200, {"roleCredentials": {
                "accessKeyId": k["AccessKeyId"], "secretAccessKey": k["SecretAccessKey"],
                "sessionToken": k["SessionToken"], "expiration": exp_ms}})
        if method == "POST" and url.path == "/token":
            req = json.loads(body or b"{}")
            ok = (req.get("grantType") == "refresh_token"
                  and self.clients.get(req.get("clientId")) == req.get("clientSecret")
                  and req.get("refreshToken") in self.refresh_tokens)
            self.record("CreateToken", ok=ok, grant=req.get("grantType"))
            if not ok:
                return h.send(400, {"error": "invalid_grant", "error_description": "bad grant"},
                              {"x-amzn-ErrorType": "InvalidGrantException"})
            self.new_token_n += 1
            new = "sso-access-refreshed-%d" % self.new_token_n
            new_refresh = "sso-refresh-%d" % self.new_token_n
            self.tokens.add(new)
            self.refresh_tokens.add(new_refresh)
            return h.send(200, {"accessToken": new, "expiresIn": 3600, "tokenType": "Bearer",
                                "refreshToken": new_refresh})
        h.send(404, {"message": "no route %s %s" % (method, url.path)})


class ContainerEndpoint(_Double):
    """GET -> {AccessKeyId, SecretAccessKey, Token, Expiration}; ``token`` (if
    set) must be the Authorization header."""

    def __init__(self, emu, lifetime=3600, token=None, account=None):
        super().__init__()
        self.emu_url = emu.url
        self.lifetime = lifetime
        self.token = token
        self.account = account
        self.issued = []

    def handle(self, h, method, body):
        auth = h.headers.get("Authorization")
        self.record("get", path=h.path, auth_ok=self.token is None or auth == self.token)
        if self.token is not None and auth != self.token:
            return h.send(401, {"code": "AccessDenied", "message": "Unauthorized"})
        k = mint(self.emu_url, self.lifetime, "container", self.account)
        self.issued.append(k["AccessKeyId"])
        h.send(200, {"AccessKeyId": k["AccessKeyId"], "SecretAccessKey": k["SecretAccessKey"],
                     "Token": k["SessionToken"], "Expiration": iso(time.time() + self.lifetime)})


class IMDS(_Double):
    """IMDSv2: PUT /latest/api/token, GET .../security-credentials/[role]."""

    TOKEN = "imds-session-token"
    ROLE = "ec2-patching-role"

    def __init__(self, emu, lifetime=3600, account=None):
        super().__init__()
        self.emu_url = emu.url
        self.lifetime = lifetime
        self.account = account
        self.issued = []

    def handle(self, h, method, body):
        base = "/latest/meta-data/iam/security-credentials/"
        if method == "PUT" and h.path == "/latest/api/token":
            self.record("token")
            body = self.TOKEN.encode()
            h.send_response(200)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            return h.wfile.write(body)
        if h.headers.get("X-aws-ec2-metadata-token") != self.TOKEN:
            return h.send(401, {})
        if h.path == base:
            body = self.ROLE.encode()
            h.send_response(200)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            return h.wfile.write(body)
        if h.path == base + self.ROLE:
            k = mint(self.emu_url, self.lifetime, "imds", self.account)
            self.issued.append(k["AccessKeyId"])
            self.record("credentials")
            return h.send(200, {"Code": "Success", "Type": "AWS-HMAC",
                                "AccessKeyId": k["AccessKeyId"],
                                "SecretAccessKey": k["SecretAccessKey"],
                                "Token": k["SessionToken"],
                                "Expiration": iso(time.time() + self.lifetime)})
        h.send(404, {})


def process_command(emu_url, mode="ok", lifetime=3600, log=None, expiration=True, account=None):
    """A credential_process command line running cred_process.py."""
    parts = ["/usr/bin/python3", str(PROCESS), "--mode", mode, "--emulator", emu_url,
             "--lifetime", str(lifetime)]
    if account:
        parts += ["--account", account]
    if log:
        parts += ["--log", str(log)]
    if not expiration:
        parts += ["--no-expiration"]
    return " ".join(parts)


def sso_cache_key(name):
    """The AWS CLI v2's cache file name for a session name or start URL."""
    return hashlib.sha1(name.encode("utf-8")).hexdigest() + ".json"


def write_sso_cache(home, key, access_token, expires_at, **extra):
    """~/.aws/sso/cache/<sha1(key)>.json as `aws sso login` writes it."""
    d = pathlib.Path(home) / ".aws" / "sso" / "cache"
    d.mkdir(parents=True, exist_ok=True)
    data = {"accessToken": access_token, "expiresAt": iso(expires_at), **extra}
    path = d / sso_cache_key(key)
    path.write_text(json.dumps(data))
    return path


if __name__ == "__main__":
    sys.exit("a module for tests/aws")

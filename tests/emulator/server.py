#!/usr/bin/python3
"""server.py - a strict, stateful local AWS SSM + STS emulator for the provider tests.

One HTTP/1.1 keep-alive server (stdlib ThreadingHTTPServer, one daemon thread per
connection) speaks, on one port:
- SSM, AWS JSON 1.1: ``POST /`` with ``X-Amz-Target: AmazonSSM.<Op>`` and
  ``Content-Type: application/x-amz-json-1.1``. Every request is validated against
  botocore's SSM model (model.py) and then runs against the in-memory backend
  (ssm_backend.py).
- STS, query protocol: ``POST /`` with a form body ``Action=GetCallerIdentity`` or
  ``Action=AssumeRole`` and ``Version=2011-06-15``; XML answers shaped like AWS's.
  Temporary credentials from AssumeRole belong to the role's account, so requests
  signed with them read and write that account's state (STG/PRD two-account tests).
- Test-only endpoints, unsigned, under ``/_emulator/``: ``GET inventory``,
  ``POST reset``, ``GET calls``, ``GET|POST config``, ``POST shutdown``, ``GET health``.

Fault injection (CLI flags at start, ``POST /_emulator/config`` live): per-request
latency, throttling (400 ThrottlingException "Rate exceeded"), server errors (500
InternalServerError, 503 ServiceUnavailable, or an HTML 502 page; half of them happen
after the mutation was committed, as in real life), one-shot injected errors for a
named operation, all drawn from one seeded RNG for determinism. ``--check-sigv4``
verifies every request's SigV4 signature with botocore's signer against the known
keys (the static test key pair, extra ``--key`` pairs, and temporary credentials the
emulator issued).

Run: ``/usr/bin/python3 tests/emulator/server.py --port 0 --port-file F``. It prints
one line ``listening on 127.0.0.1:PORT`` to stdout once it accepts connections.
"""

import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import random
import re
import secrets
import socket
import sys
import threading
import time
import traceback
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape as xml_escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import control  # noqa: E402
import sts_web_identity  # noqa: E402
from fleet import LIVE_STATES  # noqa: E402
from model import Model, validation_message  # noqa: E402
from ssm_backend import Backend, SSMError  # noqa: E402

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
DEFAULT_SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
MAX_BODY = 16 * 1024 * 1024    # refuse request bodies larger than this
MAX_LOG = 20000                # call log entries kept for /_emulator/calls?log=1
SIG_SKEW = 15 * 60             # SigV4 X-Amz-Date tolerance, as AWS (15 minutes)

# With patch_state_spelling "live", the self-check accepts the live service's spelling.
LIVE_ENUMS = {"PatchComplianceDataState": tuple(LIVE_STATES.values())}

# STS actions the emulator answers: Action -> whether the caller must be signed (and is
# then authenticated like an SSM request). Each is Handler._sts_<Action>(form, ctx);
# ctx holds account, rid, entry (the call-log record), caller_arn and caller_uid. To add
# one (e.g. the unsigned AssumeRoleWithWebIdentity): write the method, list it here.
STS_ACTIONS = {"GetCallerIdentity": True, "AssumeRole": True, "AssumeRoleWithWebIdentity": False}


class Faults:
    """Fault-injection settings and the seeded RNG they draw from."""

    FIELDS = ("latency_ms", "throttle_rate", "error_rate", "namespaced_errors",
              "fault_ops", "delete_missing", "check_sigv4", "self_check", "inject",
              "assume_role_deny", "limits", "patch_state_spelling", "command_progress",
              "command_step_ms")
    CHOICES = {"patch_state_spelling": ("model", "live"),
               "command_progress": ("poll", "instant", "time"),
               "delete_missing": ("success", "error")}

    def __init__(self, seed):
        self.latency_ms = 0
        self.throttle_rate = 0.0
        self.error_rate = 0.0
        self.namespaced_errors = False
        self.fault_ops = None          # None = faults apply to every operation
        self.delete_missing = "success"
        self.check_sigv4 = False
        self.self_check = False
        self.inject = []               # one-shot errors: {"op", "status", "code", ...}
        self.assume_role_deny = []     # role ARNs AssumeRole refuses (AccessDenied)
        self.limits = {}               # quotas -> ResourceLimitExceededException (ssm_backend)
        self.patch_state_spelling = "model"   # patch states as the model or the live service
        self.command_progress = "poll"        # how Run Command commands move on (runs.py)
        self.command_step_ms = 100            # one command step per this many ms ("time")
        self.seed = seed
        self.rng = random.Random(seed)

    def as_dict(self):
        d = {k: getattr(self, k) for k in self.FIELDS}
        d["seed"] = self.seed
        return d

    def update(self, d):
        for k, v in d.items():
            if k == "seed":
                self.seed = v
                self.rng = random.Random(v)
            elif k in self.FIELDS:
                if k in self.CHOICES and v not in self.CHOICES[k]:
                    raise ValueError("%s must be one of %s" % (k, ", ".join(self.CHOICES[k])))
                if k == "command_step_ms" and (not isinstance(v, int) or v < 1):
                    raise ValueError("command_step_ms must be a positive integer")
                setattr(self, k, v)
            else:
                raise ValueError("unknown setting %r" % k)


class Emulator:
    """All server state: backend, credentials, faults, call counters."""

    def __init__(self, args):
        self.model = Model()
        self.region = args.region
        self.account = args.account
        self.lock = threading.Lock()
        self.faults = Faults(args.seed)
        self.faults.update({
            "latency_ms": args.latency_ms, "throttle_rate": args.throttle_rate,
            "error_rate": args.error_rate, "namespaced_errors": args.namespaced_errors,
            "delete_missing": args.delete_missing, "check_sigv4": args.check_sigv4,
            "self_check": args.self_check, "patch_state_spelling": args.patch_states,
            "command_progress": args.command_progress, "command_step_ms": args.command_step_ms,
        })
        id_rng = random.Random(args.seed) if args.seed is not None else random.Random()
        self.backend = Backend(rng=id_rng, delete_missing=args.delete_missing)
        self.apply_settings()
        self.static_keys = {}
        self.add_key(args.access_key, args.secret_key, args.account)
        for spec in args.key or []:
            ak, sk, acct = spec.split(":", 2)
            self.add_key(ak, sk, acct)
        self.temp_keys = {}
        self.reset_calls()

    def apply_settings(self):
        """Hand the settings the backend acts on to it (after a config change)."""
        b, f = self.backend, self.faults
        b.delete_missing = f.delete_missing
        b.limits = dict(f.limits or {})
        b.patch_state_spelling = f.patch_state_spelling
        b.command_progress = f.command_progress
        b.command_step_ms = f.command_step_ms

    def add_key(self, ak, sk, account):
        self.static_keys[ak] = {"secret": sk, "account": account, "token": None,
                                "arn": "arn:aws:iam::%s:user/emulator" % account,
                                "user_id": "AIDA" + hashlib.sha256(ak.encode()).hexdigest()[:17].upper()}

    def key(self, ak):
        with self.lock:
            return self.static_keys.get(ak) or self.temp_keys.get(ak)

    def reset_calls(self):
        with self.lock:
            self.calls = {"total": 0, "throttled": 0, "errors": 0, "errors_after_commit": 0,
                          "injected": 0, "validation_errors": 0, "auth_errors": 0, "api_errors": 0,
                          "ok": 0, "by_op": {}}
            self.call_log = []
            self.scoped_calls = {}    # (account, region) -> counters like self.calls

    @staticmethod
    def _bump(c, op, what):
        top = "total" if what == "count" else what
        c[top] = c.get(top, 0) + 1
        o = c["by_op"].setdefault(op, {"count": 0, "throttled": 0, "errors": 0,
                                       "errors_after_commit": 0, "injected": 0,
                                       "validation_errors": 0, "auth_errors": 0,
                                       "api_errors": 0, "ok": 0})
        o[what] = o.get(what, 0) + 1

    def count(self, op, what, entry=None, log=True):
        """Count a request (`what` = "count") or its outcome. An outcome whose entry
        names an account and region (the request got past authentication) is also
        counted for that (account, region), with the request itself."""
        with self.lock:
            self._bump(self.calls, op, what)
            if entry is not None and "account" in entry and what != "count":
                key = (entry["account"], entry["region"])
                c = self.scoped_calls.get(key)
                if c is None:
                    c = self.scoped_calls[key] = {"total": 0, "by_op": {}}
                if log:
                    self._bump(c, op, "count")
                self._bump(c, op, what)
            if entry is not None and log and len(self.call_log) < MAX_LOG:
                self.call_log.append(entry)

    def snapshot_calls(self, log, account=None, region=None):
        """The call counters (and log): all of them, or only those of requests made as
        `account` and/or in `region`."""
        with self.lock:
            if account is None and region is None:
                out = json.loads(json.dumps(self.calls))
                if log:
                    out["log"] = list(self.call_log)
                return out
            out = {k: 0 for k in self.calls if k != "by_op"}
            out["by_op"] = {}
            for (acct, reg), c in self.scoped_calls.items():
                if (account is not None and acct != account) or (region is not None and reg != region):
                    continue
                for k, v in c.items():
                    if k != "by_op":
                        out[k] = out.get(k, 0) + v
                for op, counts in c["by_op"].items():
                    o = out["by_op"].setdefault(op, {k: 0 for k in counts})
                    for k, v in counts.items():
                        o[k] = o.get(k, 0) + v
            if log:
                out["log"] = [e for e in self.call_log
                              if (account is None or e.get("account") == account)
                              and (region is None or e.get("region") == region)]
            return json.loads(json.dumps(out))

    def draw(self, op):
        """Per-request fault draws, always four from the seeded RNG so the sequence only
        depends on the order of requests: (throttle?, error kind or None, after_commit?)."""
        with self.lock:
            f = self.faults
            r_throttle, r_error, r_after, r_kind = (f.rng.random() for _ in range(4))
            applies = f.fault_ops is None or op in f.fault_ops
            throttle = applies and r_throttle < f.throttle_rate
            kind = None
            if applies and not throttle and r_error < f.error_rate:
                kind = ("500", "503", "502")[min(int(r_kind * 3), 2)]
            return throttle, kind, r_after < 0.5

    def take_injection(self, op):
        """The next one-shot injected error for `op` (consumed), or None. Taken only by
        requests that passed authentication, throttling and validation."""
        with self.lock:
            for i, inj in enumerate(self.faults.inject):
                if inj.get("op", "*") in ("*", op):
                    got = dict(inj)
                    inj["times"] = inj.get("times", 1) - 1
                    if inj["times"] <= 0:
                        del self.faults.inject[i]
                    return got
            return None


# ---- SigV4 ---------------------------------------------------------------------------

_AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request,\s*"
    r"SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$")


_REGIONAL_HOST = re.compile(r"(?:ssm|sts)\.([a-z]{2}(?:-[a-z]+)+-\d)\.")


def parse_authorization(value):
    m = _AUTH_RE.match(value or "")
    if not m:
        return None
    ak, date, region, service, signed, sig = m.groups()
    return {"ak": ak, "date": date, "region": region, "service": service,
            "signed": signed.split(";"), "signature": sig}


def verify_sigv4(emu, method, path, headers, body, auth):
    """Raise SSMError unless the request is correctly signed by a known key.
    `headers` maps lower-case names to values. Returns the key record."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    if auth is None:
        if "authorization" not in headers:
            raise SSMError("MissingAuthenticationTokenException", "Missing Authentication Token", 400)
        raise SSMError("IncompleteSignatureException",
                       "Authorization header requires 'Credential', 'Signature' and "
                       "'SignedHeaders' parameters for AWS4-HMAC-SHA256.", 400)
    rec = emu.key(auth["ak"])
    if rec is None:
        raise SSMError("UnrecognizedClientException",
                       "The security token included in the request is invalid.", 400)
    if rec["token"] is not None:
        if headers.get("x-amz-security-token") != rec["token"]:
            raise SSMError("UnrecognizedClientException",
                           "The security token included in the request is invalid.", 400)
        if rec.get("expires", 0) < time.time():
            raise SSMError("ExpiredTokenException",
                           "The security token included in the request is expired", 400)
    amz_date = headers.get("x-amz-date", "")
    try:
        when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc)
    except ValueError:
        raise SSMError("IncompleteSignatureException",
                       "Authorization header requires existence of either a 'X-Amz-Date' or a "
                       "'Date' header.", 400)
    now = datetime.datetime.now(datetime.timezone.utc)
    if abs((now - when).total_seconds()) > SIG_SKEW or not amz_date.startswith(auth["date"]):
        raise SSMError("InvalidSignatureException",
                       "Signature expired: %s is now earlier than %s (%s - 15 min.)"
                       % (amz_date, (now - datetime.timedelta(seconds=SIG_SKEW)).strftime("%Y%m%dT%H%M%SZ"),
                          now.strftime("%Y%m%dT%H%M%SZ")), 400)
    if "host" not in auth["signed"]:
        raise SSMError("InvalidSignatureException", "'Host' must be a 'SignedHeader' in the "
                       "AWS Authorization.", 400)
    missing = [h for h in auth["signed"] if h not in headers]
    if missing:
        raise SSMError("InvalidSignatureException",
                       "The request signature we calculated does not match the signature you "
                       "provided. Check your AWS Secret Access Key and signing method. Consult "
                       "the service documentation for details.", 403)
    sha = headers.get("x-amz-content-sha256")
    if sha is not None and sha != hashlib.sha256(body).hexdigest():
        raise SSMError("InvalidSignatureException",
                       "The provided 'x-amz-content-sha256' header does not match what was "
                       "computed.", 400)
    req = AWSRequest(method=method, url="http://%s%s" % (headers["host"], path), data=body,
                     headers={h: headers[h] for h in auth["signed"]})
    req.context["timestamp"] = amz_date
    signer = SigV4Auth(Credentials(auth["ak"], rec["secret"], rec["token"]),
                       auth["service"], auth["region"])
    canonical = signer.canonical_request(req)
    expect = signer.signature(signer.string_to_sign(req, canonical), req)
    if not hmac.compare_digest(expect, auth["signature"]):
        raise SSMError("InvalidSignatureException",
                       "The request signature we calculated does not match the signature you "
                       "provided. Check your AWS Secret Access Key and signing method. Consult "
                       "the service documentation for details.", 403)
    return rec


def strip_nulls(v):
    """JSON null members mean "not sent" to AWS's JSON protocol: drop them from objects."""
    if isinstance(v, dict):
        return {k: strip_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [strip_nulls(x) for x in v]
    return v


# ---- HTTP ------------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ssmpatch-emulator"
    sys_version = ""

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @property
    def emu(self):
        return self.server.emu

    def log_message(self, fmt, *args):  # quiet unless --verbose
        if self.server.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(16)
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(n) if n else b""

    def _send(self, status, body, ctype, extra=None):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        # One write for status line, headers and body: separate small writes meet
        # the peer's delayed ACK (Nagle) and cost 40 ms per response.
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(body)
        self.wfile.write(b"".join(self._headers_buffer))
        self._headers_buffer = []

    def _json(self, status, obj):
        self._send(status, json.dumps(obj), "application/json")

    # -- SSM error / success encoders
    def _ssm_error(self, err, rid):
        code = err.code
        if self.emu.faults.namespaced_errors:
            type_ = "com.amazonaws.ssm#" + code
            header = "%s:http://internal.amazon.com/coral/com.amazonaws.ssm/" % code
        else:
            type_ = code
            header = code
        self._send(err.status, json.dumps({"__type": type_, "message": err.message}),
                   "application/x-amz-json-1.1",
                   {"x-amzn-RequestId": rid, "x-amzn-ErrorType": header})

    def _server_fault(self, kind, rid, sts=False):
        if kind == "502":
            self._send(502, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                       "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n",
                       "text/html")
            return
        status = int(kind)
        code = "InternalServerError" if status == 500 else "ServiceUnavailable"
        msg = ("An internal error occurred. Try again later." if status == 500
               else "Service is unavailable. Try again later.")
        if sts:
            self._sts_error(status, "InternalFailure" if status == 500 else "ServiceUnavailable",
                            msg, rid, "Receiver")
        else:
            self._ssm_error(SSMError(code, msg, status), rid)

    def _sts_error(self, status, code, msg, rid, type_="Sender"):
        body = ('<ErrorResponse xmlns="%s">\n  <Error>\n    <Type>%s</Type>\n    <Code>%s</Code>\n'
                '    <Message>%s</Message>\n  </Error>\n  <RequestId>%s</RequestId>\n'
                '</ErrorResponse>\n' % (STS_NS, type_, xml_escape(code), xml_escape(msg), rid))
        self._send(status, body, "text/xml", {"x-amzn-RequestId": rid})

    # -- routing
    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def _dispatch(self):
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self._send(413, "request body too large or malformed", "text/plain",
                       {"Connection": "close"})
            self.close_connection = True
            return
        url = urllib.parse.urlsplit(self.path)
        try:
            if url.path.startswith("/_emulator/"):
                self._test_endpoint(url, body)
            elif self.headers.get("X-Amz-Target") is not None:
                self._ssm(url, body)
            elif self.command == "POST" and url.path == "/":
                self._sts(url, body)
            else:
                self._send(404, "<UnknownOperationException/>", "text/xml")
        except BrokenPipeError:
            self.close_connection = True
        except Exception:  # noqa: BLE001 - report, never kill the server
            traceback.print_exc()
            self._json(500, {"__type": "EmulatorBug", "message": traceback.format_exc()})

    # -- test-only endpoints
    def _test_endpoint(self, url, body):
        emu = self.emu
        name = url.path[len("/_emulator/"):]
        q = urllib.parse.parse_qs(url.query)

        def arg(key):
            return q.get(key, [None])[0] or None
        try:
            req = json.loads(body or b"{}") if self.command == "POST" else {}
            if not isinstance(req, dict):
                raise ValueError("the body must be a JSON object")
        except ValueError as e:
            self._json(400, {"error": "bad JSON body: %s" % e})
            return
        if name == "health":
            self._json(200, {"ok": True})
        elif name == "inventory" and self.command == "GET":
            self._json(200, emu.backend.inventory(arg("account"), arg("region")))
        elif name == "reset" and self.command == "POST":
            # account and/or region: forget only those states (the calls counters and
            # keys stay); neither: everything, with the issued temporary keys
            scoped = req.get("account") is not None or req.get("region") is not None
            if req.get("state", True):
                emu.backend.reset(req.get("account"), req.get("region"))
                if not scoped:
                    with emu.lock:
                        emu.temp_keys = {}
            if req.get("calls", not scoped):
                emu.reset_calls()
            self._json(200, {"ok": True})
        elif name == "calls" and self.command == "GET":
            self._json(200, emu.snapshot_calls(q.get("log", ["0"])[0] not in ("0", ""),
                                               arg("account"), arg("region")))
        elif name == "config":
            if self.command == "POST":
                try:
                    with emu.lock:
                        emu.faults.update(req)
                        emu.apply_settings()
                except ValueError as e:
                    self._json(400, {"error": str(e)})
                    return
            with emu.lock:
                current = json.loads(json.dumps(emu.faults.as_dict()))
            self._json(200, current)
        elif name == "shutdown" and self.command == "POST":
            self._json(200, {"ok": True})
            threading.Thread(target=self.server.shutdown, daemon=True).start()
        elif (answer := control.handle(emu, self.command, name, q, req)) is not None:
            self._json(*answer)
        elif (answer := sts_web_identity.handle(emu, self.command, name, req)) is not None:
            self._json(*answer)
        else:
            self._json(404, {"error": "no such test endpoint %s %s" % (self.command, url.path)})

    def _lower_headers(self):
        h = {}
        for k, v in self.headers.items():
            k = k.lower()
            h[k] = h[k] + "," + v if k in h else v
        return h

    def _identity(self, headers, body, auth):
        """Authenticate (when the SigV4 check is on) and return (account, region, key record)."""
        emu = self.emu
        if emu.faults.check_sigv4:
            rec = verify_sigv4(emu, self.command, self.path, headers, body, auth)
        else:
            rec = emu.key(auth["ak"]) if auth else None
        account = rec["account"] if rec else headers.get("x-emulator-account", emu.account)
        return account, self._region(headers, auth), rec

    def _region(self, headers, auth):
        """The region of a request: its SigV4 credential scope; unsigned, the
        X-Emulator-Region header, else a regional host name (ssm.<region>.<...>),
        else --region."""
        if auth:
            return auth["region"]
        if headers.get("x-emulator-region"):
            return headers["x-emulator-region"]
        m = _REGIONAL_HOST.match(headers.get("host", ""))
        return m.group(1) if m else self.emu.region

    # -- SSM
    def _ssm(self, url, body):
        emu = self.emu
        rid = str(uuid.uuid4())
        target = self.headers.get("X-Amz-Target", "")
        prefix, _, op = target.partition(".")
        headers = self._lower_headers()
        auth = parse_authorization(headers.get("authorization"))
        entry = {"op": op, "time": time.time()}
        if prefix != "AmazonSSM" or op not in emu.model.operations or url.path != "/" \
                or self.command != "POST":
            emu.count(op or target, "unknown_operation", entry)
            self._ssm_error(SSMError("UnknownOperationException",
                                     "Unknown operation %s" % target), rid)
            return
        emu.count(op, "count")
        throttle, kind, after_commit = emu.draw(op)
        if emu.faults.latency_ms:
            time.sleep(emu.faults.latency_ms / 1000.0)
        try:
            account, region, _ = self._identity(headers, body, auth)
        except SSMError as e:
            entry["status"] = e.status
            emu.count(op, "auth_errors", entry)
            self._ssm_error(e, rid)
            return
        entry.update({"account": account, "region": region,
                      "access_key": auth["ak"] if auth else None})
        if throttle:
            entry["status"] = 400
            emu.count(op, "throttled", entry)
            self._ssm_error(SSMError("ThrottlingException", "Rate exceeded"), rid)
            return
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/x-amz-json-1.1":
            entry["status"] = 400
            emu.count(op, "validation_errors", entry)
            self._ssm_error(SSMError("SerializationException",
                                     "Unsupported Content-Type %r: expected "
                                     "application/x-amz-json-1.1" % ctype), rid)
            return
        try:
            req = json.loads(body.decode("utf-8")) if body.strip() else {}
            if not isinstance(req, dict):
                raise ValueError("top level must be an object")
        except (ValueError, UnicodeDecodeError) as e:
            entry["status"] = 400
            emu.count(op, "validation_errors", entry)
            self._ssm_error(SSMError("SerializationException", "Malformed JSON body: %s" % e), rid)
            return
        req = strip_nulls(req)
        entry["request"] = req
        errors = emu.model.validate_input(op, req)
        if errors:
            entry["status"] = 400
            emu.count(op, "validation_errors", entry)
            self._ssm_error(SSMError("ValidationException", validation_message(errors)), rid)
            return
        injected = emu.take_injection(op)
        if injected is not None and not injected.get("after_commit"):
            entry["status"] = injected.get("status", 500)
            emu.count(op, "injected", entry)
            self._injected(injected, rid)
            return
        if kind is not None and not after_commit:
            entry["status"] = int(kind)
            emu.count(op, "errors", entry)
            self._server_fault(kind, rid)
            return
        try:
            resp = emu.backend.call(account, region, op, req)
        except SSMError as e:
            entry["status"] = e.status
            entry["error"] = e.code
            emu.count(op, "api_errors", entry)
            self._ssm_error(e, rid)
            return
        if injected is not None:
            entry["status"] = injected.get("status", 500)
            emu.count(op, "injected", entry)
            self._injected(injected, rid)
            return
        if kind is not None:
            entry["status"] = int(kind)
            emu.count(op, "errors_after_commit", entry)
            emu.count(op, "errors", entry, log=False)
            self._server_fault(kind, rid)
            return
        if emu.faults.self_check:
            problems = emu.model.check_output(op, resp, LIVE_ENUMS if
                                              emu.faults.patch_state_spelling == "live" else None)
            if problems:
                sys.stderr.write("self-check failed for %s: %s\n" % (op, problems))
                self._json(500, {"__type": "EmulatorSelfCheckFailed", "message": "; ".join(problems)})
                return
        entry["status"] = 200
        emu.count(op, "ok", entry)
        self._send(200, json.dumps(resp), "application/x-amz-json-1.1", {"x-amzn-RequestId": rid})

    def _injected(self, inj, rid):
        status = int(inj.get("status", 500))
        if inj.get("html"):
            self._server_fault("502", rid)
            return
        self._ssm_error(SSMError(inj.get("code", "InternalServerError"),
                                 inj.get("message", "Injected failure."), status), rid)

    # -- STS
    def _sts(self, url, body):
        emu = self.emu
        rid = str(uuid.uuid4())
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace"),
                                                          keep_blank_values=True).items()}
        action = form.get("Action", "")
        op = "sts:" + action
        entry = {"op": op, "time": time.time()}
        emu.count(op, "count")
        signed = STS_ACTIONS.get(action)
        if signed is None or form.get("Version") != "2011-06-15":
            entry["status"] = 400
            emu.count(op, "validation_errors", entry)
            self._sts_error(400, "InvalidAction", "Could not find operation %s for version %s"
                            % (action, form.get("Version", "")), rid)
            return
        throttle, kind, after_commit = emu.draw(op)
        if emu.faults.latency_ms:
            time.sleep(emu.faults.latency_ms / 1000.0)
        headers = self._lower_headers()
        auth = parse_authorization(headers.get("authorization"))
        entry["access_key"] = auth["ak"] if auth else None
        try:
            if signed:
                account, region, rec = self._identity(headers, body, auth)
            else:  # an unsigned action: no caller to check
                account, region, rec = None, self._region(headers, auth), None
        except SSMError as e:
            entry["status"] = e.status
            emu.count(op, "auth_errors", entry)
            code = {"UnrecognizedClientException": "InvalidClientTokenId"}.get(e.code, e.code)
            if code == "InvalidSignatureException":
                code = "SignatureDoesNotMatch"
            self._sts_error(e.status if e.status != 400 else 403, code, e.message, rid)
            return
        if account is not None:
            entry.update({"account": account, "region": region})
        if throttle:
            entry["status"] = 400
            emu.count(op, "throttled", entry)
            self._sts_error(400, "Throttling", "Rate exceeded", rid)
            return
        injected = emu.take_injection(op)
        if injected is not None:
            entry["status"] = injected.get("status", 500)
            emu.count(op, "injected", entry)
            self._sts_error(int(injected.get("status", 500)), injected.get("code", "InternalFailure"),
                            injected.get("message", "Injected failure."), rid)
            return
        if kind is not None:
            entry["status"] = int(kind)
            emu.count(op, "errors", entry)
            self._server_fault(kind, rid, sts=True)
            return
        if signed and rec is None:
            rec = emu.key(emu.default_access_key) if account == emu.account else None
        ctx = {"account": account, "region": region, "rid": rid, "entry": entry,
               "caller_arn": rec["arn"] if rec else "arn:aws:iam::%s:user/emulator" % account,
               "caller_uid": rec["user_id"] if rec else "AIDAEMULATORDEFAULT00"}
        getattr(self, "_sts_" + action)(form, ctx)

    _sts_AssumeRoleWithWebIdentity = sts_web_identity.assume_role_with_web_identity

    def _sts_GetCallerIdentity(self, form, ctx):
        emu, rid, entry = self.emu, ctx["rid"], ctx["entry"]
        xml = ('<GetCallerIdentityResponse xmlns="%s">\n  <GetCallerIdentityResult>\n'
               '    <Arn>%s</Arn>\n    <UserId>%s</UserId>\n    <Account>%s</Account>\n'
               '  </GetCallerIdentityResult>\n  <ResponseMetadata>\n    <RequestId>%s</RequestId>\n'
               '  </ResponseMetadata>\n</GetCallerIdentityResponse>\n'
               % (STS_NS, xml_escape(ctx["caller_arn"]), xml_escape(ctx["caller_uid"]),
                  ctx["account"], rid))
        entry["status"] = 200
        emu.count(entry["op"], "ok", entry)
        self._send(200, xml, "text/xml", {"x-amzn-RequestId": rid})

    def _sts_AssumeRole(self, form, ctx):
        emu = self.emu
        caller_arn, rid, entry = ctx["caller_arn"], ctx["rid"], ctx["entry"]
        op = entry["op"]
        entry["request"] = {k: v for k, v in form.items() if k not in ("Policy",)}

        def bad(code, msg, status=400):
            entry["status"] = status
            emu.count(op, "validation_errors", entry)
            self._sts_error(status, code, msg, rid)

        role_arn = form.get("RoleArn")
        session = form.get("RoleSessionName")
        errs = []
        if role_arn is None:
            errs.append("Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
        elif not 20 <= len(role_arn) <= 2048:
            errs.append("Value '%s' at 'roleArn' failed to satisfy constraint: Member must have "
                        "length %s" % (role_arn, "greater than or equal to 20" if len(role_arn) < 20
                                       else "less than or equal to 2048"))
        if session is None:
            errs.append("Value null at 'roleSessionName' failed to satisfy constraint: Member must "
                        "not be null")
        else:
            if not 2 <= len(session) <= 64:
                errs.append("Value '%s' at 'roleSessionName' failed to satisfy constraint: Member "
                            "must have length %s" % (session, "greater than or equal to 2"
                                                     if len(session) < 2 else "less than or equal to 64"))
            if not re.fullmatch(r"[\w+=,.@-]*", session, re.ASCII):
                errs.append("Value '%s' at 'roleSessionName' failed to satisfy constraint: Member "
                            "must satisfy regular expression pattern: [\\w+=,.@-]*" % session)
        duration = 3600
        if "DurationSeconds" in form:
            try:
                duration = int(form["DurationSeconds"])
            except ValueError:
                duration = -1
            if not 900 <= duration <= 43200:
                errs.append("Value '%s' at 'durationSeconds' failed to satisfy constraint: Member "
                            "must have value %s" % (form["DurationSeconds"],
                                                    "greater than or equal to 900" if duration < 900
                                                    else "less than or equal to 43200"))
        if "ExternalId" in form and not re.fullmatch(r"[\w+=,.@:/-]{2,1224}", form["ExternalId"], re.ASCII):
            errs.append("Value '%s' at 'externalId' failed to satisfy constraint: Member must "
                        "satisfy regular expression pattern: [\\w+=,.@:\\/-]*" % form["ExternalId"])
        if errs:
            bad("ValidationError", validation_message(errs))
            return
        m = re.fullmatch(r"arn:aws[a-zA-Z-]*:iam::(\d{12}):role/((?:[\w+=,.@-]+/)*)([\w+=,.@-]+)",
                         role_arn, re.ASCII)
        if not m:
            bad("ValidationError", "%s is invalid" % role_arn)
            return
        if role_arn in (emu.faults.assume_role_deny or []):
            bad("AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s"
                % (caller_arn, role_arn), 403)
            return
        account, role_name = m.group(1), m.group(3)
        ak = "ASIA" + "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
        sk = base64.b64encode(secrets.token_bytes(30)).decode()
        token = "FwoGZXIvYXdzE" + base64.b64encode(secrets.token_bytes(96)).decode()
        expires = time.time() + duration
        role_id = "AROA" + hashlib.sha256(role_arn.encode()).hexdigest()[:17].upper()
        arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (account, role_name, session)
        with emu.lock:
            emu.temp_keys[ak] = {"secret": sk, "account": account, "token": token, "arn": arn,
                                 "user_id": "%s:%s" % (role_id, session), "expires": expires}
        exp = datetime.datetime.fromtimestamp(int(expires), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        xml = ('<AssumeRoleResponse xmlns="%s">\n  <AssumeRoleResult>\n    <AssumedRoleUser>\n'
               '      <AssumedRoleId>%s:%s</AssumedRoleId>\n      <Arn>%s</Arn>\n'
               '    </AssumedRoleUser>\n    <Credentials>\n      <AccessKeyId>%s</AccessKeyId>\n'
               '      <SecretAccessKey>%s</SecretAccessKey>\n      <SessionToken>%s</SessionToken>\n'
               '      <Expiration>%s</Expiration>\n    </Credentials>\n  </AssumeRoleResult>\n'
               '  <ResponseMetadata>\n    <RequestId>%s</RequestId>\n  </ResponseMetadata>\n'
               '</AssumeRoleResponse>\n'
               % (STS_NS, role_id, xml_escape(session), xml_escape(arn), ak, xml_escape(sk),
                  xml_escape(token), exp, rid))
        entry["status"] = 200
        emu.count(op, "ok", entry)
        self._send(200, xml, "text/xml", {"x-amzn-RequestId": rid})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def parse_args(argv):
    p = argparse.ArgumentParser(description="Local SSM + STS emulator for ssmpatch tests.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", help="write the bound port number to this file")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--account", default=DEFAULT_ACCOUNT, help="account of the static test key")
    p.add_argument("--access-key", default=DEFAULT_ACCESS_KEY)
    p.add_argument("--secret-key", default=DEFAULT_SECRET_KEY)
    p.add_argument("--key", action="append", metavar="AK:SK:ACCOUNT",
                   help="another known static key pair (repeatable)")
    p.add_argument("--latency-ms", type=int, default=0)
    p.add_argument("--throttle-rate", type=float, default=0.0)
    p.add_argument("--error-rate", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--check-sigv4", action="store_true")
    p.add_argument("--namespaced-errors", action="store_true",
                   help="emit __type as com.amazonaws.ssm#Code")
    p.add_argument("--delete-missing", choices=("success", "error"), default="success",
                   help="DeletePatchBaseline/DeleteMaintenanceWindow on a missing ID")
    p.add_argument("--self-check", action="store_true",
                   help="check every response against the model's output shape")
    p.add_argument("--patch-states", choices=("model", "live"), default="model",
                   help="spell patch states as the model (INSTALLED) or the live service "
                        "(Installed)")
    p.add_argument("--command-progress", choices=("poll", "instant", "time"), default="poll",
                   help="Run Command commands move one step per read (poll), finish at once "
                        "(instant) or one step per --command-step-ms (time)")
    p.add_argument("--command-step-ms", type=int, default=100)
    p.add_argument("--verbose", action="store_true")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    emu = Emulator(args)
    emu.default_access_key = args.access_key
    srv = Server((args.host, args.port), Handler)
    srv.emu = emu
    srv.verbose = args.verbose
    port = srv.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    print("listening on %s:%d" % (args.host, port), flush=True)
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

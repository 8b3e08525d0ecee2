"""A tiny local stand-in for the AWS endpoints the client talks to, for tests:
EC2 IMDSv2, STS (AssumeRole, GetCallerIdentity; query protocol, XML answers) and
SSM (JSON 1.1), all on one ThreadingHTTPServer with HTTP/1.1 keep-alive.

Every signed request is verified with botocore's SigV4Auth against the secret
of the access key it names, so a test passing here means the C client's
requests are signed correctly as sent on the wire (headers as curl sends them).
SSM answers come from a script (a list of responses popped per call) or a
default echo; it also implements NextToken paging for DescribePatchBaselines.
"""
import calendar
import datetime
import json
import ssl
import threading
import time
import urllib.parse
from unittest import mock

import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness.http_double import Handler, LocalServer


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class MockAWS(LocalServer):
    def __init__(self, tls=None):
        """tls: (certfile, keyfile) to serve https instead of http."""
        self.lock = threading.Lock()
        # access key -> (secret, token or None, account)
        self.keys = {}
        self.requests = []          # (kind, detail dict)
        self.connections = 0
        self.imds_enabled = True
        self.imds_token = "imds-token-0123"
        self.imds_role = "ec2-ssm-role"
        self.imds_lifetime = 3600   # seconds until the IMDS credentials expire
        self.imds_counter = 0
        self.assumed_lifetime = 3600
        self.assume_counter = 0
        self.ssm_script = []        # list of (status, headers dict, body bytes/str)
        self.ssm_delay = 0.0
        self.clock_offset = 0       # seconds the server's clock is ahead of ours
        ctx = None
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
        super().__init__(self._handler(), ctx)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"

    def add_key(self, ak, sk, token=None, account="111122223333"):
        self.keys[ak] = (sk, token, account)

    def calls(self, kind):
        with self.lock:
            return [d for k, d in self.requests if k == kind]

    def _record(self, kind, **detail):
        with self.lock:
            self.requests.append((kind, detail))

    # ---- signature verification with botocore ----
    def verify(self, method, path, headers, body):
        auth = headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 Credential="):
            return None, "MissingAuthenticationTokenException", "no SigV4 Authorization"
        cred = auth.split("Credential=")[1].split(",")[0]
        ak, date, region, service, _ = cred.split("/")
        signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
        if ak not in self.keys:
            return None, "UnrecognizedClientException", f"unknown key {ak}"
        sk, token, _ = self.keys[ak]
        if token and headers.get("X-Amz-Security-Token") != token:
            return None, "UnrecognizedClientException", "bad or missing session token"
        if not token and "X-Amz-Security-Token" in headers:
            return None, "UnrecognizedClientException", "unexpected session token"
        req = AWSRequest(method=method, url=self.url + path, data=body)
        for name in signed:
            for v in headers.get_all(name) or []:
                req.headers[name] = v
        amz_date = headers.get("X-Amz-Date", "")
        frozen = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")

        class Frozen(datetime.datetime):
            @classmethod
            def utcnow(cls):
                return frozen

        with mock.patch.object(botocore.auth.datetime, "datetime", Frozen):
            SigV4Auth(Credentials(ak, sk, token), service, region).add_auth(req)
        if req.headers["Authorization"] != auth:
            return None, "InvalidSignatureException", "signature mismatch"
        now = time.time() + self.clock_offset
        signed_at = calendar.timegm(frozen.timetuple())
        if signed_at < now - 300:
            fmt = lambda t: time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))  # noqa: E731
            return None, "InvalidSignatureException", (
                f"Signature expired: {amz_date} is now earlier than {fmt(now - 300)} "
                f"({fmt(now)} - 5 min.)")
        if signed_at > now + 300:
            return None, "InvalidSignatureException", "Signature not yet current"
        return (ak, region, service), None, None

    def _handler(self):
        mockself = self

        class H(Handler):
            def setup(self):
                super().setup()
                with mockself.lock:
                    mockself.connections += 1

            def date_time_string(self, timestamp=None):
                return super().date_time_string(time.time() + mockself.clock_offset)

            def do_PUT(self):
                body = self.request_body()
                if self.path == "/latest/api/token" and mockself.imds_enabled:
                    ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
                    mockself._record("imds_token", ttl=ttl, body=body)
                    if not ttl:
                        return self.reply(400, "missing ttl", "text/plain")
                    return self.reply(200, mockself.imds_token, "text/plain")
                self.reply(404, "not found", "text/plain")

            def do_GET(self):
                base = "/latest/meta-data/iam/security-credentials/"
                if not mockself.imds_enabled or not self.path.startswith(base):
                    return self.reply(404, "not found", "text/plain")
                tok = self.headers.get("X-aws-ec2-metadata-token")
                mockself._record("imds_get", path=self.path, token=tok)
                if tok != mockself.imds_token:
                    return self.reply(401, "", "text/plain")
                if self.path == base:
                    return self.reply(200, mockself.imds_role, "text/plain")
                if self.path != base + mockself.imds_role:
                    return self.reply(404, "not found", "text/plain")
                with mockself.lock:
                    mockself.imds_counter += 1
                    n = mockself.imds_counter
                ak, sk, token = f"ASIAIMDS{n:04d}", f"imds-secret-{n}", f"imds-token-{n}"
                mockself.add_key(ak, sk, token, account="444455556666")
                self.reply(200, json.dumps({
                    "Code": "Success", "LastUpdated": iso(time.time()), "Type": "AWS-HMAC",
                    "AccessKeyId": ak, "SecretAccessKey": sk, "Token": token,
                    "Expiration": iso(time.time() + mockself.imds_lifetime)}), "text/plain")

            def do_POST(self):
                body = self.request_body()
                who, code, msg = mockself.verify("POST", self.path, self.headers, body)
                target = self.headers.get("X-Amz-Target")
                if target:
                    return self._ssm(who, code, msg, target, body)
                return self._sts(who, code, msg, body)

            def _sts(self, who, code, msg, body):
                form = dict(urllib.parse.parse_qsl(body.decode()))
                mockself._record("sts", form=form, who=who, error=code,
                                 content_type=self.headers.get("Content-Type"))
                if code:
                    return self.reply(403, (
                        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                        f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{msg}</Message>"
                        "</Error><RequestId>r-1</RequestId></ErrorResponse>"), "text/xml")
                ak, region, service = who
                if service != "sts":
                    return self.reply(400, "<ErrorResponse><Error><Code>InvalidAction</Code>"
                                      "<Message>wrong service</Message></Error></ErrorResponse>",
                                      "text/xml")
                account = mockself.keys[ak][2]
                if form.get("Action") == "GetCallerIdentity":
                    return self.reply(200, (
                        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                        "<GetCallerIdentityResult>"
                        f"<Arn>arn:aws:iam::{account}:user/test</Arn><UserId>AIDA1</UserId>"
                        f"<Account>{account}</Account></GetCallerIdentityResult>"
                        "<ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata>"
                        "</GetCallerIdentityResponse>"), "text/xml")
                if form.get("Action") == "AssumeRole":
                    with mockself.lock:
                        mockself.assume_counter += 1
                        n = mockself.assume_counter
                    role_arn = form["RoleArn"]
                    role_account = role_arn.split(":")[4]
                    nak, nsk, ntok = f"ASIAROLE{n:04d}", f"role-secret/{n}+&<", f"role-token-{n}&x"
                    mockself.add_key(nak, nsk, ntok, account=role_account)
                    esc = (lambda s: s.replace("&", "&amp;").replace("<", "&lt;"))
                    return self.reply(200, (
                        "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
                        "  <AssumeRoleResult>\n    <AssumedRoleUser>\n"
                        f"      <AssumedRoleId>AROA1:{form.get('RoleSessionName')}</AssumedRoleId>\n"
                        f"      <Arn>arn:aws:sts::{role_account}:assumed-role/"
                        f"{role_arn.split('/')[-1]}/{form.get('RoleSessionName')}</Arn>\n"
                        "    </AssumedRoleUser>\n    <Credentials>\n"
                        f"      <AccessKeyId>{nak}</AccessKeyId>\n"
                        f"      <SecretAccessKey>{esc(nsk)}</SecretAccessKey>\n"
                        f"      <SessionToken>{esc(ntok)}</SessionToken>\n"
                        f"      <Expiration>{iso(time.time() + mockself.assumed_lifetime)}</Expiration>\n"
                        "    </Credentials>\n  </AssumeRoleResult>\n"
                        "</AssumeRoleResponse>\n"), "text/xml")
                return self.reply(400, "<ErrorResponse><Error><Code>InvalidAction</Code>"
                                  "<Message>unknown</Message></Error></ErrorResponse>", "text/xml")

            def _ssm(self, who, code, msg, target, body):
                op = target.split(".", 1)[1]
                req = json.loads(body or b"{}")
                mockself._record("ssm", op=op, req=req, who=who, error=code,
                                 content_type=self.headers.get("Content-Type"),
                                 ua=self.headers.get("User-Agent"))
                if code:
                    return self.reply(400, json.dumps({"__type": code, "message": msg}),
                                      "application/x-amz-json-1.1")
                if mockself.ssm_delay:
                    time.sleep(mockself.ssm_delay)
                with mockself.lock:
                    step = mockself.ssm_script.pop(0) if mockself.ssm_script else None
                if step is not None:
                    status, headers, out = step
                    return self.reply(status, out, (headers or {}).get(
                        "Content-Type", "application/x-amz-json-1.1"), headers)
                if op == "DescribePatchBaselines":
                    start = int(req.get("NextToken", "0"))
                    items = [{"BaselineId": f"pb-{i:017d}"} for i in range(start, min(start + 3, 7))]
                    out = {"BaselineIdentities": items}
                    if start + 3 < 7:
                        out["NextToken"] = str(start + 3)
                    return self.reply(200, json.dumps(out), "application/x-amz-json-1.1")
                self.reply(200, json.dumps({"Op": op, "AccessKeyId": who[0], "Region": who[1],
                                            "Request": req}), "application/x-amz-json-1.1")

        return H

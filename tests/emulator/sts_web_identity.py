"""sts_web_identity.py - the emulator's STS AssumeRoleWithWebIdentity, and the
temporary keys other test doubles hand out (an SSO portal, a container
credentials endpoint, a credential_process script), so the emulator knows
every key that may sign a call and can say which one signed it.

AssumeRoleWithWebIdentity is unsigned, as in AWS (the OIDC token is the
proof): RoleArn, RoleSessionName and WebIdentityToken are required,
DurationSeconds 900..43200 as AssumeRole. The token must be one the test
registered; anything else is 400 InvalidIdentityToken (a registered token
past its "expires" is 400 ExpiredTokenException), as STS answers.

Test endpoints (unsigned, JSON):
  POST /_emulator/web_identity  {"tokens": {TOKEN: {"sub": "...", "expires": t|null}},
                                 "lifetime": seconds|null}
      replaces the accepted tokens; "lifetime" overrides the lifetime of the
      credentials issued (tests of refresh want seconds, STS's minimum is 15 min)
  GET  /_emulator/web_identity  the settings and every call seen ({role, session, token_ok})
  POST /_emulator/keys          {"account": "...", "lifetime": seconds, "label": "sso"}
      -> {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}: a new
      temporary key the emulator accepts until it expires (then ExpiredTokenException
      when --check-sigv4 is on)

Each call-log entry of an SSM or STS request carries "access_key" (the key of
its Authorization header, None when unsigned).
"""

import base64
import datetime
import re
import secrets
import threading
import time
from xml.sax.saxutils import escape as xml_escape

STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
_lock = threading.Lock()


def _state(emu):
    with _lock:
        if not hasattr(emu, "web_identity"):
            emu.web_identity = {"tokens": {}, "lifetime": None, "calls": []}
        return emu.web_identity


def _iso(t):
    return datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def mint(emu, account, lifetime, arn, user_id):
    """A new temporary key pair + token known to the emulator; (ak, sk, token, expires)."""
    ak = "ASIA" + "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    sk = base64.b64encode(secrets.token_bytes(30)).decode()
    token = "IQoJb3JpZ2luX2VjE" + base64.b64encode(secrets.token_bytes(96)).decode()
    expires = time.time() + lifetime
    with emu.lock:
        emu.temp_keys[ak] = {"secret": sk, "account": account, "token": token, "arn": arn,
                             "user_id": user_id, "expires": expires}
    return ak, sk, token, expires


def handle(emu, method, name, req):
    """A test endpoint of this module: (status, body) or None when not ours."""
    if name == "web_identity":
        st = _state(emu)
        if method == "POST":
            tokens = req.get("tokens", {})
            if isinstance(tokens, list):
                tokens = {t: {} for t in tokens}
            with _lock:
                st["tokens"] = dict(tokens)
                st["lifetime"] = req.get("lifetime")
                st["calls"] = []
        with _lock:
            return 200, {"tokens": sorted(st["tokens"]), "lifetime": st["lifetime"],
                         "calls": list(st["calls"])}
    if name == "keys" and method == "POST":
        account = req.get("account") or emu.account
        label = re.sub(r"[^\w+=,.@-]", "-", str(req.get("label", "double")))
        arn = "arn:aws:sts::%s:assumed-role/%s/session" % (account, label)
        ak, sk, token, expires = mint(emu, account, float(req.get("lifetime", 3600)), arn,
                                      "AROADOUBLE:%s" % label)
        return 200, {"AccessKeyId": ak, "SecretAccessKey": sk, "SessionToken": token,
                     "Expiration": _iso(expires)}
    return None


def assume_role_with_web_identity(handler, form, ctx):
    """Handler._sts_AssumeRoleWithWebIdentity(form, ctx) (server.py STS_ACTIONS)."""
    emu, rid, entry = handler.emu, ctx["rid"], ctx["entry"]
    op = entry["op"]
    st = _state(emu)
    entry["request"] = {k: v for k, v in form.items() if k not in ("WebIdentityToken", "Policy")}

    def bad(code, msg, status=400):
        entry["status"] = status
        entry["error"] = code
        emu.count(op, "validation_errors" if status == 400 and code.startswith("Validation")
                  else "api_errors", entry)
        handler._sts_error(status, code, msg, rid)

    role_arn, session = form.get("RoleArn"), form.get("RoleSessionName")
    token = form.get("WebIdentityToken")
    missing = [n for n, v in (("roleArn", role_arn), ("roleSessionName", session),
                              ("webIdentityToken", token)) if v is None]
    if missing:
        bad("ValidationError", "1 validation error detected: Value null at '%s' failed to "
            "satisfy constraint: Member must not be null" % missing[0])
        return
    if not re.fullmatch(r"[\w+=,.@-]{2,64}", session, re.ASCII):
        bad("ValidationError", "Value '%s' at 'roleSessionName' failed to satisfy constraint"
            % session)
        return
    duration = 3600
    if "DurationSeconds" in form:
        try:
            duration = int(form["DurationSeconds"])
        except ValueError:
            duration = -1
        if not 900 <= duration <= 43200:
            bad("ValidationError", "Value '%s' at 'durationSeconds' failed to satisfy constraint"
                % form["DurationSeconds"])
            return
    m = re.fullmatch(r"arn:aws[a-zA-Z-]*:iam::(\d{12}):role/((?:[\w+=,.@-]+/)*)([\w+=,.@-]+)",
                     role_arn, re.ASCII)
    if not m:
        bad("ValidationError", "%s is invalid" % role_arn)
        return
    with _lock:
        known = st["tokens"].get(token)
        st["calls"].append({"role": role_arn, "session": session, "token_ok": known is not None,
                            "signed": entry.get("access_key") is not None})
        lifetime = st["lifetime"]
    if known is None:
        bad("InvalidIdentityToken", "Couldn't retrieve verification key from your identity "
            "provider, please reference AssumeRoleWithWebIdentity documentation for requirements")
        return
    if known.get("expires") is not None and known["expires"] < time.time():
        bad("ExpiredTokenException", "Token expired: current date/time is past the token's "
            "expiration")
        return
    account, role_name = m.group(1), m.group(3)
    arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (account, role_name, session)
    ak, sk, tok, expires = mint(emu, account, lifetime if lifetime else duration, arn,
                                "AROAWEBIDENTITY:%s" % session)
    xml = ('<AssumeRoleWithWebIdentityResponse xmlns="%s">\n'
           '  <AssumeRoleWithWebIdentityResult>\n'
           '    <SubjectFromWebIdentityToken>%s</SubjectFromWebIdentityToken>\n'
           '    <Audience>sts.amazonaws.com</Audience>\n'
           '    <AssumedRoleUser>\n      <Arn>%s</Arn>\n'
           '      <AssumedRoleId>AROAWEBIDENTITY:%s</AssumedRoleId>\n    </AssumedRoleUser>\n'
           '    <Credentials>\n      <SessionToken>%s</SessionToken>\n'
           '      <SecretAccessKey>%s</SecretAccessKey>\n      <Expiration>%s</Expiration>\n'
           '      <AccessKeyId>%s</AccessKeyId>\n    </Credentials>\n'
           '    <Provider>emulator.oidc.test</Provider>\n'
           '  </AssumeRoleWithWebIdentityResult>\n'
           '  <ResponseMetadata>\n    <RequestId>%s</RequestId>\n  </ResponseMetadata>\n'
           '</AssumeRoleWithWebIdentityResponse>\n'
           % (STS_NS, xml_escape(known.get("sub", "subject")), xml_escape(arn),
              xml_escape(session), xml_escape(tok), xml_escape(sk), _iso(expires), ak, rid))
    entry["status"] = 200
    emu.count(op, "ok", entry)
    handler._send(200, xml, "text/xml", {"x-amzn-RequestId": rid})

"""ssm_common.py - pieces every part of the emulator's SSM backend shares: the AWS error
type, the emulator's clock, NextToken pagination and time formatting.

The clock: every time the backend reports or compares (CreatedDate, an execution's
StartTime, ``ApproveAfterDays`` against a patch's release date, the next runs of a
schedule) comes from ``Clock.now()``. By default it is the real time; a test can set it
to any instant, move it forward, or freeze it (``POST /_emulator/clock``), so that
"released 5 days ago, approve after 1 day" is the same answer on every run.
"""

import base64
import datetime
import json
import threading
import time

UTC = datetime.timezone.utc


class SSMError(Exception):
    """An AWS error answer: code (``__type``), message, HTTP status."""

    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def validation(msg):
    return SSMError("ValidationException", msg)


class Clock:
    """The emulator's notion of now: real time plus an offset, or a frozen instant.

    ``set(t)`` moves the clock to epoch ``t`` (keeping it running unless frozen),
    ``advance(s)`` moves it by ``s`` seconds, ``freeze(True)`` stops it where it is,
    ``real()`` goes back to the machine's time. Thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen = None     # epoch seconds while frozen, else None

    def now(self):
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return round(time.time() + self._offset, 3)

    def set(self, epoch, freeze=None):
        with self._lock:
            if freeze is None:
                freeze = self._frozen is not None
            if freeze:
                self._frozen = round(float(epoch), 3)
            else:
                self._frozen = None
                self._offset = float(epoch) - time.time()

    def advance(self, seconds):
        with self._lock:
            if self._frozen is not None:
                self._frozen = round(self._frozen + float(seconds), 3)
            else:
                self._offset += float(seconds)

    def freeze(self, on):
        t = self.now()
        with self._lock:
            if on:
                self._frozen = t
            elif self._frozen is not None:
                self._offset = self._frozen - time.time()
                self._frozen = None

    def real(self):
        with self._lock:
            self._offset = 0.0
            self._frozen = None

    def state(self):
        t = self.now()
        with self._lock:
            frozen = self._frozen is not None
        return {"now": t, "iso": iso_utc(t, millis=True), "frozen": frozen}


def parse_time(value):
    """An instant from an epoch number or an ISO-8601 string (``Z`` or an offset; no
    zone means UTC). Returns epoch seconds, or None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return None
    s = value.strip()
    if s.endswith("Z") or s.endswith("z"):
        s = s[:-1] + "+00:00"
    try:
        d = datetime.datetime.fromisoformat(s)
    except ValueError:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    return d.timestamp()


def iso_utc(epoch, millis=False, minutes=False):
    """``2021-06-22T17:00Z`` (minutes), ``2021-06-22T17:00:00Z`` or with milliseconds."""
    d = datetime.datetime.fromtimestamp(epoch, UTC)
    if minutes:
        return d.strftime("%Y-%m-%dT%H:%MZ")
    if millis:
        return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (d.microsecond // 1000)
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def paginate(items, body, op, default_max, bad_token="ValidationException"):
    """One page of `items` for a request with optional ``MaxResults``/``NextToken``.
    Tokens are opaque (base64 JSON naming the operation and offset); a token of another
    operation or garbage is refused as AWS does: ``InvalidNextToken`` for the operations
    whose model lists that error (pass ``bad_token``), else ``ValidationException``.
    Returns (page, next token or None)."""
    start = 0
    tok = body.get("NextToken")
    if tok:
        try:
            d = json.loads(base64.b64decode(tok.encode(), validate=True))
            assert d["op"] == op
            start = int(d["offset"])
            assert start >= 0
        except Exception:  # noqa: BLE001 - any garbage token is invalid
            if bad_token == "InvalidNextToken":
                raise SSMError("InvalidNextToken", "The specified token isn't valid.")
            raise validation("The NextToken value is not valid.")
    n = body.get("MaxResults") or default_max
    page = items[start:start + n]
    out_tok = None
    if start + n < len(items):
        out_tok = base64.b64encode(json.dumps({"op": op, "offset": start + n}).encode()).decode()
    return page, out_tok


def time_filters(filters, keys):
    """[(key, epoch)] of a request's MaintenanceWindowFilter/PatchOrchestratorFilter list
    whose keys (one of `keys`) take ISO-8601 times; ValidationException for another key or
    a value that is no time."""
    out = []
    for f in filters or []:
        key = f.get("Key")
        if key not in keys:
            raise validation("Invalid filter key %s: supported keys are %s." % (key, " and ".join(keys)))
        for v in f.get("Values") or []:
            t = parse_time(v)
            if t is None:
                raise validation("Invalid filter value %s for %s: use an ISO-8601 date/time such "
                                 "as 2021-11-04T05:00:00Z." % (v, key))
            out.append((key, t))
    return out


def page_out(key, page, tok, extra=None):
    """The response dict of a paginated read: {key: page, "NextToken": tok if any}."""
    out = {key: page}
    if extra:
        out.update(extra)
    if tok:
        out["NextToken"] = tok
    return out

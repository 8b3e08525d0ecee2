"""Helpers shared by the emulator's own tests (a uniquely named module: several
test directories of the project have a conftest.py, so tests must not import one)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "emulator"))

import botocore.session  # noqa: E402
from botocore.config import Config  # noqa: E402

NO_RETRY = Config(retries={"mode": "standard", "total_max_attempts": 1},
                  parameter_validation=False)

_SESSION = []


def session():
    """One botocore session for the whole run (creating one loads its data files)."""
    if not _SESSION:
        _SESSION.append(botocore.session.get_session())
    return _SESSION[0]


def make_client(emu, service, credentials=None, region=None, validate=False):
    ak, sk, token = credentials or (emu.access_key, emu.secret_key, None)
    cfg = NO_RETRY if not validate else NO_RETRY.merge(Config(parameter_validation=True))
    return session().create_client(
        service, region_name=region or emu.region, endpoint_url=emu.url,
        aws_access_key_id=ak, aws_secret_access_key=sk, aws_session_token=token, config=cfg)


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def snake(op):
    return "".join("_" + c.lower() if c.isupper() else c for c in op).lstrip("_")


def caller(client):
    """call(op, body) -> the answer without ResponseMetadata, through a botocore client."""
    def call(op, body=None):
        out = getattr(client, snake(op))(**(body or {}))
        out.pop("ResponseMetadata", None)
        return out
    return call


def all_pages(call, op, body, key, page_size=None):
    """Every item of a paginated read, following NextToken; also checks that each page
    but the last is full and that no token repeats."""
    body = dict(body)
    if page_size:
        body["MaxResults"] = page_size
    items, tokens = [], set()
    while True:
        out = call(op, body)
        got = out.get(key, [])
        items.extend(got)
        tok = out.get("NextToken")
        if not tok:
            return items
        assert tok not in tokens, "%s repeated a NextToken" % op
        if page_size:
            assert len(got) == page_size, "%s: a page before the last is not full" % op
        tokens.add(tok)
        body["NextToken"] = tok

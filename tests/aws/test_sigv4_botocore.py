"""SigV4: our C signer (tests/tools/sigv4_driver) must equal botocore's SigV4Auth
byte for byte: canonical request, string to sign and Authorization header.

botocore reads the clock with datetime.datetime.utcnow(); the test freezes it by
patching botocore.auth.datetime.datetime, so both sides sign at the same instant.
"""
import calendar
import datetime
import json
import subprocess
from unittest import mock

import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from aws_tools import tool

AK = "AKIDEXAMPLE"
SK = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+session/token=="
SSM_CT = "application/x-amz-json-1.1"
STS_CT = "application/x-www-form-urlencoded; charset=utf-8"


def ts(s):
    return calendar.timegm(datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S").timetuple())


def ssm(op, body, region="us-east-1", token=None, when="2026-11-29T13:45:07", url=None,
        extra=()):
    return {
        "method": "POST",
        "url": url or f"https://ssm.{region}.amazonaws.com/",
        "headers": [["Content-Type", SSM_CT], ["X-Amz-Target", f"AmazonSSM.{op}"], *extra],
        "body": body.encode("utf-8"),
        "token": token, "region": region, "service": "ssm", "time": ts(when),
    }


def sts(form, region="us-east-1", token=None, when="2026-11-29T13:45:07", url=None):
    suffix = ".amazonaws.com.cn" if region.startswith("cn-") else ".amazonaws.com"
    return {
        "method": "POST",
        "url": url or f"https://sts.{region}{suffix}/",
        "headers": [["Content-Type", STS_CT]],
        "body": form.encode("utf-8"),
        "token": token, "region": region, "service": "sts", "time": ts(when),
    }


BIG = json.dumps({"ApprovalRules": {"PatchRules": [
    {"PatchFilterGroup": {"PatchFilters": [{"Key": "CLASSIFICATION", "Values": ["Security"] * 20}]},
     "ApproveAfterDays": i % 360} for i in range(1500)]}})

CASES = {
    "ssm_get_baseline": ssm("GetPatchBaseline", '{"BaselineId":"pb-0123456789abcdef0"}'),
    "ssm_session_token": ssm("GetPatchBaseline", '{"BaselineId":"pb-0123456789abcdef0"}',
                             token=TOKEN),
    "ssm_empty_body": ssm("DescribePatchBaselines", "", region="us-west-2"),
    "ssm_empty_object": ssm("DescribeMaintenanceWindows", "{}", region="eu-west-1"),
    "ssm_large_body": ssm("CreatePatchBaseline", BIG, region="eu-central-1", token=TOKEN),
    "ssm_non_ascii_body": ssm("CreateMaintenanceWindow",
                              '{"Name":"mw-stg","Description":"パッチ適用 (STG) — ü ß"}',
                              region="ap-northeast-1"),
    "ssm_non_ascii_header": ssm("GetMaintenanceWindow", '{"WindowId":"mw-0123456789abcdef0"}',
                                extra=[["X-Custom-Note", "  日本語   テスト\tvalue  "]]),
    "ssm_unicode_spaces": ssm("GetMaintenanceWindow", "{}",
                              extra=[["X-Note", "a\u3000\u3000b\u00a0c\u2003d x\x1fy"]]),
    "ssm_cn_north_1": ssm("GetPatchBaseline", '{"BaselineId":"pb-1"}', region="cn-north-1",
                          url="https://ssm.cn-north-1.amazonaws.com.cn/", token=TOKEN),
    "ssm_us_gov_west_1": ssm("GetPatchBaseline", '{"BaselineId":"pb-1"}', region="us-gov-west-1"),
    "ssm_day_end": ssm("ListTagsForResource", '{"ResourceType":"PatchBaseline","ResourceId":"pb-1"}',
                       when="2026-12-31T23:59:59"),
    "ssm_day_start": ssm("ListTagsForResource", '{"ResourceType":"PatchBaseline","ResourceId":"pb-1"}',
                         when="2027-01-01T00:00:00"),
    "ssm_leap_day_end": ssm("GetDefaultPatchBaseline", '{"OperatingSystem":"AMAZON_LINUX_2"}',
                            when="2028-02-29T23:59:59", region="ap-southeast-1"),
    "ssm_emulator_port": ssm("GetPatchBaseline", '{"BaselineId":"pb-1"}',
                             url="http://127.0.0.1:4566/"),
    "ssm_explicit_443": ssm("GetPatchBaseline", "{}", url="https://ssm.us-east-1.amazonaws.com:443/"),
    "ssm_explicit_80_http": ssm("GetPatchBaseline", "{}", url="http://localhost:80"),
    "ssm_upper_host": ssm("GetPatchBaseline", "{}", url="https://SSM.US-EAST-1.AmazonAWS.com/"),
    "ssm_ignored_headers": ssm("GetPatchBaseline", "{}", extra=[
        ["User-Agent", "terraform-provider-ssmpatch/0.1.0"], ["Expect", "100-continue"],
        ["X-Amzn-Trace-Id", "Root=1-abc"]]),
    "ssm_duplicate_headers": ssm("GetPatchBaseline", "{}", extra=[
        ["X-Dup", "one"], ["x-dup", " two  words "], ["X-DUP", "three"]]),
    "sts_assume_role": sts("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A"
                           "123456789012%3Arole%2Fdeploy&RoleSessionName=ssmpatch-1764420000"
                           "&DurationSeconds=3600&ExternalId=ext%2B1", token=TOKEN),
    "sts_get_caller_identity": sts("Action=GetCallerIdentity&Version=2011-06-15"),
    "sts_cn_northwest_1": sts("Action=GetCallerIdentity&Version=2011-06-15", region="cn-northwest-1"),
    "sts_us_gov_day_boundary": sts("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws-us-gov"
                                   "%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=s",
                                   region="us-gov-west-1", when="2026-11-29T00:00:00",
                                   token=TOKEN),
    "get_query_and_path": {
        "method": "GET",
        "url": "https://example.amazonaws.com/a/./b//c/../d%20e/f g/ü/?b=2&a=1&a=0&c",
        "headers": [["X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"]], "body": b"",
        "token": None, "region": "us-east-1", "service": "service",
        "time": ts("2015-08-30T12:36:00")},
    # AWS sigv4 test suite "get-vanilla" and "post-vanilla" inputs.
    "aws_suite_get_vanilla": {
        "method": "GET", "url": "https://example.amazonaws.com/", "headers": [], "body": b"",
        "token": None, "region": "us-east-1", "service": "service",
        "time": ts("2015-08-30T12:36:00")},
    "aws_suite_post_vanilla": {
        "method": "POST", "url": "https://example.amazonaws.com/", "headers": [], "body": b"",
        "token": None, "region": "us-east-1", "service": "service",
        "time": ts("2015-08-30T12:36:00")},
}


class _Capture(SigV4Auth):
    def canonical_request(self, request):
        self.cr = super().canonical_request(request)
        return self.cr

    def string_to_sign(self, request, canonical_request):
        self.sts = super().string_to_sign(request, canonical_request)
        return self.sts


def botocore_sign(case):
    req = AWSRequest(method=case["method"], url=case["url"], data=case["body"])
    for name, value in case["headers"]:
        req.headers[name] = value  # HTTPHeaders: appends, like a repeated header
    frozen = datetime.datetime.utcfromtimestamp(case["time"])

    class FrozenDateTime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return frozen

    auth = _Capture(Credentials(AK, SK, case["token"]), case["service"], case["region"])
    with mock.patch.object(botocore.auth.datetime, "datetime", FrozenDateTime):
        auth.add_auth(req)
    return {
        "authorization": req.headers["Authorization"],
        "amz_date": req.headers["X-Amz-Date"],
        "canonical_request": auth.cr,
        "string_to_sign": auth.sts,
    }


def c_sign(cases):
    payload = [{
        "method": c["method"], "url": c["url"], "headers": c["headers"],
        "body_hex": c["body"].hex(), "access_key": AK, "secret_key": SK, "token": c["token"],
        "region": c["region"], "service": c["service"], "time": c["time"],
    } for c in cases]
    out = subprocess.run([tool("sigv4_driver")], input=json.dumps(payload).encode(),
                         capture_output=True, check=True)
    return json.loads(out.stdout)


def test_table_has_enough_cases():
    assert len(CASES) >= 15


def test_c_signer_equals_botocore():
    names = sorted(CASES)
    ours = c_sign([CASES[n] for n in names])
    mismatches = []
    for name, got in zip(names, ours):
        want = botocore_sign(CASES[name])
        assert not got.get("error"), f"{name}: C signer refused the request"
        for k in ("canonical_request", "string_to_sign", "amz_date", "authorization"):
            if got[k] != want[k]:
                mismatches.append(f"{name}.{k}:\n  C:        {got[k]!r}\n  botocore: {want[k]!r}")
    assert not mismatches, "\n".join(mismatches)


def test_session_token_is_signed():
    got = c_sign([CASES["ssm_session_token"]])[0]
    assert "x-amz-security-token" in got["authorization"].split("SignedHeaders=")[1]
    assert "x-amz-content-sha256" not in got["authorization"]


def test_aws_suite_known_signatures():
    # Published expected signatures of the AWS SigV4 test suite.
    got = c_sign([CASES["aws_suite_get_vanilla"], CASES["aws_suite_post_vanilla"]])
    assert got[0]["authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    assert got[1]["signature"] == "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"


def test_date_header_rejected():
    case = dict(CASES["ssm_empty_body"], headers=[["Date", "Sun, 29 Nov 2026 13:45:07 GMT"]])
    assert c_sign([case])[0].get("error")

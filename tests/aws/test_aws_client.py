"""End-to-end tests of provider/aws through tests/tools/aws_driver against the
local mock in mock_aws.py (IMDSv2, STS, SSM; every signature checked with
botocore): the credential chain and its order, assume_role, account ID,
region/endpoint resolution, error mapping, retries, ExpiredToken refresh,
pagination, concurrency with connection reuse, cancellation, and that no
secret reaches the log.
"""
import json
import os
import subprocess
import time

import pytest

from aws_tools import tool
from mock_aws import MockAWS

SECRET = "static-secret-KEY/+="


@pytest.fixture
def aws():
    with MockAWS() as m:
        m.add_key("AKIASTATIC", SECRET, account="111122223333")
        yield m


@pytest.fixture
def home(tmp_path):
    (tmp_path / ".aws").mkdir()
    return tmp_path


def run(config, actions, env=None, home=None, timeout=60, log=None):
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("AWS_") and "proxy" not in k.lower() and not k.startswith("TF_LOG")}
    e["HOME"] = str(home) if home else "/nonexistent"
    e["AWS_EC2_METADATA_DISABLED"] = "true"
    if log:
        e["TF_LOG"] = log
    e.update(env or {})
    e = {k: v for k, v in e.items() if v is not None}
    p = subprocess.run([tool("aws_driver")], input=json.dumps(
        {"config": config, "actions": actions}).encode(), env=e, capture_output=True,
        timeout=timeout)
    assert p.returncode == 0, p.stderr.decode()
    lines = [json.loads(l) for l in p.stdout.decode().splitlines()]
    if log:
        return lines, p.stderr.decode()
    return lines


def base(aws, **kw):
    cfg = {"region": "us-east-1", "endpoints": {"ssm": aws.url + "/", "sts": aws.url + "/"},
           "max_retries": 2}
    cfg.update(kw)
    return cfg


GET = {"do": "ssm", "op": "GetPatchBaseline", "req": {"BaselineId": "pb-1"}}


# ---- credential chain ----

def test_static_keys_sign_ssm_call(aws):
    [r] = run(base(aws, access_key="AKIASTATIC", secret_key=SECRET), [GET])
    assert r["ok"], r
    assert r["out"] == {"Op": "GetPatchBaseline", "AccessKeyId": "AKIASTATIC",
                        "Region": "us-east-1", "Request": {"BaselineId": "pb-1"}}
    [call] = aws.calls("ssm")
    assert call["content_type"] == "application/x-amz-json-1.1"
    assert call["error"] is None


def test_static_keys_beat_environment(aws):
    aws.add_key("AKIAENV", "env-secret")
    [r] = run(base(aws, access_key="AKIASTATIC", secret_key=SECRET), [GET],
              env={"AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "env-secret"})
    assert r["out"]["AccessKeyId"] == "AKIASTATIC"


def test_environment_with_session_token(aws):
    aws.add_key("ASIAENV", "env-secret", token="env-session-token")
    [r] = run(base(aws), [GET], env={"AWS_ACCESS_KEY_ID": "ASIAENV",
                                     "AWS_SECRET_ACCESS_KEY": "env-secret",
                                     "AWS_SESSION_TOKEN": "env-session-token"})
    assert r["ok"], r
    assert r["out"]["AccessKeyId"] == "ASIAENV"


def test_environment_beats_shared_files(aws, home):
    aws.add_key("AKIAENV", "env-secret")
    (home / ".aws/credentials").write_text(
        "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = file-secret\n")
    [r] = run(base(aws), [GET], home=home,
              env={"AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "env-secret"})
    assert r["out"]["AccessKeyId"] == "AKIAENV"


def test_default_profile_from_home(aws, home):
    aws.add_key("AKIAFILE", "file-secret")
    (home / ".aws/credentials").write_text(
        "# comment\n[default]\naws_access_key_id = AKIAFILE\n"
        "aws_secret_access_key=file-secret\n\n[other]\naws_access_key_id = X\n")
    (home / ".aws/config").write_text("[default]\nregion = eu-west-3\n")
    cfg = base(aws)
    del cfg["region"]
    r = run(cfg, [{"do": "region"}, GET], home=home)
    assert r[0] == {"ok": True, "region": "eu-west-3", "partition": "aws"}
    assert r[1]["out"]["AccessKeyId"] == "AKIAFILE"
    assert r[1]["out"]["Region"] == "eu-west-3"


def test_named_profile_config_vs_credentials_sections(aws, tmp_path):
    aws.add_key("AKIASTG", "stg-secret", token="stg-token")
    creds = tmp_path / "creds"
    conf = tmp_path / "conf"
    creds.write_text("[stg]\naws_access_key_id = AKIASTG\naws_secret_access_key = stg-secret\n"
                     "aws_session_token = stg-token\n")
    # "[stg]" in the config file is NOT the stg profile; "[profile stg]" is.
    conf.write_text("[stg]\nregion = us-west-1\n[profile stg]\nregion = ap-northeast-1\n"
                    "s3 =\n  max_concurrency = 10\n")
    cfg = base(aws, shared_config_files=[str(conf)], shared_credentials_files=[str(creds)])
    del cfg["region"]
    r = run(cfg, [{"do": "region"}, GET], env={"AWS_PROFILE": "stg"})
    assert r[0]["region"] == "ap-northeast-1"
    assert r[1]["out"]["AccessKeyId"] == "AKIASTG"


def test_provider_profile_beats_aws_profile_and_files_from_env(aws, tmp_path):
    aws.add_key("AKIAPRD", "prd-secret")
    creds = tmp_path / "creds"
    creds.write_text("[prd]\naws_access_key_id = AKIAPRD\naws_secret_access_key = prd-secret\n"
                     "[stg]\naws_access_key_id = AKIASTG\naws_secret_access_key = x\n")
    [r] = run(base(aws, profile="prd"), [GET],
              env={"AWS_PROFILE": "stg", "AWS_SHARED_CREDENTIALS_FILE": str(creds)})
    assert r["out"]["AccessKeyId"] == "AKIAPRD"


def test_later_shared_file_overrides_earlier(aws, tmp_path):
    aws.add_key("AKIASECOND", "second")
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("[default]\naws_access_key_id = AKIAFIRST\naws_secret_access_key = first\n")
    b.write_text("[default]\naws_access_key_id = AKIASECOND\naws_secret_access_key = second\n")
    [r] = run(base(aws, shared_credentials_files=[str(a), str(tmp_path / "missing"), str(b)]),
              [GET])
    assert r["out"]["AccessKeyId"] == "AKIASECOND"


def test_unknown_explicit_profile_is_config_error(aws, home):
    [r] = run(base(aws, profile="nope"), [GET], home=home)
    assert not r["ok"] and r["code"] == "configuration error"
    assert 'profile "nope" not found' in r["message"]


def test_profile_role_arn_with_source_profile(aws, tmp_path):
    aws.add_key("AKIABASE", "base-secret")
    conf = tmp_path / "conf"
    conf.write_text("[profile base]\naws_access_key_id = AKIABASE\n"
                    "aws_secret_access_key = base-secret\n"
                    "[profile deploy]\nrole_arn = arn:aws:iam::999988887777:role/deploy\n"
                    "source_profile = base\nrole_session_name = from-profile\nexternal_id = ext-9\n")
    r = run(base(aws, profile="deploy", shared_config_files=[str(conf)]), [GET])
    assert r[0]["ok"], r
    [sts] = aws.calls("sts")
    assert sts["who"][0] == "AKIABASE"
    assert sts["form"]["RoleArn"] == "arn:aws:iam::999988887777:role/deploy"
    assert sts["form"]["RoleSessionName"] == "from-profile"
    assert sts["form"]["ExternalId"] == "ext-9"
    assert r[0]["out"]["AccessKeyId"].startswith("ASIAROLE")


def test_imdsv2(aws):
    env = {"AWS_EC2_METADATA_DISABLED": None, "AWS_EC2_METADATA_SERVICE_ENDPOINT": aws.url}
    r = run(base(aws), [GET, GET], env=env)
    assert r[0]["ok"] and r[1]["ok"], r
    assert r[0]["out"]["AccessKeyId"] == "ASIAIMDS0001"
    [tok] = aws.calls("imds_token")
    assert tok["ttl"] == "21600"
    gets = aws.calls("imds_get")
    assert [g["path"] for g in gets] == ["/latest/meta-data/iam/security-credentials/",
                                         "/latest/meta-data/iam/security-credentials/ec2-ssm-role"]
    assert all(g["token"] == aws.imds_token for g in gets)
    assert aws.imds_counter == 1  # cached across the two calls


def test_imds_credentials_refreshed_within_five_minutes_of_expiry(aws):
    aws.imds_lifetime = 240  # already inside the 5-minute refresh window
    env = {"AWS_EC2_METADATA_DISABLED": None, "AWS_EC2_METADATA_SERVICE_ENDPOINT": aws.url}
    r = run(base(aws), [GET, GET, GET], env=env)
    assert [x["out"]["AccessKeyId"] for x in r] == ["ASIAIMDS0001", "ASIAIMDS0002", "ASIAIMDS0003"]


def test_imds_disabled_means_no_credentials(aws):
    env = {"AWS_EC2_METADATA_DISABLED": "TRUE", "AWS_EC2_METADATA_SERVICE_ENDPOINT": aws.url}
    [r] = run(base(aws), [GET], env=env)
    assert r["code"] == "configuration error" and "No AWS credentials found" in r["message"]
    assert "EC2 instance metadata (IMDSv2): AWS_EC2_METADATA_DISABLED is true" in r["message"]
    assert aws.calls("imds_token") == []


def test_no_imds_endpoint_fails_fast(aws):
    # Nothing listens on this port: the chain must end quickly, not hang.
    env = {"AWS_EC2_METADATA_DISABLED": None,
           "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9"}
    [r] = run(base(aws), [GET], env=env)
    assert r["code"] == "configuration error"
    # One try of the IMDS token, refused, and the chain ends there (run()'s
    # timeout catches a hang).
    assert "EC2 instance metadata (IMDSv2)" in r["message"], r["message"]


# ---- assume_role and account ID ----

def test_assume_role_and_account_from_arn(aws):
    cfg = base(aws, access_key="AKIASTATIC", secret_key=SECRET,
               assume_role={"role_arn": "arn:aws:iam::210987654321:role/ssm-admin",
                            "session_name": "tf-stg", "external_id": "ext id&1",
                            "duration_seconds": 1800})
    r = run(cfg, [GET, {"do": "account_id"}, GET])
    assert r[0]["ok"], r
    assert r[0]["out"]["AccessKeyId"] == "ASIAROLE0001"
    assert r[1] == {"ok": True, "account_id": "210987654321"}
    [sts] = aws.calls("sts")  # one AssumeRole; no GetCallerIdentity; cached
    assert sts["form"] == {"Action": "AssumeRole", "Version": "2011-06-15",
                           "RoleArn": "arn:aws:iam::210987654321:role/ssm-admin",
                           "RoleSessionName": "tf-stg", "DurationSeconds": "1800",
                           "ExternalId": "ext id&1"}
    assert sts["who"][0] == "AKIASTATIC" and sts["who"][2] == "sts"
    assert sts["content_type"] == "application/x-www-form-urlencoded; charset=utf-8"


def test_assume_role_refreshed_before_expiry(aws):
    aws.assumed_lifetime = 200
    cfg = base(aws, access_key="AKIASTATIC", secret_key=SECRET,
               assume_role={"role_arn": "arn:aws:iam::210987654321:role/r"})
    r = run(cfg, [GET, GET])
    assert [x["out"]["AccessKeyId"] for x in r] == ["ASIAROLE0001", "ASIAROLE0002"]
    assert aws.calls("sts")[0]["form"]["RoleSessionName"].startswith("ssmpatch-")


def test_assume_role_denied(aws):
    cfg = base(aws, access_key="AKIAUNKNOWN", secret_key="x",
               assume_role={"role_arn": "arn:aws:iam::210987654321:role/r"})
    [r] = run(cfg, [GET])
    assert r["code"] == "authentication or authorization error"
    assert r["aws_code"] == "UnrecognizedClientException"
    assert "arn:aws:iam::210987654321:role/r" in r["message"]


def test_account_id_via_get_caller_identity_once(aws):
    r = run(base(aws, access_key="AKIASTATIC", secret_key=SECRET),
            [{"do": "account_id"}, {"do": "account_id"}])
    assert r == [{"ok": True, "account_id": "111122223333"}] * 2
    assert [s["form"]["Action"] for s in aws.calls("sts")] == ["GetCallerIdentity"]


# ---- region, partition, endpoints ----

@pytest.mark.parametrize("env,region", [
    ({"AWS_REGION": "eu-north-1", "AWS_DEFAULT_REGION": "eu-south-1"}, "eu-north-1"),
    ({"AWS_DEFAULT_REGION": "eu-south-1"}, "eu-south-1"),
])
def test_region_from_environment(aws, env, region):
    cfg = base(aws)
    del cfg["region"]
    assert run(cfg, [{"do": "region"}], env=env)[0]["region"] == region


def test_provider_region_beats_environment(aws):
    r = run(base(aws, region="cn-north-1"), [{"do": "region"}], env={"AWS_REGION": "eu-north-1"})
    assert r[0] == {"ok": True, "region": "cn-north-1", "partition": "aws-cn"}


def test_no_region_is_config_error(aws, home):
    cfg = base(aws)
    del cfg["region"]
    [r] = run(cfg, [], home=home)
    assert r["client_error"]["code"] == "configuration error"
    assert "no AWS region" in r["client_error"]["message"]


def test_bad_endpoint_is_config_error(aws):
    [r] = run(base(aws, endpoints={"ssm": "ftp://x"}), [])
    assert r["client_error"]["code"] == "configuration error"
    assert "endpoints.ssm" in r["client_error"]["message"]


# ---- errors, retries, pagination ----

def test_error_mapping_not_found(aws):
    aws.ssm_script = [(400, {}, json.dumps({"__type": "com.amazonaws.ssm#DoesNotExistException",
                                            "Message": "Baseline pb-1 does not exist."}))]
    [r] = run(base(aws, access_key="AKIASTATIC", secret_key=SECRET), [GET])
    assert r["code"] == "not found" and r["aws_code"] == "DoesNotExistException"
    assert r["message"] == "Baseline pb-1 does not exist." and r["status"] == 400
    assert r["operation"] == "GetPatchBaseline"
    assert len(aws.calls("ssm")) == 1  # not retried


def test_html_502_then_success_is_retried(aws):
    aws.ssm_script = [(502, {"Content-Type": "text/html"}, "<html><body>Bad Gateway</body></html>"),
                      (200, {}, "{}")]
    [r] = run(base(aws, access_key="AKIASTATIC", secret_key=SECRET), [GET])
    assert r["ok"] and r["out"] == {}
    assert len(aws.calls("ssm")) == 2


def test_throttling_retried_up_to_max_retries(aws):
    aws.ssm_script = [(400, {}, json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}))] * 10
    [r] = run(base(aws, access_key="AKIASTATIC", secret_key=SECRET, max_retries=3), [GET])
    assert r["code"] == "throttled" and r["message"] == "Rate exceeded"
    assert len(aws.calls("ssm")) == 4


def test_response_body_limit(aws):
    big = json.dumps({"Blob": "x" * (16 * 1024 * 1024)})
    aws.ssm_script = [(200, {}, big)]
    [r] = run(base(aws, access_key="AKIASTATIC", secret_key=SECRET), [GET])
    assert r["code"] == "error" and "larger than 16777216 bytes" in r["message"], r
    assert len(aws.calls("ssm")) == 1  # not retried


def test_error_type_header_fallback(aws):
    aws.ssm_script = [(400, {"x-amzn-ErrorType": "ResourceInUseException:http://internal/"}, "")]
    [r] = run(base(aws, access_key="AKIASTATIC", secret_key=SECRET), [GET])
    assert r["code"] == "in use" and r["aws_code"] == "ResourceInUseException"


def test_expired_token_refreshes_credentials_once(aws):
    env = {"AWS_EC2_METADATA_DISABLED": None, "AWS_EC2_METADATA_SERVICE_ENDPOINT": aws.url}
    aws.ssm_script = [(400, {}, json.dumps({"__type": "ExpiredTokenException",
                                            "message": "The security token included in the request is expired"}))]
    [r] = run(base(aws), [GET], env=env)
    assert r["ok"], r
    assert r["out"]["AccessKeyId"] == "ASIAIMDS0002"
    assert len(aws.calls("ssm")) == 2


def test_expired_token_twice_is_auth_error(aws):
    body = json.dumps({"__type": "ExpiredTokenException", "message": "expired"})
    aws.ssm_script = [(400, {}, body)] * 5
    [r] = run(base(aws, access_key="AKIASTATIC", secret_key=SECRET), [GET])
    assert r["code"] == "authentication or authorization error"
    assert len(aws.calls("ssm")) == 2


@pytest.mark.parametrize("offset", [3600, -7200])
def test_clock_skew_corrected_from_server_date(aws, offset):
    aws.clock_offset = offset  # the server's clock (and Date header) is off ours
    r = run(base(aws, access_key="AKIASTATIC", secret_key=SECRET), [GET, GET])
    assert r[0]["ok"] and r[1]["ok"], r
    calls = aws.calls("ssm")
    assert [c["error"] for c in calls] == ["InvalidSignatureException", None, None]


def test_wrong_secret_is_auth_error_without_retry(aws):
    [r] = run(base(aws, access_key="AKIASTATIC", secret_key="wrong"), [GET])
    assert r["code"] == "authentication or authorization error"
    assert r["aws_code"] == "InvalidSignatureException"
    assert len(aws.calls("ssm")) == 1


def test_pagination(aws):
    [r] = run(base(aws, access_key="AKIASTATIC", secret_key=SECRET),
              [{"do": "ssm_all", "op": "DescribePatchBaselines", "req": {"MaxResults": 3},
                "list": "BaselineIdentities"}])
    assert [b["BaselineId"] for b in r["out"]] == [f"pb-{i:017d}" for i in range(7)]
    reqs = [c["req"] for c in aws.calls("ssm")]
    assert reqs == [{"MaxResults": 3}, {"MaxResults": 3, "NextToken": "3"},
                    {"MaxResults": 3, "NextToken": "6"}]


# ---- concurrency, cancellation, logging ----

def test_parallel_calls_reuse_connections(aws):
    r = run(base(aws, access_key="AKIASTATIC", secret_key=SECRET),
            [{**GET, "do": "parallel", "threads": 8, "calls": 10}])
    assert r[0] == {"ok": True, "succeeded": 80}
    assert len(aws.calls("ssm")) == 80
    # One connection per concurrent thread at most, reused across the 80 calls.
    assert aws.connections <= 8, aws.connections


# ---- Stop: a sent mutating request finishes, nothing else is sent ----

def start(config, actions, tmp_path, env=None):
    """The driver with its input in a file and stdin left for "cancel" lines."""
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("AWS_") and "proxy" not in k.lower() and not k.startswith("TF_LOG")}
    e.update({"HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"}, **(env or {}))
    inp = tmp_path / "driver-input.json"
    inp.write_text(json.dumps({"config": config, "actions": actions}))
    return subprocess.Popen([tool("aws_driver"), str(inp)], env=e, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def stop_when(proc, pred, timeout=30):
    """Send the driver's Stop once pred() holds (the event, not a delay)."""
    t0 = time.monotonic()
    while not pred():
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() - t0 < timeout, "event not reached"
        time.sleep(0.01)
    proc.stdin.write(b"cancel\n")
    proc.stdin.flush()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    return [json.loads(l) for l in out.decode().splitlines()]


CREATE = {"do": "ssm", "op": "CreatePatchBaseline", "req": {"Name": "b"}}


def test_stop_lets_a_sent_create_finish_and_sends_nothing_more(aws, tmp_path):
    aws.ssm_delay = 1.5  # the answer comes 1.5 s after the request arrived
    proc = start(base(aws, access_key="AKIASTATIC", secret_key=SECRET),
                 [{"do": "cancel_on_stdin"}, CREATE, CREATE, GET], tmp_path)
    r = stop_when(proc, lambda: len(aws.calls("ssm")) == 1)
    # The create on the wire at Stop finished: its answer is the result.
    assert r[1]["ok"], r[1]
    assert r[1]["out"]["Op"] == "CreatePatchBaseline"
    # Nothing after Stop was sent: not the next create, not a read.
    assert r[2]["code"] == "cancelled" and "before it was sent" in r[2]["message"], r[2]
    assert r[3]["code"] == "cancelled", r[3]
    assert [c["op"] for c in aws.calls("ssm")] == ["CreatePatchBaseline"]


def test_stop_aborts_a_sent_read(aws, tmp_path):
    aws.ssm_delay = 60  # never answers within the test
    proc = start(base(aws, access_key="AKIASTATIC", secret_key=SECRET),
                 [{"do": "cancel_on_stdin"}, GET, GET], tmp_path)
    r = stop_when(proc, lambda: len(aws.calls("ssm")) == 1)
    # The read on the wire is aborted (the mock never answered it) and the
    # next one is not sent.
    assert r[1]["code"] == "cancelled" and r[1]["message"] == "request cancelled (Stop)", r[1]
    assert r[2]["code"] == "cancelled", r[2]
    assert len(aws.calls("ssm")) == 1


def test_stop_interrupts_a_backoff_wait(aws, tmp_path):
    aws.ssm_script = [(503, {}, "")] * 20
    proc = start(base(aws, access_key="AKIASTATIC", secret_key=SECRET, max_retries=20),
                 [{"do": "cancel_on_stdin"}, GET], tmp_path)
    # Stop once a retry has come back: the call is then waiting to retry. (">=",
    # not "==": on a loaded machine the poll may first see a later retry, and
    # "== 2" then never held again.)
    at_stop = []

    def retried():
        n = len(aws.calls("ssm"))
        if n >= 2:
            at_stop.append(n)
        return bool(at_stop)
    r = stop_when(proc, retried)
    # The wait ended in "cancelled", not in the 503 after 20 retries, and no
    # retry went out after Stop (at most the one already on its way).
    assert r[1]["code"] == "cancelled", r[1]
    assert len(aws.calls("ssm")) <= at_stop[0] + 1, (at_stop, aws.calls("ssm"))


def test_stop_does_not_retry_a_sent_create_that_failed(aws, tmp_path):
    aws.ssm_delay = 1.5
    aws.ssm_script = [(503, {}, json.dumps({"__type": "ServiceUnavailable", "message": "busy"}))] * 5
    proc = start(base(aws, access_key="AKIASTATIC", secret_key=SECRET, max_retries=5),
                 [{"do": "cancel_on_stdin"}, CREATE], tmp_path)
    r = stop_when(proc, lambda: len(aws.calls("ssm")) == 1)
    # The answer of the one attempt sent is the result; no retry went out.
    assert r[1]["code"] == "server error" and r[1]["status"] == 503, r[1]
    assert r[1]["message"] == "not retried after Stop: busy", r[1]
    assert len(aws.calls("ssm")) == 1


def test_no_secrets_in_trace_log(aws):
    aws.add_key("ASIAENV", "env-secret-XYZ", token="env-session-token-XYZ")
    lines, stderr = run(
        base(aws, assume_role={"role_arn": "arn:aws:iam::210987654321:role/r"}),
        [{"do": "ssm", "op": "CreatePatchBaseline",
          "req": {"Name": "b", "Sources": [{"Name": "s", "Configuration": "password=hunter2",
                                            "Products": ["p"]}]}}],
        env={"AWS_ACCESS_KEY_ID": "ASIAENV", "AWS_SECRET_ACCESS_KEY": "env-secret-XYZ",
             "AWS_SESSION_TOKEN": "env-session-token-XYZ"}, log="TRACE")
    assert lines[0]["ok"], lines
    assert "CreatePatchBaseline" in stderr  # the log really is on
    for secret in ("env-secret-XYZ", "env-session-token-XYZ", "role-secret", "role-token",
                   "hunter2", "Signature=", "Authorization"):
        assert secret not in stderr, secret


# ---- TLS ----

@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem")],
                   check=True, capture_output=True)
    return str(d / "cert.pem"), str(d / "key.pem")


def test_https_with_ca_bundle_reuses_connections(cert):
    with MockAWS(tls=cert) as m:
        m.add_key("AKIASTATIC", SECRET)
        r = run(base(m, access_key="AKIASTATIC", secret_key=SECRET),
                [{**GET, "do": "parallel", "threads": 4, "calls": 10}],
                env={"AWS_CA_BUNDLE": cert[0]})
        assert r[0] == {"ok": True, "succeeded": 40}
        # 40 signed calls over at most one TLS connection (handshake) per thread
        assert m.connections <= 4, m.connections


def test_https_verification_cannot_be_skipped(cert):
    with MockAWS(tls=cert) as m:
        m.add_key("AKIASTATIC", SECRET)
        [r] = run(base(m, access_key="AKIASTATIC", secret_key=SECRET, max_retries=5), [GET])
        assert r["code"] == "configuration error", r  # untrusted certificate: not retried
        assert "certificate" in r["message"].lower() or "SSL" in r["message"], r
        assert m.calls("ssm") == []


def test_https_default_trust_is_the_ca_directory(cert):
    """Without AWS_CA_BUNDLE the trust anchors are libcurl's CA directory,
    looked up by issuer hash (when it has hash links, as Debian's
    /etc/ssl/certs does), not its bundle file parsed whole for every easy
    handle (provider/aws/http.c, g_ca_dir); a certificate it does not hold
    is still refused."""
    capath = "/etc/ssl/certs"
    if not os.path.isdir(capath) or not any(
            len(n) >= 10 and n[8:9] == "." and all(c in "0123456789abcdef" for c in n[:8])
            for n in os.listdir(capath)):
        pytest.skip("no hashed CA directory at %s" % capath)
    with MockAWS(tls=cert) as m:
        m.add_key("AKIASTATIC", SECRET)
        lines, stderr = run(base(m, access_key="AKIASTATIC", secret_key=SECRET, max_retries=0),
                            [GET], log="DEBUG")
        assert lines[0]["code"] == "configuration error", lines
        assert "trusted CAs: directory %s" % capath in stderr, stderr[-2000:]
        assert m.calls("ssm") == []


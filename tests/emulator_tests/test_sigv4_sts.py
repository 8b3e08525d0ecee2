"""SigV4 verification, STS GetCallerIdentity/AssumeRole, and per-account state."""

import datetime
import http.client
import json
import re
import urllib.parse

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from emu_helpers import error_code, make_client
from emulator import Emulator, SSMError

OTHER = ("AKIAOTHERKEY00000001", "other-secret", "999999999999")


@pytest.fixture(scope="module")
def signed_server():
    with Emulator(check_sigv4=True, seed=11, keys=[OTHER]) as emu:
        yield emu


@pytest.fixture
def semu(signed_server):
    signed_server.reset()
    signed_server.configure(assume_role_deny=[], inject=[])
    return signed_server


def signed_raw(emu, body, secret=None, date=None, tamper=None, token=None):
    headers = {"X-Amz-Target": "AmazonSSM.GetDefaultPatchBaseline",
               "Content-Type": "application/x-amz-json-1.1"}
    req = AWSRequest(method="POST", url=emu.url + "/", data=body, headers=headers)
    signer = SigV4Auth(Credentials(emu.access_key, secret or emu.secret_key, token), "ssm", emu.region)
    if date is None:
        signer.add_auth(req)
    else:
        req.context["timestamp"] = date
        req.headers["X-Amz-Date"] = date
        cr = signer.canonical_request(req)
        sig = signer.signature(signer.string_to_sign(req, cr), req)
        req.headers["Authorization"] = (
            "AWS4-HMAC-SHA256 Credential=%s/%s/%s/ssm/aws4_request, SignedHeaders=%s, Signature=%s"
            % (emu.access_key, date[:8], emu.region, signer.signed_headers(signer.headers_to_sign(req)), sig))
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
    try:
        conn.request("POST", "/", body=tamper if tamper is not None else body,
                     headers=dict(req.headers.items()))
        r = conn.getresponse()
        return r.status, json.loads(r.read())
    finally:
        conn.close()


def test_botocore_signed_requests_are_accepted(semu):
    ssm = make_client(semu, "ssm")
    bid = ssm.create_patch_baseline(Name="signed")["BaselineId"]
    assert ssm.get_patch_baseline(BaselineId=bid)["Name"] == "signed"
    assert semu.calls()["auth_errors"] == 0


def test_wrong_secret_is_refused_with_aws_message(semu):
    ssm = make_client(semu, "ssm", credentials=(semu.access_key, "not-the-secret", None))
    with pytest.raises(ClientError) as ei:
        ssm.create_patch_baseline(Name="refused")
    assert error_code(ei) == "InvalidSignatureException"
    assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert ei.value.response["Error"]["Message"].startswith(
        "The request signature we calculated does not match the signature you provided.")
    assert semu.inventory() == {}
    assert semu.calls()["auth_errors"] == 1


def test_unknown_key_missing_auth_tampered_body_and_stale_date(semu):
    ssm = make_client(semu, "ssm", credentials=("AKIAUNKNOWN000000000", "x", None))
    with pytest.raises(ClientError) as ei:
        ssm.get_default_patch_baseline()
    assert error_code(ei) == "UnrecognizedClientException"
    conn = http.client.HTTPConnection("127.0.0.1", semu.port, timeout=10)
    conn.request("POST", "/", body=b"{}", headers={"X-Amz-Target": "AmazonSSM.GetDefaultPatchBaseline",
                                                   "Content-Type": "application/x-amz-json-1.1"})
    r = conn.getresponse()
    assert r.status == 400 and json.loads(r.read())["__type"] == "MissingAuthenticationTokenException"
    conn.close()
    status, body = signed_raw(semu, b"{}")
    assert status == 200 and body["OperatingSystem"] == "WINDOWS"
    status, body = signed_raw(semu, b'{"OperatingSystem":"WINDOWS"}',
                              tamper=b'{"OperatingSystem":"UBUNTU!"}')
    assert status == 403 and body["__type"] == "InvalidSignatureException"
    old = (datetime.datetime.utcnow() - datetime.timedelta(minutes=20)).strftime("%Y%m%dT%H%M%SZ")
    status, body = signed_raw(semu, b"{}", date=old)
    assert status == 400 and body["__type"] == "InvalidSignatureException"
    assert body["message"].startswith("Signature expired")


def test_fixture_ssm_signs_its_calls(semu):
    assert semu.ssm("GetDefaultPatchBaseline", {})["OperatingSystem"] == "WINDOWS"
    with pytest.raises(SSMError) as ei:
        semu.ssm("GetDefaultPatchBaseline", {}, credentials=(semu.access_key, "bad"))
    assert ei.value.status == 403 and ei.value.code == "InvalidSignatureException"


def test_get_caller_identity(semu):
    sts = make_client(semu, "sts")
    me = sts.get_caller_identity()
    assert me["Account"] == "123456789012"
    assert me["Arn"] == "arn:aws:iam::123456789012:user/emulator"
    assert re.fullmatch(r"AIDA[0-9A-Z]{17}", me["UserId"])
    other = make_client(semu, "sts", credentials=(OTHER[0], OTHER[1], None)).get_caller_identity()
    assert other["Account"] == "999999999999"
    bad = make_client(semu, "sts", credentials=(semu.access_key, "wrong", None))
    with pytest.raises(ClientError) as ei:
        bad.get_caller_identity()
    assert error_code(ei) == "SignatureDoesNotMatch"
    assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_assume_role_gives_per_account_state(semu):
    sts = make_client(semu, "sts")
    out = sts.assume_role(RoleArn="arn:aws:iam::222222222222:role/deploy/ssmpatch",
                          RoleSessionName="tf-prd", DurationSeconds=900)
    cr = out["Credentials"]
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", cr["AccessKeyId"])
    assert cr["SessionToken"] and cr["SecretAccessKey"]
    left = cr["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(minutes=14) < left <= datetime.timedelta(minutes=15)
    assert out["AssumedRoleUser"]["Arn"] == "arn:aws:sts::222222222222:assumed-role/ssmpatch/tf-prd"
    assert out["AssumedRoleUser"]["AssumedRoleId"].endswith(":tf-prd")
    creds = (cr["AccessKeyId"], cr["SecretAccessKey"], cr["SessionToken"])
    prd_sts = make_client(semu, "sts", credentials=creds)
    assert prd_sts.get_caller_identity()["Account"] == "222222222222"
    prd = make_client(semu, "ssm", credentials=creds)
    stg = make_client(semu, "ssm")
    prd_id = prd.create_patch_baseline(Name="prd-al2", OperatingSystem="AMAZON_LINUX_2")["BaselineId"]
    stg_id = stg.create_patch_baseline(Name="stg-al2", OperatingSystem="AMAZON_LINUX_2")["BaselineId"]
    assert list(semu.inventory("222222222222")["patch_baselines"]) == [prd_id]
    assert list(semu.inventory("123456789012")["patch_baselines"]) == [stg_id]
    with pytest.raises(ClientError) as ei:
        stg.get_patch_baseline(BaselineId=prd_id)
    assert error_code(ei) == "DoesNotExistException"
    # the fixture can act as that account, too
    assert semu.ssm("GetPatchBaseline", {"BaselineId": prd_id}, credentials=creds)["Name"] == "prd-al2"
    # temporary keys need their session token
    no_token = make_client(semu, "ssm", credentials=(creds[0], creds[1], None))
    with pytest.raises(ClientError) as ei:
        no_token.get_default_patch_baseline()
    assert error_code(ei) == "UnrecognizedClientException"
    wrong_token = make_client(semu, "ssm", credentials=(creds[0], creds[1], creds[2][:-4] + "AAAA"))
    with pytest.raises(ClientError) as ei:
        wrong_token.get_default_patch_baseline()
    assert error_code(ei) == "UnrecognizedClientException"


def test_assume_role_validation_and_denial(semu):
    sts = make_client(semu, "sts")
    for kw, code in ((dict(RoleArn="arn:aws:iam::222222222222:role/x", RoleSessionName="a b"),
                      "ValidationError"),
                     (dict(RoleArn="arn:aws:iam::222222222222:role/x", RoleSessionName="ok",
                           DurationSeconds=60), "ValidationError"),
                     (dict(RoleArn="not-an-arn-but-long-enough", RoleSessionName="ok"),
                      "ValidationError"),
                     (dict(RoleArn="short", RoleSessionName="ok"), "ValidationError")):
        with pytest.raises(ClientError) as ei:
            sts.assume_role(**kw)
        assert error_code(ei) == code, kw
    semu.configure(assume_role_deny=["arn:aws:iam::333333333333:role/locked"])
    with pytest.raises(ClientError) as ei:
        sts.assume_role(RoleArn="arn:aws:iam::333333333333:role/locked", RoleSessionName="ok")
    assert error_code(ei) == "AccessDenied"
    assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "is not authorized to perform: sts:AssumeRole" in ei.value.response["Error"]["Message"]


def test_sts_unknown_action_and_fixture_assume_role(semu):
    form = urllib.parse.urlencode({"Action": "GetSessionToken", "Version": "2011-06-15"}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", semu.port, timeout=10)
    conn.request("POST", "/", body=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    text = r.read().decode()
    conn.close()
    assert r.status == 400 and "<Code>InvalidAction</Code>" in text and "<ErrorResponse" in text
    ak, sk, tok = semu.assume_role("arn:aws:iam::444444444444:role/r", "s1")
    assert ak.startswith("ASIA")
    semu.ssm("CreateMaintenanceWindow", {"Name": "prd-window", "Schedule": "rate(1 day)",
                                         "Duration": 2, "Cutoff": 1,
                                         "AllowUnassociatedTargets": False},
             credentials=(ak, sk, tok))
    assert len(semu.inventory("444444444444")["maintenance_windows"]) == 1


def test_region_comes_from_the_credential_scope(emu):
    eu = make_client(emu, "ssm", region="eu-west-1")
    d = eu.get_default_patch_baseline(OperatingSystem="AMAZON_LINUX_2")["BaselineId"]
    assert d.startswith("arn:aws:ssm:eu-west-1:")
    bid = eu.create_patch_baseline(Name="eu-only")["BaselineId"]
    assert bid in emu.inventory(emu.account, "eu-west-1")["patch_baselines"]
    assert emu.inventory(emu.account)["patch_baselines"] == {}


def test_accounts_without_sigv4_check(emu):
    """With the check off, known keys (incl. assumed-role keys) still pick the account,
    and X-Emulator-Account picks one for unsigned requests."""
    sts = make_client(emu, "sts")
    cr = sts.assume_role(RoleArn="arn:aws:iam::555555555555:role/r", RoleSessionName="s1")["Credentials"]
    prd = make_client(emu, "ssm", credentials=(cr["AccessKeyId"], cr["SecretAccessKey"], cr["SessionToken"]))
    prd.create_patch_baseline(Name="prd-side")
    assert len(emu.inventory("555555555555")["patch_baselines"]) == 1
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
    conn.request("POST", "/", body=json.dumps({"Name": "header-side"}).encode(), headers={
        "X-Amz-Target": "AmazonSSM.CreatePatchBaseline", "Content-Type": "application/x-amz-json-1.1",
        "X-Emulator-Account": "666666666666"})
    r = conn.getresponse()
    assert r.status == 200, r.read()
    r.read()
    conn.close()
    assert len(emu.inventory("666666666666")["patch_baselines"]) == 1

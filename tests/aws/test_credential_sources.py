"""The credential sources of issue 15 through provider/aws (tests/tools/aws_driver)
against the SSM emulator with --check-sigv4, which records which key signed each
call and in which account it landed: every source is given its own account, so
the account of the SSM call names the source that won.

- the precedence table: every pair of sources configured together picks the one
  the AWS SDK for Go v2 picks (the AWS provider's SDK, through aws-sdk-go-base);
- SSO: the token cache file named as the AWS CLI v2 names it (SHA-1 of the
  sso-session name, or of the start URL for the legacy form), the refresh token
  used and the cache rewritten, an expired token's "aws sso login" diagnostic;
- credential_process: exit 1 and bad JSON diagnostics with its stderr, never
  its stdout;
- container credentials: the allowed hosts of _FULL_URI, the token file;
- web identity: unsigned, the token checked by STS;
- no source at all: the diagnostic lists every source tried and why;
- no secret in any log line at TRACE.
"""
import hashlib
import json

import pytest

from cred_doubles import process_command, sso_cache_key, write_sso_cache
from cred_setup import ACCOUNT, EVIDENCE, REGION, SSO_TOKEN, TOKENS, Setup, role
from cred_setup import doubles, emu  # noqa: F401 - fixtures

# The precedence the AWS SDK for Go v2 applies and the AWS provider inherits:
#   - aws-sdk-go-base getCredentialsProvider: assume_role_with_web_identity
#     replaces the loaded credentials (PWI first); provider keys are passed as
#     a static credentials provider (P);
#   - aws-sdk-go-v2 config/resolve_credentials.go resolveCredentialChain:
#     environment keys (E), then AWS_WEB_IDENTITY_TOKEN_FILE (W), then the
#     profile, whose resolveCredsFromProfile takes, in order, source_profile
#     (R), static keys (S), credential_source, web_identity_token_file (F),
#     SSO (O), credential_process (C), then container credentials (K), and
#     last EC2 instance metadata (I);
#   - documented as "Credentials and configuration" on the AWS provider's
#     registry page and "Standardized credential providers" in the AWS SDKs
#     and Tools Reference Guide (docs.aws.amazon.com/sdkref/latest/guide/
#     standardized-credentials.html).
#   - and, after the profile's own source, `if len(sharedConfig.RoleARN) > 0`
#     the profile's role_arn is assumed with it: a profile holding static keys,
#     SSO or credential_process *and* F's role_arn gives F's role, assumed
#     (AssumeRole) with the winner's credentials.
ORDER = ["PWI", "P", "E", "W", "R", "S", "F", "O", "C", "K", "I"]
PAIRS = [(a, b) for i, a in enumerate(ORDER) for b in ORDER[i + 1:]]


def expected(winner, loser):
    if winner in ("S", "O", "C") and loser == "F":
        return {ACCOUNT["F"]}, {"AssumeRole"}
    return EVIDENCE[winner]


@pytest.mark.parametrize("winner,loser", PAIRS, ids=["%s>%s" % p for p in PAIRS])
def test_precedence_pair(emu, doubles, tmp_path, winner, loser):
    s = Setup(emu, doubles, tmp_path)
    getattr(s, loser)()
    getattr(s, winner)()  # last: where both set role_arn, the winner's is the one kept
    [r], _ = s.run()
    assert r.get("ok"), r
    assert s.evidence() == expected(winner, loser), (winner, loser, s.evidence())


@pytest.mark.parametrize("src", ORDER)
def test_each_source_alone(emu, doubles, tmp_path, src):
    s = Setup(emu, doubles, tmp_path)
    getattr(s, src)()
    [r], _ = s.run()
    assert r.get("ok"), r
    assert s.evidence() == EVIDENCE[src]


def test_provider_profile_beats_environment_keys_and_web_identity(emu, doubles, tmp_path):
    # aws-sdk-go-base: a profile in the provider block is used instead of the
    # environment's keys (config.WithSharedConfigProfile), as the AWS provider does.
    s = Setup(emu, doubles, tmp_path)
    s.E()
    s.W()
    s.S()
    s.cfg["profile"] = s.env.pop("AWS_PROFILE")
    [r], _ = s.run()
    assert r.get("ok"), r
    assert s.evidence() == EVIDENCE["S"]


def test_credential_source_variants(emu, doubles, tmp_path):
    for source, setup, account_of_base in (("Environment", "E", "E"), ("Ec2InstanceMetadata", "I", "I"),
                                           ("EcsContainer", "K", "K")):
        s = Setup(emu, doubles, tmp_path)
        getattr(s, setup)()
        s.cfg["profile"] = "t"  # the provider's profile: the environment's keys are not used directly
        s.profile().update(role_arn=role("R"), credential_source=source)
        s.env.pop("AWS_PROFILE")
        [r], _ = s.run()
        assert r.get("ok"), (source, r)
        ssm, sts = s.evidence()
        assert ssm == {ACCOUNT["R"]} and sts == {"AssumeRole"}, (source, ssm, sts)
        signer = [e for e in emu.calls(log=True)["log"] if e["op"] == "sts:AssumeRole"][0]
        assert signer["account"] == ACCOUNT[account_of_base], (source, signer)


def test_assume_role_applies_on_top_of_every_source(emu, doubles, tmp_path):
    for src in ("PWI", "W", "O", "C", "K"):
        s = Setup(emu, doubles, tmp_path)
        getattr(s, src)()
        s.cfg["assume_role"] = {"role_arn": "arn:aws:iam::100000000099:role/deploy"}
        [r], _ = s.run()
        assert r.get("ok"), (src, r)
        assert s.evidence()[0] == {"100000000099"}, src


# ---- SSO ----

def sso_setup(emu, doubles, tmp_path, legacy=False):
    s = Setup(emu, doubles, tmp_path)
    if legacy:
        s.profile("ops").update(sso_start_url="https://legacy.awsapps.com/start",
                                sso_region=REGION, sso_account_id=ACCOUNT["O"],
                                sso_role_name="PatchingAdmin")
        s.env["AWS_ENDPOINT_URL_SSO"] = doubles["sso"].url
    else:
        s.O()
        s.sections["profile ops"] = s.sections.pop("profile t")
        s.env["AWS_PROFILE"] = "ops"
    return s


def test_sso_cache_file_names_as_the_aws_cli(emu, doubles, tmp_path):
    # sso-session form: SHA-1 of the session name
    assert sso_cache_key("corp") == hashlib.sha1(b"corp").hexdigest() + ".json"
    s = sso_setup(emu, doubles, tmp_path)
    [r], _ = s.run()
    assert r.get("ok"), r
    # legacy form: SHA-1 of the start URL; the session-name file is not read
    (tmp_path / ".aws" / "sso" / "cache" / sso_cache_key("corp")).unlink()
    s = sso_setup(emu, doubles, tmp_path, legacy=True)
    [r], _ = s.run()
    assert not r.get("ok") and "no cached SSO token" in r["message"], r
    write_sso_cache(tmp_path, "https://legacy.awsapps.com/start", SSO_TOKEN, 4102444800)
    [r], _ = s.run()
    assert r.get("ok"), r
    assert s.evidence() == EVIDENCE["O"]


def test_sso_expired_token_says_aws_sso_login_and_leaks_nothing(emu, doubles, tmp_path):
    s = sso_setup(emu, doubles, tmp_path)
    write_sso_cache(tmp_path, "corp", SSO_TOKEN, 1700000000)  # 2023: expired, no refresh token
    [r], stderr = s.run(log="TRACE")
    assert not r.get("ok")
    assert r["code"] == "authentication or authorization error"
    assert "run `aws sso login --profile ops`" in r["message"], r
    assert "expired at 2023-11-14T22:13:20Z" in r["message"], r
    for secret in (SSO_TOKEN,):
        assert secret not in stderr and secret not in json.dumps(r)
    assert "provider.aws" in stderr  # the TRACE log is really on


def test_sso_refused_token_says_aws_sso_login(emu, doubles, tmp_path):
    s = sso_setup(emu, doubles, tmp_path)
    write_sso_cache(tmp_path, "corp", "sso-token-the-portal-does-not-know", 4102444800)
    [r], _ = s.run()
    assert not r.get("ok") and "aws sso login --profile ops" in r["message"], r
    assert "HTTP 401" in r["message"]


def test_sso_refresh_token_used_and_cache_rewritten(emu, doubles, tmp_path):
    sso = doubles["sso"]
    sso.clients["client-id-1"] = "client-SECRET-1"
    sso.refresh_tokens.add("refresh-SECRET-1")
    s = sso_setup(emu, doubles, tmp_path)
    path = write_sso_cache(tmp_path, "corp", "sso-expired-token", 1700000000,
                           refreshToken="refresh-SECRET-1", clientId="client-id-1",
                           clientSecret="client-SECRET-1",
                           registrationExpiresAt="2100-01-01T00:00:00Z",
                           startUrl="https://corp.awsapps.com/start", region=REGION)
    s.env["AWS_ENDPOINT_URL_SSO_OIDC"] = sso.url
    before = len(sso.kinds("CreateToken"))
    [r], stderr = s.run(log="TRACE")
    assert r.get("ok"), r
    assert [c["ok"] for c in sso.kinds("CreateToken")[before:]] == [True]
    cache = json.loads(path.read_text())
    assert cache["accessToken"].startswith("sso-access-refreshed-")
    assert cache["refreshToken"].startswith("sso-refresh-")
    assert cache["clientId"] == "client-id-1" and cache["startUrl"] == "https://corp.awsapps.com/start"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    for secret in ("refresh-SECRET-1", "client-SECRET-1", cache["accessToken"]):
        assert secret not in stderr
    # The legacy form is never refreshed (as botocore): the expired token is an error.
    s = sso_setup(emu, doubles, tmp_path, legacy=True)
    write_sso_cache(tmp_path, "https://legacy.awsapps.com/start", "sso-expired-token", 1700000000,
                    refreshToken="refresh-SECRET-1", clientId="client-id-1",
                    clientSecret="client-SECRET-1", registrationExpiresAt="2100-01-01T00:00:00Z")
    [r], _ = s.run()
    assert not r.get("ok") and "aws sso login --profile ops" in r["message"]


# ---- credential_process ----

@pytest.mark.parametrize("mode,expect", [
    ("exit1", ["exited with status 1", "helper: the vault is locked"]),
    ("badjson", ["printed no JSON object", "helper: printed key=value pairs instead of JSON"]),
    ("noversion", ["without \"Version\": 1"]),
])
def test_credential_process_failures_name_stderr_never_stdout(emu, doubles, tmp_path, mode, expect):
    s = Setup(emu, doubles, tmp_path)
    s.profile().update(credential_process=process_command(emu.url, mode=mode) + " --token SECRET-ARG")
    [r], stderr = s.run(log="TRACE")
    assert not r.get("ok") and r["code"] == "authentication or authorization error", r
    assert 'credential_process of profile "t" (/usr/bin/python3)' in r["message"], r
    for text in expect:
        assert text in r["message"], r
    for leak in ("AKIAPROCESSLEAK", "process-secret-LEAK", "SECRET-ARG"):
        assert leak not in r["message"] and leak not in stderr, leak


def test_credential_process_without_shell(emu, doubles, tmp_path):
    marker = tmp_path / "shell-ran"
    s = Setup(emu, doubles, tmp_path)
    # A shell would run the second command; without one, ";" is just an argument.
    s.profile().update(credential_process=process_command(emu.url, account=ACCOUNT["C"]) +
                       " ; touch %s" % marker)
    [r], _ = s.run()
    assert not marker.exists()
    assert not r.get("ok") and "exited with status 2" in r["message"], r  # argparse: bad args


# ---- container ----

@pytest.mark.parametrize("url", [
    "http://169.254.170.9:80/creds",  # link-local, but not ECS's or EKS's address
    "http://10.0.0.1/creds",
    "http://example.com/creds",
    "http://user@127.0.0.1/creds",
    "ftp://127.0.0.1/creds",
])
def test_container_full_uri_refused_hosts(emu, doubles, tmp_path, url):
    s = Setup(emu, doubles, tmp_path)
    s.env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = url
    [r], _ = s.run()
    assert not r.get("ok") and r["code"] == "configuration error", r
    assert "AWS_CONTAINER_CREDENTIALS_FULL_URI" in r["message"]


def test_container_localhost_and_token_file(emu, doubles, tmp_path):
    ctr = doubles["container"]
    s = Setup(emu, doubles, tmp_path)
    tok = tmp_path / "eks-token"
    tok.write_text("container-auth-SECRET\n")
    port = ctr.url.rsplit(":", 1)[1]
    s.env.update(AWS_CONTAINER_CREDENTIALS_FULL_URI="http://localhost:%s/v1/credentials" % port,
                 AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=str(tok),
                 AWS_CONTAINER_AUTHORIZATION_TOKEN="wrong-token-file-wins")
    before = len(ctr.calls)
    [r], stderr = s.run(log="TRACE")
    assert r.get("ok"), r
    assert [c["auth_ok"] for c in ctr.calls[before:]] == [True]
    assert s.evidence() == EVIDENCE["K"]
    assert "container-auth-SECRET" not in stderr
    tok.write_text("rotated-and-wrong\n")  # read again at every fetch
    [r], _ = s.run()
    assert not r.get("ok") and "HTTP 401" in r["message"] and "AccessDenied" in r["message"], r


# ---- web identity ----

def test_web_identity_is_unsigned_and_the_token_is_checked(emu, doubles, tmp_path):
    s = Setup(emu, doubles, tmp_path)
    s.W()
    [r], stderr = s.run(log="TRACE")
    assert r.get("ok"), r
    calls = emu._test("GET", "web_identity")["calls"]
    assert calls[-1]["token_ok"] and not calls[-1]["signed"], calls[-1]
    assert TOKENS["W"] not in stderr
    (tmp_path / "token-W").write_text("eyJ.forged.sig")
    s.env["AWS_WEB_IDENTITY_TOKEN_FILE"] = str(tmp_path / "token-W")
    s.write()
    r = s.run()[0][0]
    assert not r.get("ok") and r["aws_code"] == "InvalidIdentityToken", r
    assert role("W") in r["message"]


def test_web_identity_needs_a_role(emu, doubles, tmp_path):
    s = Setup(emu, doubles, tmp_path)
    s.W()
    del s.env["AWS_ROLE_ARN"]
    [r], _ = s.run()
    assert not r.get("ok") and "no role ARN" in r["message"], r


# ---- nothing anywhere ----

def test_no_credentials_lists_every_source_tried(emu, doubles, tmp_path):
    s = Setup(emu, doubles, tmp_path)
    s.env.update(AWS_EC2_METADATA_DISABLED=None,
                 AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:9")  # nothing listens
    [r], _ = s.run()
    assert not r.get("ok") and r["code"] == "configuration error", r
    m = r["message"]
    assert m.startswith("No AWS credentials found. Sources tried, in order:"), m
    expected = [
        "provider access_key and secret_key: not set",
        "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set",
        "environment web identity: AWS_WEB_IDENTITY_TOKEN_FILE not set",
        'profile "default": not in the shared config or credentials files',
        "container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set",
        "EC2 instance metadata (IMDSv2): no IMDSv2 token from http://127.0.0.1:9",
    ]
    at = [m.find("\n  - " + e) for e in expected]
    assert all(i >= 0 for i in at), m
    assert at == sorted(at), m

"""cred_setup.py - one test's credential sources, each landing in its own
account of the SSM emulator (so the account of an SSM call names the source
that signed it), shared by test_credential_sources.py (through aws_driver) and
test_credential_e2e.py (through terraform or the harness).

Sources: P provider keys, E environment keys, W web identity from the
environment, S profile keys, R profile role_arn + source_profile, F profile
role_arn + web_identity_token_file, O profile SSO (sso-session), C profile
credential_process, K container credentials, I EC2 instance metadata, PWI the
provider's assume_role_with_web_identity block.
"""
import json
import os
import subprocess
import sys

import pytest

from aws_tools import ROOT, tool
from cred_doubles import IMDS, ContainerEndpoint, SSOPortal, process_command, web_identity, write_sso_cache

sys.path.insert(0, str(ROOT / "tests" / "emulator"))
from emulator import Emulator  # noqa: E402

REGION = "us-east-1"
ACCOUNT = {k: "1000000000%02d" % i for i, k in enumerate(
    ["P", "E", "W", "S", "R", "F", "O", "C", "K", "I", "PWI", "SRC"], start=1)}
KEYS = {"P": ("AKIAPROVIDERKEY00001", "provider-secret-1"),
        "E": ("AKIAENVIRONKEY000002", "environ-secret-2"),
        "S": ("AKIAPROFILEKEY000004", "profile-secret-4"),
        "SRC": ("AKIASOURCEKEY0000012", "source-secret-12")}
TOKENS = {"W": "eyJ.env-web-identity.sig", "F": "eyJ.profile-web-identity.sig",
          "PWI": "eyJ.block-web-identity.sig"}
SSO_TOKEN = "sso-access-token-SECRET-0001"


@pytest.fixture(scope="module")
def emu():
    keys = [(ak, sk, ACCOUNT[n]) for n, (ak, sk) in KEYS.items()]
    with Emulator(region=REGION, check_sigv4=True, keys=keys) as e:
        web_identity(e, TOKENS.values())
        yield e


@pytest.fixture(scope="module")
def doubles(emu):
    with SSOPortal(emu, account=ACCOUNT["O"]) as sso, \
            ContainerEndpoint(emu, token="container-auth-SECRET", account=ACCOUNT["K"]) as ctr, \
            IMDS(emu, account=ACCOUNT["I"]) as imds:
        sso.tokens.add(SSO_TOKEN)
        yield {"sso": sso, "container": ctr, "imds": imds}


def role(src):
    return "arn:aws:iam::%s:role/%s" % (ACCOUNT[src], src.lower())


class Setup:
    """One test's sources: provider block, environment, shared config sections.
    lifetime: seconds the temporary credentials of the doubles and STS live."""

    def __init__(self, emu, doubles, home, lifetime=None):
        self.emu, self.d, self.home = emu, doubles, home
        self.lifetime = lifetime
        self.cfg = {"region": REGION, "endpoints": {"ssm": emu.url, "sts": emu.url},
                    "max_retries": 0}
        self.env = {"AWS_EC2_METADATA_DISABLED": "true"}
        self.sections = {}  # section name -> {key: value}

    def short_lived(self, seconds):
        """Every temporary credential the doubles and STS issue lives `seconds`."""
        self.lifetime = seconds
        for d in self.d.values():
            d.lifetime = seconds
        web_identity(self.emu, TOKENS.values(), lifetime=seconds)

    def restore(self):
        for d in self.d.values():
            d.lifetime = 3600
        web_identity(self.emu, TOKENS.values())

    def profile(self, name="t"):
        self.env["AWS_PROFILE"] = name
        return self.sections.setdefault("profile " + name, {})

    def token_file(self, src):
        path = self.home / ("token-" + src)
        path.write_text(TOKENS[src] + "\n")
        return str(path)

    # -- the sources, each landing in its own account
    def P(self):
        self.cfg.update(access_key=KEYS["P"][0], secret_key=KEYS["P"][1])

    def E(self):
        self.env.update(AWS_ACCESS_KEY_ID=KEYS["E"][0], AWS_SECRET_ACCESS_KEY=KEYS["E"][1])

    def W(self):
        self.env.update(AWS_WEB_IDENTITY_TOKEN_FILE=self.token_file("W"), AWS_ROLE_ARN=role("W"))

    def S(self):
        self.profile().update(aws_access_key_id=KEYS["S"][0], aws_secret_access_key=KEYS["S"][1])

    def R(self):
        self.profile().update(role_arn=role("R"), source_profile="src")
        self.sections["profile src"] = {"aws_access_key_id": KEYS["SRC"][0],
                                        "aws_secret_access_key": KEYS["SRC"][1]}

    def F(self):
        self.profile().update(role_arn=role("F"), web_identity_token_file=self.token_file("F"))

    def O(self):
        self.profile().update(sso_session="corp", sso_account_id=ACCOUNT["O"],
                              sso_role_name="PatchingAdmin")
        self.sections["sso-session corp"] = {"sso_start_url": "https://corp.awsapps.com/start",
                                             "sso_region": REGION}
        self.env["AWS_ENDPOINT_URL_SSO"] = self.d["sso"].url
        write_sso_cache(self.home, "corp", SSO_TOKEN, 4102444800)  # 2100-01-01

    def C(self):
        self.profile().update(credential_process=process_command(
            self.emu.url, account=ACCOUNT["C"], lifetime=self.lifetime or 3600))

    def K(self):
        self.env.update(AWS_CONTAINER_CREDENTIALS_FULL_URI=self.d["container"].url + "/v2/creds",
                        AWS_CONTAINER_AUTHORIZATION_TOKEN="container-auth-SECRET")

    def I(self):  # noqa: E743 - the instance metadata source
        self.env.update(AWS_EC2_METADATA_DISABLED=None,
                        AWS_EC2_METADATA_SERVICE_ENDPOINT=self.d["imds"].url)

    def PWI(self):
        self.cfg["assume_role_with_web_identity"] = {"role_arn": role("PWI"),
                                                     "web_identity_token": TOKENS["PWI"]}

    # -- running
    def environment(self):
        """The process environment: the caller's without AWS_*, TF_LOG or proxies,
        HOME here, then the sources' variables."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("AWS_") and "proxy" not in k.lower() and not k.startswith("TF_LOG")}
        env["HOME"] = str(self.home)
        env.update({k: v for k, v in self.env.items() if v is not None})
        for k, v in self.env.items():
            if v is None:
                env.pop(k, None)
        return env

    def write(self):
        (self.home / ".aws").mkdir(exist_ok=True)
        text = "".join("[%s]\n%s\n" % (name, "".join("%s = %s\n" % kv for kv in body.items()))
                       for name, body in self.sections.items())
        (self.home / ".aws" / "config").write_text(text)

    def run(self, actions=None, log=None):
        self.write()
        env = self.environment()
        if log:
            env["TF_LOG"] = log
        self.emu.reset(state=False, calls=True)
        actions = actions or [{"do": "ssm", "op": "DescribeMaintenanceWindows", "req": {}}]
        p = subprocess.run([tool("aws_driver")], input=json.dumps(
            {"config": self.cfg, "actions": actions}).encode(), env=env, capture_output=True,
            timeout=120)
        assert p.returncode == 0, p.stderr.decode()
        lines = [json.loads(x) for x in p.stdout.decode().splitlines()]
        return lines, p.stderr.decode()

    def evidence(self):
        """(account of the SSM calls, STS operations made) from the emulator's log."""
        log = self.emu.calls(log=True)["log"]
        ssm = {e.get("account") for e in log if not e["op"].startswith("sts:")}
        sts = {e["op"][4:] for e in log if e["op"].startswith("sts:")}
        return ssm, sts


EVIDENCE = {
    "P": ({ACCOUNT["P"]}, set()), "E": ({ACCOUNT["E"]}, set()),
    "W": ({ACCOUNT["W"]}, {"AssumeRoleWithWebIdentity"}),
    "S": ({ACCOUNT["S"]}, set()), "R": ({ACCOUNT["R"]}, {"AssumeRole"}),
    "F": ({ACCOUNT["F"]}, {"AssumeRoleWithWebIdentity"}), "O": ({ACCOUNT["O"]}, set()),
    "C": ({ACCOUNT["C"]}, set()), "K": ({ACCOUNT["K"]}, set()), "I": ({ACCOUNT["I"]}, set()),
    "PWI": ({ACCOUNT["PWI"]}, {"AssumeRoleWithWebIdentity"}),
}

"""Each credential source end to end (issue 15, "What it must show" 1 and 4):
a maintenance window applied through the real `terraform` CLI when one is
present (else the harness, driving the provider as Terraform does) with only
that source configured; the SSM emulator (--check-sigv4) records which access
key signed each call and in which account it landed (cred_setup.py gives every
source its own account). The endpoints come from AWS_ENDPOINT_URL_SSM and
AWS_ENDPOINT_URL_STS, not an endpoints block.

Refresh: with every temporary credential living 3 s and the emulator answering
each call after 1 s, an apply of a window and three chained targets takes
about 10 s; it must succeed with web identity, SSO, container and
credential_process credentials, signed by several keys in turn, with no call
refused as expired.
"""
import json
import sys

import pytest

from aws_tools import ROOT
from cred_doubles import write_sso_cache
from cred_setup import ACCOUNT, EVIDENCE, KEYS, REGION, SSO_TOKEN, Setup, role
from cred_setup import doubles, emu  # noqa: F401 - fixtures
sys.path.insert(0, str(ROOT / "tests"))
from harness import tfcli  # noqa: E402
from harness.errors import OperationFailed  # noqa: E402
from harness.provider import Provider  # noqa: E402

WINDOW = {"name": "creds-window", "schedule": "cron(00 17 * * ? *)", "duration": 2, "cutoff": 1,
          "allow_unassociated_targets": True}


def hcl_value(v):
    return json.dumps(v)


def provider_hcl(cfg):
    lines = ['provider "ssmpatch" {']
    for k, v in cfg.items():
        if isinstance(v, dict):
            lines.append("  %s {" % k)
            lines += ["    %s = %s" % (bk, hcl_value(bv)) for bk, bv in v.items()]
            lines.append("  }")
        else:
            lines.append("  %s = %s" % (k, hcl_value(v)))
    lines.append("}")
    return "\n".join(lines)


def config_text(cfg, targets=0):
    text = ['terraform {\n  required_providers {\n    ssmpatch = { source = "ssmpatch/ssmpatch" }\n  }\n}',
            provider_hcl(cfg),
            'resource "ssmpatch_maintenance_window" "w" {\n%s\n}' % "\n".join(
                "  %s = %s" % (k, hcl_value(v)) for k, v in WINDOW.items())]
    for i in range(targets):
        dep = "" if i == 0 else "  depends_on = [ssmpatch_window_target.t%d]\n" % (i - 1)
        text.append('resource "ssmpatch_window_target" "t%d" {\n  window_id = ssmpatch_maintenance_window.w.id\n'
                    '  name = "target-%d"\n  resource_type = "INSTANCE"\n'
                    '  targets {\n    key = "tag:Group"\n    values = ["g%d"]\n  }\n%s}' % (i, i, i, dep))
    return "\n\n".join(text) + "\n"


def apply(s, tmp_path, targets=0):
    """Apply the window (and chained targets) with the sources of Setup s."""
    s.cfg.pop("endpoints", None)
    s.cfg.pop("max_retries", None)
    s.env.update(AWS_ENDPOINT_URL_SSM=s.emu.url, AWS_ENDPOINT_URL_STS=s.emu.url)
    s.write()
    s.emu.reset(calls=True)
    cli = tfcli.primary()
    if cli is not None:
        (tmp_path / "tf").mkdir(exist_ok=True)
        w = tfcli.Workdir(cli, tmp_path / "tf", protocol=6, files={"main.tf": config_text(s.cfg, targets)})
        env = {k: v for k, v in w.env.items() if not k.startswith("AWS_")}
        env.update(s.environment())
        env.update({k: w.env[k] for k in w.env if k.startswith("TF_")})
        w.env = env
        w.init()
        s.emu.reset(calls=True)
        w.run("apply", "-auto-approve", "-no-color")
        return "terraform"
    p = Provider(protocol=6, env=s.environment())
    try:
        block = {k: [v] if isinstance(v, dict) else v for k, v in s.cfg.items()}
        p.configure(block)
        state = p.apply("ssmpatch_maintenance_window", WINDOW)
        for i in range(targets):
            p.apply("ssmpatch_window_target", {
                "window_id": state["id"], "name": "target-%d" % i, "resource_type": "INSTANCE",
                "targets": [{"key": "tag:Group", "values": ["g%d" % i]}]})
    except OperationFailed as e:
        raise AssertionError(e)
    finally:
        p.close()
    return "harness"


def ssm_calls(emu):
    return [e for e in emu.calls(log=True)["log"] if not e["op"].startswith("sts:")]


SOURCES = ["P", "E", "W", "S", "R", "F", "O", "O-legacy", "C", "K", "I", "PWI", "CS-Environment"]


@pytest.mark.parametrize("src", SOURCES)
def test_source_end_to_end(emu, doubles, tmp_path, src):
    s = Setup(emu, doubles, tmp_path)
    if src == "O-legacy":
        s.profile().update(sso_start_url="https://legacy.awsapps.com/start", sso_region=REGION,
                           sso_account_id=ACCOUNT["O"], sso_role_name="PatchingAdmin")
        s.env["AWS_ENDPOINT_URL_SSO"] = doubles["sso"].url
        write_sso_cache(tmp_path, "https://legacy.awsapps.com/start", SSO_TOKEN, 4102444800)
        want = EVIDENCE["O"]
    elif src == "CS-Environment":
        s.E()
        s.cfg["profile"] = "t"  # a provider profile: the environment's keys are its source only
        s.sections["profile t"] = {"role_arn": role("R"), "credential_source": "Environment"}
        want = EVIDENCE["R"]
    else:
        getattr(s, src)()
        want = EVIDENCE[src]
    how = apply(s, tmp_path)
    calls = ssm_calls(emu)
    assert calls and all(c.get("status") == 200 for c in calls), calls
    assert {c["account"] for c in calls} == want[0], (how, calls)
    keys = {c["access_key"] for c in calls}
    issued = {"P": {KEYS["P"][0]}, "E": {KEYS["E"][0]}, "S": {KEYS["S"][0]},
              "O": set(doubles["sso"].issued), "O-legacy": set(doubles["sso"].issued),
              "K": set(doubles["container"].issued), "I": set(doubles["imds"].issued)}
    if src in issued:
        assert keys <= issued[src], (keys, issued[src])
    else:  # issued by the emulator's STS or minted by the credential_process helper
        assert all(k.startswith("ASIA") for k in keys), keys
    sts = {e["op"][4:] for e in emu.calls(log=True)["log"] if e["op"].startswith("sts:")}
    assert want[1] <= sts, sts


@pytest.mark.parametrize("src", ["W", "O", "K", "C"])
def test_credentials_expiring_mid_apply_are_refreshed(emu, doubles, tmp_path, src):
    s = Setup(emu, doubles, tmp_path)
    s.short_lived(3)
    try:
        getattr(s, src)()
        emu.configure(latency_ms=1000)
        apply(s, tmp_path, targets=3)
    finally:
        emu.configure(latency_ms=0)
        s.restore()
    log = emu.calls(log=True)["log"]
    calls = [e for e in log if not e["op"].startswith("sts:")]
    span = max(e["time"] for e in calls) - min(e["time"] for e in calls)
    keys = [c["access_key"] for c in calls]
    # The apply outlived the first credentials (3 s) and every call was accepted:
    # none was signed with credentials past their expiry.
    assert span > 3, span
    assert all(c.get("status") == 200 for c in calls), [c for c in calls if c.get("status") != 200]
    assert emu.calls()["auth_errors"] == 0
    assert len(set(keys)) >= 3, keys
    assert {c["account"] for c in calls} == EVIDENCE[src][0]

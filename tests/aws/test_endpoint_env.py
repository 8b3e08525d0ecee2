"""The SDKs' endpoint variables point the quickstart at the emulator with no
endpoints block (issue 15, "What it must show" 6): examples/quickstart applied
with -var endpoint="" (its endpoints block left out) and AWS_ENDPOINT_URL_SSM
alone, then with the global AWS_ENDPOINT_URL alone. Every call reaches the
emulator (its call log) and the apply leaves the quickstart's 12 objects there,
their ARNs naming the emulator's account. With SSM's variable alone STS is
AWS's, out of reach here and not knowing the emulator's keys: the provider
takes the account from SSM's GetServiceSetting answer and never calls STS;
with the global one, both go to the emulator and the account comes from STS
GetCallerIdentity as with AWS. Through the real terraform CLI when present,
else the harness applying one window.
"""
import sys

import pytest

from aws_tools import ROOT

sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "emulator"))
from emulator import Emulator  # noqa: E402
from harness import tfcli  # noqa: E402
from harness.provider import Provider  # noqa: E402

REGION = "ap-northeast-1"  # the quickstart's


def objects(emu):
    inv = emu.inventory(region=REGION)
    n = len(inv["patch_baselines"])
    for w in inv["maintenance_windows"].values():
        n += 1 + len(w.get("Targets") or {}) + len(w.get("Tasks") or {})
    return n


@pytest.mark.parametrize("variables", [
    ("AWS_ENDPOINT_URL_SSM",),
    ("AWS_ENDPOINT_URL",),
], ids=["ssm-alone", "global"])
def test_quickstart_through_endpoint_variables(tmp_path, variables):
    with Emulator(region=REGION) as emu:
        env = {v: emu.url for v in variables}
        cli = tfcli.primary()
        if cli is None:
            p = Provider(protocol=6, env={**env, "AWS_REGION": REGION,
                                          "AWS_ACCESS_KEY_ID": emu.access_key,
                                          "AWS_SECRET_ACCESS_KEY": emu.secret_key})
            try:
                p.configure({})
                st = p.apply("ssmpatch_maintenance_window", {
                    "name": "endpoint-env", "schedule": "cron(00 17 * * ? *)", "duration": 2,
                    "cutoff": 1})
            finally:
                p.close()
            assert objects(emu) == 1
            arns = [st["arn"]]
        else:
            w = tfcli.Workdir(cli, tmp_path, protocol=6, example="quickstart", env=env)
            for k in list(w.env):
                if k.startswith("AWS_") and k not in env:
                    del w.env[k]
            w.init()
            w.run("apply", "-auto-approve", "-no-color", "-var", "endpoint=")
            assert objects(emu) == 12
            w.run("plan", "-detailed-exitcode", "-no-color", "-var", "endpoint=")
            arns = [r["values"]["arn"]
                    for m in w.show_json()["values"]["root_module"]["child_modules"]
                    for r in m["resources"]
                    if r["type"] in ("ssmpatch_patch_baseline", "ssmpatch_maintenance_window")]
        assert arns and all(a.split(":")[4] == emu.account for a in arns), arns
        calls = emu.calls()
        sts = calls["by_op"].get("sts:GetCallerIdentity", {}).get("count", 0)
        setting = calls["by_op"].get("GetServiceSetting", {}).get("count", 0)
        if variables == ("AWS_ENDPOINT_URL_SSM",):
            assert sts == 0 and setting >= 1, calls["by_op"]
        else:
            assert sts >= 1 and setting == 0, calls["by_op"]


def test_account_falls_back_to_sts_when_ssm_refuses_the_setting():
    """SSM's endpoint set alone, and the endpoint denies GetServiceSetting (a
    policy without ssm:GetServiceSetting, or an SSM-compatible endpoint without
    the call): the provider asks STS as it would with AWS's endpoints. STS is
    AWS's here and out of reach, so the apply fails - naming GetCallerIdentity,
    which shows where the provider went - after exactly one GetServiceSetting
    (the apply needs the account twice, for the ARN and for the identity: the
    refusal is remembered, the second lookup goes to STS directly), and no
    object is left behind unrecorded."""
    with Emulator(region=REGION) as emu:
        emu.configure(inject=[{"op": "GetServiceSetting", "status": 400,
                               "code": "AccessDeniedException",
                               "message": "not authorized to perform: ssm:GetServiceSetting",
                               "times": 1}])
        p = Provider(protocol=6, env={"AWS_ENDPOINT_URL_SSM": emu.url, "AWS_REGION": REGION,
                                      "AWS_ACCESS_KEY_ID": emu.access_key,
                                      "AWS_SECRET_ACCESS_KEY": emu.secret_key,
                                      "AWS_MAX_ATTEMPTS": "1"})
        try:
            p.configure({"max_retries": 0})
            with pytest.raises(Exception) as e:
                p.apply("ssmpatch_maintenance_window", {
                    "name": "endpoint-env", "schedule": "cron(00 17 * * ? *)", "duration": 2,
                    "cutoff": 1})
        finally:
            p.close()
        assert "GetCallerIdentity" in str(e.value), str(e.value)
        kept = getattr(e.value, "state", None)
        assert objects(emu) == (1 if kept else 0), (objects(emu), kept)
        calls = emu.calls()
        assert calls["by_op"]["GetServiceSetting"]["count"] == 1, calls["by_op"]
        assert calls["by_op"]["GetServiceSetting"]["injected"] == 1, calls["by_op"]

"""The SDKs' endpoint variables point the quickstart at the emulator with no
endpoints block (issue 15, "What it must show" 6): examples/quickstart applied
with -var endpoint="" (its endpoints block left out) and AWS_ENDPOINT_URL_SSM
for SSM - plus AWS_ENDPOINT_URL_STS, because the provider asks STS
GetCallerIdentity for the account in the ARNs it records - then again with the
global AWS_ENDPOINT_URL alone. Every call reaches the emulator (its call log)
and the apply leaves the quickstart's 12 objects there. Through the real
terraform CLI when present, else the harness applying one window.
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
    ("AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL_STS"),
    ("AWS_ENDPOINT_URL",),
], ids=["service-specific", "global"])
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
                p.apply("ssmpatch_maintenance_window", {
                    "name": "endpoint-env", "schedule": "cron(00 17 * * ? *)", "duration": 2,
                    "cutoff": 1})
            finally:
                p.close()
            assert objects(emu) == 1
        else:
            w = tfcli.Workdir(cli, tmp_path, protocol=6, example="quickstart", env=env)
            for k in list(w.env):
                if k.startswith("AWS_") and k not in env:
                    del w.env[k]
            w.init()
            w.run("apply", "-auto-approve", "-no-color", "-var", "endpoint=")
            assert objects(emu) == 12
            w.run("plan", "-detailed-exitcode", "-no-color", "-var", "endpoint=")
        calls = emu.calls()
        assert calls["total"] > 0 and calls["by_op"].get("sts:GetCallerIdentity", {}).get("count")

"""provider/aws against the project's SSM/STS emulator (tests/emulator, another
engineer's independent implementation, with SigV4 checking on): a baseline's
life cycle through ssm_call, pagination, error mapping, retries under injected
throttling and 5xx faults, account ID through STS, and assume_role.
"""
import json
import os
import subprocess
import sys

import pytest

from aws_tools import ROOT, tool

sys.path.insert(0, str(ROOT / "tests" / "emulator"))
from emulator import Emulator  # noqa: E402


@pytest.fixture(scope="module")
def emu_server():
    with Emulator(seed=11, check_sigv4=True) as emu:
        yield emu


@pytest.fixture
def emu(emu_server):
    emu_server.reset()
    emu_server.configure(throttle_rate=0.0, error_rate=0.0)
    yield emu_server


def run(emu, actions, **cfg):
    config = {"region": emu.region, "access_key": emu.access_key, "secret_key": emu.secret_key,
              "endpoints": {"ssm": emu.url, "sts": emu.url}}
    config.update(cfg)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and "proxy" not in k.lower()}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    p = subprocess.run([tool("aws_driver")], input=json.dumps(
        {"config": config, "actions": actions}).encode(), env=env, capture_output=True,
        timeout=120)
    assert p.returncode == 0, p.stderr.decode()
    return [json.loads(l) for l in p.stdout.decode().splitlines()]


def ssm(op, req=None):
    return {"do": "ssm", "op": op, "req": req or {}}


def test_baseline_life_cycle(emu):
    [created] = run(emu, [ssm("CreatePatchBaseline", {
        "Name": "AL2-STG", "OperatingSystem": "AMAZON_LINUX_2",
        "Description": "パッチ (STG)", "ClientToken": "tok-1",
        "ApprovalRules": {"PatchRules": [{"PatchFilterGroup": {"PatchFilters": [
            {"Key": "CLASSIFICATION", "Values": ["Security"]}]}, "ApproveAfterDays": 7}]}})])
    assert created["ok"], created
    bid = created["out"]["BaselineId"]
    got, deleted, gone = run(emu, [ssm("GetPatchBaseline", {"BaselineId": bid}),
                                   ssm("DeletePatchBaseline", {"BaselineId": bid}),
                                   ssm("GetPatchBaseline", {"BaselineId": bid})])
    assert got["out"]["Name"] == "AL2-STG" and got["out"]["Description"] == "パッチ (STG)"
    assert deleted["ok"]
    assert gone["ok"] is False and gone["code"] == "not found", gone
    assert gone["operation"] == "GetPatchBaseline" and gone["status"] == 400


def test_pagination_collects_every_page(emu):
    names = [f"page-{i:02d}" for i in range(7)]
    run(emu, [ssm("CreatePatchBaseline", {"Name": n}) for n in names])
    [r] = run(emu, [{"do": "ssm_all", "op": "DescribePatchBaselines",
                     "req": {"MaxResults": 2, "Filters": [{"Key": "OWNER", "Values": ["Self"]}]},
                     "list": "BaselineIdentities"}])
    assert r["ok"], r
    assert sorted(b["BaselineName"] for b in r["out"]) == names


def test_validation_error(emu):
    [r] = run(emu, [ssm("CreatePatchBaseline", {"Name": "x"})])  # name too short
    assert r["code"] == "validation error", r


def test_retries_through_injected_throttling_and_errors(emu):
    emu.configure(throttle_rate=0.4, error_rate=0.2)
    r = run(emu, [ssm("GetDefaultPatchBaseline", {"OperatingSystem": "AMAZON_LINUX_2"})] * 10,
            max_retries=25)
    assert all(x["ok"] for x in r), r
    assert emu.calls()["throttled"] > 0


def test_account_id_and_assume_role(emu):
    [acct] = run(emu, [{"do": "account_id"}])
    assert acct == {"ok": True, "account_id": emu.account}
    role = "arn:aws:iam::210987654321:role/ssm-admin"
    r = run(emu, [{"do": "account_id"}, ssm("DescribeMaintenanceWindows")],
            assume_role={"role_arn": role, "session_name": "stg"})
    assert r[0] == {"ok": True, "account_id": "210987654321"}
    assert r[1]["ok"], r

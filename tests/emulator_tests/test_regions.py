"""State per (account, region): one key signing for three regions sees three disjoint
worlds (objects, instances, commands, executions); another account (assumed role) its
own; the inventory, reset and calls endpoints filter by account and region."""

import json
import urllib.request

import pytest
from botocore.exceptions import ClientError

import seed_fleet
from emu_helpers import caller, error_code, make_client

REGIONS = ("us-east-1", "eu-west-1", "ap-northeast-1")


@pytest.fixture
def calls(emu):
    return {r: caller(make_client(emu, "ssm", region=r)) for r in REGIONS}


def test_one_key_three_regions_three_worlds(emu, calls):
    made = {}
    for r in REGIONS:
        fleet = seed_fleet.seed(emu, region=r, catalog=(r == REGIONS[0]))
        objs = seed_fleet.create_seed_objects(calls[r], window_name="am2-" + r)
        made[r] = (fleet, objs)
    for r in REGIONS:
        call = calls[r]
        fleet, objs = made[r]
        info = call("DescribeInstanceInformation", {})["InstanceInformationList"]
        assert sorted(i["InstanceId"] for i in info) == sorted(fleet["all"])
        windows = call("DescribeMaintenanceWindows", {})["WindowIdentities"]
        assert [w["Name"] for w in windows] == ["am2-" + r]
        mine = call("DescribePatchBaselines", {"Filters": [{"Key": "OWNER", "Values": ["Self"]}]})
        assert sorted(b["BaselineId"] for b in mine["BaselineIdentities"]) == sorted(
            objs["baselines"].values())
        # AWS-owned baselines are per region too
        default = call("GetDefaultPatchBaseline", {"OperatingSystem": "AMAZON_LINUX_2"})["BaselineId"]
        assert default.startswith("arn:aws:ssm:%s:" % r)
        for other in REGIONS:
            if other == r:
                continue
            with pytest.raises(ClientError) as ei:
                call("GetMaintenanceWindow", {"WindowId": made[other][1]["window"]})
            assert error_code(ei) == "DoesNotExistException"
            with pytest.raises(ClientError) as ei:
                call("SendCommand", {"DocumentName": "AWS-RunPatchBaseline",
                                     "InstanceIds": made[other][0]["all"][:1]})
            assert error_code(ei) == "InvalidInstanceId"
    # a run in one region leaves the others untouched
    ex = emu.run_window(made["eu-west-1"][1]["window"], region="eu-west-1")
    assert ex["Status"] == "SUCCESS"
    eu = calls["eu-west-1"]("DescribeInstancePatchStates", {"InstanceIds": made["eu-west-1"][0]["all"]})
    assert len(eu["InstancePatchStates"]) == 4
    for r in ("us-east-1", "ap-northeast-1"):
        got = calls[r]("DescribeInstancePatchStates", {"InstanceIds": made[r][0]["all"]})
        assert got["InstancePatchStates"] == []
        assert calls[r]("ListCommands", {})["Commands"] == []
        assert calls[r]("DescribeMaintenanceWindowExecutions", {
            "WindowId": made[r][1]["window"]})["WindowExecutions"] == []
    with pytest.raises(ClientError) as ei:
        calls["us-east-1"]("GetMaintenanceWindowExecution",
                           {"WindowExecutionId": ex["WindowExecutionId"]})
    assert error_code(ei) == "DoesNotExistException"


def test_another_account_is_another_world(emu, calls, sts):
    creds = sts.assume_role(RoleArn="arn:aws:iam::222222222222:role/deploy",
                            RoleSessionName="tests")["Credentials"]
    other = caller(make_client(emu, "ssm", credentials=(
        creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])))
    mine = emu.add_instances([{"Tags": {"k": "v"}}])
    theirs = emu.add_instances([{"Tags": {"k": "v"}}], account="222222222222")
    assert [i["InstanceId"] for i in calls["us-east-1"]("DescribeInstanceInformation", {})[
        "InstanceInformationList"]] == mine
    assert [i["InstanceId"] for i in other("DescribeInstanceInformation", {})[
        "InstanceInformationList"]] == theirs
    other("CreateMaintenanceWindow", {"Name": "theirs", "Schedule": "rate(1 day)", "Duration": 1,
                                      "Cutoff": 0, "AllowUnassociatedTargets": False})
    assert calls["us-east-1"]("DescribeMaintenanceWindows", {})["WindowIdentities"] == []
    inv = emu.inventory_where(account="222222222222")
    assert list(inv) == ["222222222222"] and list(inv["222222222222"]) == ["us-east-1"]
    assert emu.inventory_where(account=emu.account) == {}


def test_inventory_reset_and_calls_filter_by_region(emu, calls):
    for r in REGIONS:
        calls[r]("CreateMaintenanceWindow", {"Name": "w-" + r, "Schedule": "rate(1 day)",
                                             "Duration": 1, "Cutoff": 0,
                                             "AllowUnassociatedTargets": False})
    calls["eu-west-1"]("DescribeMaintenanceWindows", {})
    inv = emu.inventory()
    assert sorted(inv[emu.account]) == sorted(REGIONS)
    only = emu.inventory_where(region="eu-west-1")
    assert list(only[emu.account]) == ["eu-west-1"]
    assert emu.inventory(emu.account, "ap-northeast-1")["maintenance_windows"]
    # the calls made in one region
    eu = emu.calls(region="eu-west-1", log=True)
    assert eu["total"] == 2 and eu["ok"] == 2
    assert sorted(eu["by_op"]) == ["CreateMaintenanceWindow", "DescribeMaintenanceWindows"]
    assert {e["region"] for e in eu["log"]} == {"eu-west-1"}
    assert emu.calls(account=emu.account)["total"] == 4
    assert emu.calls()["total"] == 4
    assert emu.calls(account="999999999999")["total"] == 0
    # reset one region: the others and the call counters stay
    emu.reset(region="eu-west-1")
    assert sorted(emu.inventory()[emu.account]) == ["ap-northeast-1", "us-east-1"]
    assert emu.calls()["total"] == 4
    assert calls["eu-west-1"]("DescribeMaintenanceWindows", {})["WindowIdentities"] == []
    emu.reset()
    assert emu.inventory() == {} and emu.calls()["total"] == 0


def test_unsigned_requests_pick_their_region(emu):
    def unsigned(headers):
        req = urllib.request.Request(emu.url + "/", data=json.dumps({
            "Name": "unsigned", "Schedule": "rate(1 day)", "Duration": 1, "Cutoff": 0,
            "AllowUnassociatedTargets": False}).encode(), method="POST", headers=dict(headers, **{
                "X-Amz-Target": "AmazonSSM.CreateMaintenanceWindow",
                "Content-Type": "application/x-amz-json-1.1"}))
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read())
    unsigned({"X-Emulator-Region": "eu-central-1"})
    unsigned({"Host": "ssm.ap-southeast-2.amazonaws.com"})
    unsigned({})
    assert sorted(emu.inventory()[emu.account]) == ["ap-southeast-2", "eu-central-1", "us-east-1"]

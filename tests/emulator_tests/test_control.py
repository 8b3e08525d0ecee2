"""The control endpoints of the patching simulation: what they take, what they refuse,
and the fleet dump."""

import json
import urllib.error
import urllib.request

import pytest

import seed_fleet


def post(emu, name, body, raw=None):
    req = urllib.request.Request("%s/_emulator/%s" % (emu.url, name), method="POST",
                                 data=raw if raw is not None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.mark.parametrize("name, body, needle", [
    ("instances", {"instances": [{"OperatingSystem": "BEOS"}]}, "OperatingSystem"),
    ("instances", {"instances": [{"InstanceId": "vm-1"}]}, "bad InstanceId"),
    ("instances", {"instances": [{"Colour": "red"}]}, "unknown instance fields"),
    ("instances", {"instances": [{"PingStatus": "Asleep"}]}, "PingStatus"),
    ("instances", {"instances": [{"InstanceId": "i-0123456789abcdef0"}] * 2}, "duplicate"),
    ("instances", {}, "a list of instances"),
    ("catalog", {"patches": [{"Title": "x"}]}, "OperatingSystem"),
    ("catalog", {"patches": [{"OperatingSystem": "WINDOWS"}]}, "Title"),
    ("catalog", {"patches": [{"OperatingSystem": "WINDOWS", "Title": "x", "ReleaseDate": "soon"}]},
     "ReleaseDate"),
    ("catalog", {"patches": [{"OperatingSystem": "WINDOWS", "Title": "x", "Size": 3}]}, "unknown"),
    ("instances/fail", {"InstanceIds": ["i-0123456789abcdef0"]}, "unknown instances"),
    ("instances/fail", {"InstanceIds": []}, "InstanceIds"),
    ("instances/fail", {"InstanceIds": ["i-0123456789abcdef0"], "operation": "Reboot"}, "operation"),
    ("instances/update", {"InstanceIds": ["i-0123456789abcdef0"]}, "unknown instances"),
    ("windows/run", {}, "WindowId"),
    ("commands/advance", {"CommandId": "nope"}, "no command"),
    ("commands/advance", {"steps": 0}, "steps"),
    ("clock", {"set": "tomorrow"}, "set"),
])
def test_bad_requests_are_400_with_a_reason(emu, name, body, needle):
    status, got = post(emu, name, body)
    assert status == 400 and needle in got["error"], got


def test_bad_json_and_unknown_endpoints(emu):
    assert post(emu, "instances", None, raw=b"{nope")[0] == 400
    assert post(emu, "instances", None, raw=b"[1]")[0] == 400
    assert post(emu, "nothing/here", {})[0] == 404


def test_duplicate_instance_across_calls(emu):
    emu.add_instances([{"InstanceId": "i-0123456789abcdef0"}])
    status, got = post(emu, "instances", {"instances": [{"InstanceId": "i-0123456789abcdef0"}]})
    assert status == 400 and "already exist" in got["error"]
    # replace starts over
    assert emu.add_instances([{"InstanceId": "i-0123456789abcdef0"}], replace=True) == [
        "i-0123456789abcdef0"]


def test_catalog_round_trip_and_replace(emu):
    emu.clock(set="2024-06-01T00:00:00Z", freeze=True)
    ids = emu.add_patches([{"OperatingSystem": "WINDOWS", "Title": "2024-05 Cumulative Update",
                            "KBId": "KB5037765", "Classification": "SecurityUpdates",
                            "MsrcSeverity": "Critical", "ReleaseDate": "2024-05-14T17:00:00Z",
                            "Product": "WindowsServer2019", "CVEIds": ["CVE-2024-30051"]}])
    assert ids == ["KB5037765"]
    p, = emu.patches()
    assert p["Severity"] == "Critical" and p["Security"] is True
    assert p["ReleaseDate"] == 1715706000
    emu.add_patches([{"OperatingSystem": "AMAZON_LINUX_2", "Title": "x", "ReleasedDaysAgo": 1}],
                    replace=True)
    assert [q["Title"] for q in emu.patches()] == ["x"]
    assert emu.patches()[0]["ReleaseDate"] == 1717200000 - 86400


def test_fleet_dump(emu, ssm):
    from emu_helpers import caller
    call = caller(ssm)
    emu.clock(set="2024-06-01T00:00:00Z", freeze=True)
    fleet = seed_fleet.seed(emu)
    objs = seed_fleet.create_seed_objects(call)
    emu.fail_instances(fleet["PRD"]["INSTALL"], times=2, message="disk full")
    emu.run_window(objs["window"])
    dump = emu.fleet()
    assert dump["region"] == emu.region and dump["now"].startswith("2024-06-01T00:00:0")
    by_id = {i["InstanceId"]: i for i in dump["instances"]}
    stg_install = by_id[fleet["STG"]["INSTALL"][0]]
    assert stg_install["PatchGroup"] == "STG"
    assert stg_install["PatchState"]["Operation"] == "Install"
    assert {v["State"] for v in stg_install["Patches"].values()} == {"INSTALLED_PENDING_REBOOT"}
    assert all(v["PendingReboot"] for v in stg_install["Installed"].values())
    assert by_id[fleet["PRD"]["INSTALL"][0]]["Failures"] == [
        {"operation": "Install", "times": 1, "message": "disk full"}]
    assert len(dump["commands"]) == 4 and len(dump["executions"]) == 1
    assert dump["executions"][0]["Status"] == "FAILED"
    assert {len(t["Invocations"]) for t in dump["executions"][0]["Tasks"]} == {2}
    # the instances view of one region; another region is empty
    assert len(emu.instances()) == 4 and emu.instances(region="eu-west-1") == []
    emu.fail_instances(fleet["PRD"]["INSTALL"], clear=True)
    assert emu.fleet()["instances"][3]["Failures"] == []
    emu.update_instances(fleet["all"][:1], Tags={"Name": None, "Owner": "ops"}, PingStatus="Inactive")
    first = emu.instances()[0]
    assert first["Tags"] == {"Patch Group": "STG", "PatchWindowTaskAM2": "SCAN", "Owner": "ops"}
    assert first["PingStatus"] == "Inactive"


def test_ssm_endpoint_seeds_the_fleet(emu):
    import os
    import sys
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from ssm_endpoint import SsmEndpoint
    ep = SsmEndpoint(emu.url, emu)
    fleet = ep.seed_fleet(per_group=3)
    assert len(fleet["all"]) == 12 and len(fleet["PRD"]["INSTALL"]) == 3
    got = ep.call("DescribeInstanceInformation", {"Filters": [
        {"Key": "tag:PatchWindowTaskAM2", "Values": ["INSTALL"]},
        {"Key": "tag:Patch Group", "Values": ["PRD"]}]})["InstanceInformationList"]
    assert sorted(i["InstanceId"] for i in got) == sorted(fleet["PRD"]["INSTALL"])
    objs = __import__("seed_fleet").create_seed_objects(ep.call)
    assert ep.call("GetPatchBaselineForPatchGroup", {"PatchGroup": "STG", "OperatingSystem":
                                                     "AMAZON_LINUX_2"})["BaselineId"] == \
        objs["baselines"]["STG"]

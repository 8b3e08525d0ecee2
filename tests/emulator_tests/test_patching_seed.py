"""The seed scenario simulated (issue 13, "What it must show" 2 and 3): STG and PRD fleets
tagged as in the seed's table, a catalog with Security patches released 5 and 40 days
ago, the seed's baselines and window; Scan and Install runs, the execution history with
a failing instance, and the next runs of the seed's cron. In both spellings of patch
states (the model's INSTALLED, the live service's Installed)."""

import json
import re

import pytest
from botocore.exceptions import ClientError

import seed_fleet
from emu_helpers import all_pages, caller, error_code

T0 = "2024-06-01T00:00:00Z"
DAY = 86400


@pytest.fixture
def world(emu, ssm):
    emu.clock(set=T0, freeze=True)
    call = caller(ssm)
    fleet = seed_fleet.seed(emu, per_group=2)
    objs = seed_fleet.create_seed_objects(call, bucket="patch-logs")
    return call, fleet, objs


def scan_everything(emu, call, expect=8):
    """A Scan of every instance with a Patch Group tag (Run Command, to the end)."""
    cmd = call("SendCommand", {"DocumentName": "AWS-RunPatchBaseline",
                               "Targets": [{"Key": "tag-key", "Values": ["Patch Group"]}],
                               "Parameters": {"Operation": ["Scan"], "RebootOption": ["NoReboot"]},
                               "MaxConcurrency": "100%", "MaxErrors": "0"})["Command"]
    emu.advance_commands(cmd["CommandId"])
    got = call("ListCommands", {"CommandId": cmd["CommandId"]})["Commands"][0]
    assert got["Status"] == "Success" and got["CompletedCount"] == got["TargetCount"] == expect
    return cmd["CommandId"]


def patches(call, iid, state=None):
    body = {"InstanceId": iid}
    if state:
        body["Filters"] = [{"Key": "State", "Values": [state]}]
    return all_pages(call, "DescribeInstancePatches", body, "Patches", page_size=10)


def spelled(spelling, state):
    live = {"MISSING": "Missing", "INSTALLED_PENDING_REBOOT": "InstalledPendingReboot",
            "INSTALLED": "Installed", "FAILED": "Failed"}
    return live[state] if spelling == "live" else state


def titles(rows):
    return sorted(r["Title"] for r in rows)


PATCH = {p["key"]: p["patch"]["Title"] for p in seed_fleet.SEED_PATCHES}


@pytest.mark.parametrize("spelling", ["model", "live"])
def test_scan_then_install_as_the_seed_designs_it(emu, world, spelling):
    emu.configure(patch_state_spelling=spelling)
    call, fleet, objs = world
    scan_everything(emu, call)

    # After the Scan: STG (approve after 1 day) misses the 5-day-old Critical patch and the
    # 40-day-old Important one; PRD (31 days) only the 40-day-old one. Medium severity and
    # the non-security bug fix are approved by neither.
    for iid in fleet["STG"]["SCAN"] + fleet["STG"]["INSTALL"]:
        missing = patches(call, iid, spelled(spelling, "MISSING"))
        assert titles(missing) == sorted([PATCH["fresh_critical"], PATCH["old_important"]])
        assert {r["State"] for r in missing} == {spelled(spelling, "MISSING")}
    for iid in fleet["PRD"]["SCAN"] + fleet["PRD"]["INSTALL"]:
        missing = patches(call, iid, spelled(spelling, "MISSING"))
        assert titles(missing) == [PATCH["old_important"]]
    fresh = next(r for r in patches(call, fleet["STG"]["SCAN"][0])
                 if r["Title"] == PATCH["fresh_critical"])
    assert fresh["KBId"] == "openssl.x86_64:0:1.0.2k-24.amzn2"
    assert fresh["Classification"] == "Security" and fresh["Severity"] == "Critical"
    assert fresh["CVEIds"] == "CVE-2024-0001,CVE-2024-0002"
    assert fresh["InstalledTime"].timestamp() == 0   # not installed: the epoch, as AWS answers

    stg = call("DescribePatchGroupState", {"PatchGroup": "STG"})
    assert stg["Instances"] == 4 and stg["InstancesWithMissingPatches"] == 4
    assert stg["InstancesWithCriticalNonCompliantPatches"] == 4   # the fresh Critical one
    prd = call("DescribePatchGroupState", {"PatchGroup": "PRD"})
    assert prd["Instances"] == 4 and prd["InstancesWithMissingPatches"] == 4
    assert prd["InstancesWithCriticalNonCompliantPatches"] == 0   # Important is HIGH
    assert prd["InstancesWithSecurityNonCompliantPatches"] == 4
    before = {s["InstanceId"]: s for s in call("DescribeInstancePatchStatesForPatchGroup",
                                               {"PatchGroup": "STG"})["InstancePatchStates"]}
    assert {s["Operation"] for s in before.values()} == {"Scan"}
    assert before[fleet["STG"]["SCAN"][0]]["BaselineId"] == objs["baselines"]["STG"]

    # The window runs: the Scan task scans the SCAN instances, the Install task (NoReboot)
    # installs on the INSTALL instances.
    ex = emu.run_window(objs["window"])
    assert ex["Status"] == "SUCCESS"
    for g, approved in (("STG", 2), ("PRD", 1)):
        states = {s["InstanceId"]: s for s in all_pages(
            call, "DescribeInstancePatchStatesForPatchGroup", {"PatchGroup": g},
            "InstancePatchStates", page_size=10)}
        for iid in fleet[g]["INSTALL"]:
            s = states[iid]
            assert s["Operation"] == "Install" and s["RebootOption"] == "NoReboot"
            assert s["MissingCount"] == 0 and s["FailedCount"] == 0
            assert s["InstalledPendingRebootCount"] == approved and s["InstalledCount"] == 0
            assert "LastNoRebootInstallOperationTime" in s
            assert patches(call, iid, spelled(spelling, "MISSING")) == []
            pending = patches(call, iid, spelled(spelling, "INSTALLED_PENDING_REBOOT"))
            assert len(pending) == approved
            assert {r["State"] for r in pending} == {spelled(spelling, "INSTALLED_PENDING_REBOOT")}
            # pending reboot is still non-compliant
            assert s["CriticalNonCompliantCount"] + s["SecurityNonCompliantCount"] == approved
        for iid in fleet[g]["SCAN"]:
            s = states[iid]
            assert s["Operation"] == "Scan" and s["InstalledPendingRebootCount"] == 0
            assert s["MissingCount"] == approved and s["InstalledCount"] == 0
            assert len(patches(call, iid, spelled(spelling, "MISSING"))) == approved
    assert call("DescribePatchGroupState", {"PatchGroup": "STG"})[
        "InstancesWithInstalledPendingRebootPatches"] == 2


def test_state_filter_takes_either_spelling(emu, world):
    call, fleet, _ = world
    scan_everything(emu, call)
    iid = fleet["STG"]["SCAN"][0]
    for spelling in ("MISSING", "Missing", "missing"):
        assert len(patches(call, iid, spelling)) == 2
    with pytest.raises(ClientError) as ei:
        call("DescribeInstancePatches", {"InstanceId": iid,
                                         "Filters": [{"Key": "Product", "Values": ["x"]}]})
    assert error_code(ei) == "InvalidFilter"


def test_live_spelling_from_the_command_line(tmp_path):
    from emulator import Emulator
    from emu_helpers import make_client
    with Emulator(patch_states="live") as emu:
        assert emu.config()["patch_state_spelling"] == "live"
        call = caller(make_client(emu, "ssm"))
        fleet = seed_fleet.seed(emu)
        seed_fleet.create_seed_objects(call)
        scan_everything(emu, call, expect=4)
        rows = patches(call, fleet["STG"]["SCAN"][0])
        assert {r["State"] for r in rows} == {"Missing"}
        assert "self-check failed" not in emu.log()


def test_approve_after_days_follows_the_clock(emu, world):
    call, fleet, _ = world
    prd = fleet["PRD"]["SCAN"][0]
    stg = fleet["STG"]["SCAN"][0]
    # 25 days on, the 5-day-old patch is 30 days old: PRD (31 days) still waits
    emu.clock(advance=25 * DAY)
    scan_everything(emu, call)
    assert titles(patches(call, prd, "MISSING")) == [PATCH["old_important"]]
    # one more day: 31 days since its release, PRD approves it too
    emu.clock(advance=DAY)
    scan_everything(emu, call)
    assert titles(patches(call, prd, "MISSING")) == sorted([PATCH["fresh_critical"],
                                                            PATCH["old_important"]])
    assert PATCH["fresh_critical"] in titles(patches(call, stg, "MISSING"))


def test_stg_approval_starts_one_day_after_release(emu, ssm):
    call = caller(ssm)
    emu.clock(set=T0, freeze=True)
    ids = emu.add_patches([{"OperatingSystem": "AMAZON_LINUX_2", "Title": "today",
                            "Classification": "Security", "Severity": "Critical",
                            "ReleasedDaysAgo": 0}])
    fleet = seed_fleet.seed(emu, catalog=False)
    seed_fleet.create_seed_objects(call)
    scan_everything(emu, call, expect=4)
    assert patches(call, fleet["STG"]["SCAN"][0], "MISSING") == []
    emu.clock(advance=DAY - 1)
    scan_everything(emu, call, expect=4)
    assert patches(call, fleet["STG"]["SCAN"][0], "MISSING") == []
    emu.clock(advance=1)
    scan_everything(emu, call, expect=4)
    assert [r["KBId"] for r in patches(call, fleet["STG"]["SCAN"][0], "MISSING")] == ids


def test_two_runs_one_failing_newest_first(emu, world):
    call, fleet, objs = world
    wid = objs["window"]
    first = emu.run_window(wid)
    assert first["Status"] == "SUCCESS"
    emu.clock(advance=DAY)
    # a Critical fix published 32 days ago shows up: both baselines approve it
    emu.add_patches([{"OperatingSystem": "AMAZON_LINUX_2", "Title": "glibc-2.26-64.amzn2.x86_64",
                      "Classification": "Security", "Severity": "Critical", "ReleasedDaysAgo": 32}])
    bad = fleet["PRD"]["INSTALL"][1]
    emu.fail_instances([bad], message="yum: cannot lock the rpm database")
    second = emu.run_window(wid)
    assert second["Status"] == "FAILED"

    runs = call("DescribeMaintenanceWindowExecutions", {"WindowId": wid})["WindowExecutions"]
    assert [r["WindowExecutionId"] for r in runs] == [second["WindowExecutionId"],
                                                      first["WindowExecutionId"]]
    assert [r["Status"] for r in runs] == ["FAILED", "SUCCESS"]
    assert runs[0]["StatusDetails"] == "One or more tasks in the orchestration failed."
    assert runs[0]["StartTime"] > runs[1]["EndTime"]
    assert runs[0]["StartTime"] <= runs[0]["EndTime"]

    got = call("GetMaintenanceWindowExecution", {"WindowExecutionId": second["WindowExecutionId"]})
    assert got["Status"] == "FAILED" and len(got["TaskIds"]) == 2
    tasks = call("DescribeMaintenanceWindowExecutionTasks",
                 {"WindowExecutionId": second["WindowExecutionId"]})["WindowExecutionTaskIdentities"]
    assert sorted(t["TaskExecutionId"] for t in tasks) == sorted(got["TaskIds"])
    failed = [t for t in tasks if t["Status"] == "FAILED"]
    assert len(failed) == 1 and failed[0]["TaskArn"] == "AWS-RunPatchBaseline"
    assert failed[0]["TaskType"] == "RUN_COMMAND"
    only_failed = call("DescribeMaintenanceWindowExecutionTasks", {
        "WindowExecutionId": second["WindowExecutionId"],
        "Filters": [{"Key": "STATUS", "Values": ["FAILED"]}]})["WindowExecutionTaskIdentities"]
    assert [t["TaskExecutionId"] for t in only_failed] == [failed[0]["TaskExecutionId"]]
    task = call("GetMaintenanceWindowExecutionTask", {
        "WindowExecutionId": second["WindowExecutionId"], "TaskId": failed[0]["TaskExecutionId"]})
    assert task["TaskParameters"] == [{"Operation": {"Values": ["Install"]},
                                       "RebootOption": {"Values": ["NoReboot"]}}]
    assert task["MaxErrors"] == "50%" and task["Priority"] == 1

    invs = call("DescribeMaintenanceWindowExecutionTaskInvocations", {
        "WindowExecutionId": second["WindowExecutionId"],
        "TaskId": failed[0]["TaskExecutionId"]})["WindowExecutionTaskInvocationIdentities"]
    # the Install task's four INSTALL instances, two at a time (MaxConcurrency 50%); one failure
    # is within MaxErrors 50% (2), so all four ran
    assert len(invs) == 4
    by_instance = {json.loads(i["Parameters"])["instanceIds"][0]: i for i in invs}
    assert set(by_instance) == set(fleet["STG"]["INSTALL"] + fleet["PRD"]["INSTALL"])
    inv = by_instance[bad]
    assert inv["Status"] == "FAILED" and inv["StatusDetails"] == "Failed"
    assert inv["WindowTargetId"] == objs["targets"]["INSTALL"]
    params = json.loads(inv["Parameters"])
    assert params["documentName"] == "AWS-RunPatchBaseline"
    assert params["outputS3BucketName"] == "patch-logs"
    assert params["outputS3KeyPrefix"] == "patch/window/install/"
    assert params["parameters"] == {"Operation": ["Install"], "RebootOption": ["NoReboot"]}
    assert params["maxConcurrency"] == "50%" and params["maxErrors"] == "50%"
    assert params["timeoutSeconds"] == 1800
    assert {i["Status"] for iid, i in by_instance.items() if iid != bad} == {"SUCCESS"}
    one = call("GetMaintenanceWindowExecutionTaskInvocation", {
        "WindowExecutionId": second["WindowExecutionId"], "TaskId": failed[0]["TaskExecutionId"],
        "InvocationId": inv["InvocationId"]})
    assert one == inv

    # the invocation's command: its output in S3 where SSM writes it
    cmd_id = inv["ExecutionId"]
    ci = call("GetCommandInvocation", {"CommandId": cmd_id, "InstanceId": bad})
    assert ci["Status"] == "Failed" and ci["ResponseCode"] == 1
    assert "yum: cannot lock the rpm database" in ci["StandardOutputContent"]
    assert ci["StandardOutputUrl"] == (
        "https://s3.us-east-1.amazonaws.com/patch-logs/patch/window/install/%s/%s/"
        "awsrunShellScript/PatchLinux/stdout" % (cmd_id, bad))
    listed = call("ListCommandInvocations", {"CommandId": cmd_id, "Details": True})
    plugin = next(p for p in listed["CommandInvocations"][0]["CommandPlugins"]
                  if p["Name"] == "PatchLinux")
    assert plugin["OutputS3BucketName"] == "patch-logs"
    assert plugin["OutputS3KeyPrefix"] == "patch/window/install/%s/%s/awsrunShellScript/PatchLinux" % (
        cmd_id, bad)

    # the failed install shows in compliance: its patch FAILED, the others installed
    state = call("DescribeInstancePatchStates", {"InstanceIds": [bad]})["InstancePatchStates"][0]
    assert state["FailedCount"] == 1 and state["Operation"] == "Install"
    assert [r["Title"] for r in patches(call, bad, "FAILED")] == ["glibc-2.26-64.amzn2.x86_64"]
    good = call("DescribeInstancePatchStates", {"InstanceIds": [fleet["PRD"]["INSTALL"][0]]})
    assert good["InstancePatchStates"][0]["InstalledPendingRebootCount"] == 2
    assert call("DescribePatchGroupState", {"PatchGroup": "PRD"})["InstancesWithFailedPatches"] == 1

    # ExecutedAfter between the runs keeps the newest only
    after = call("DescribeMaintenanceWindowExecutions", {
        "WindowId": wid, "Filters": [{"Key": "ExecutedAfter",
                                      "Values": ["2024-06-01T12:00:00Z"]}]})["WindowExecutions"]
    assert [r["WindowExecutionId"] for r in after] == [second["WindowExecutionId"]]
    before = call("DescribeMaintenanceWindowExecutions", {
        "WindowId": wid, "Filters": [{"Key": "ExecutedBefore",
                                      "Values": ["2024-06-01T12:00:00Z"]}]})["WindowExecutions"]
    assert [r["WindowExecutionId"] for r in before] == [first["WindowExecutionId"]]


def test_next_three_runs_of_the_seed_cron(emu, world):
    call, _, objs = world
    emu.clock(set="2024-06-01T10:00:00Z", freeze=True)
    got = call("DescribeMaintenanceWindowSchedule", {"WindowId": objs["window"], "MaxResults": 3})
    assert [e["ExecutionTime"] for e in got["ScheduledWindowExecutions"]] == [
        "2024-06-01T17:00Z", "2024-06-02T17:00Z", "2024-06-03T17:00Z"]
    assert {e["Name"] for e in got["ScheduledWindowExecutions"]} == {"patch-window-am2"}
    assert got["NextToken"]
    w = call("GetMaintenanceWindow", {"WindowId": objs["window"]})
    assert w["NextExecutionTime"] == "2024-06-01T17:00Z"
    # at 17:00 exactly the next run is tomorrow's
    emu.clock(set="2024-06-01T17:00:00Z")
    got = call("DescribeMaintenanceWindowSchedule", {"WindowId": objs["window"], "MaxResults": 1})
    assert got["ScheduledWindowExecutions"][0]["ExecutionTime"] == "2024-06-02T17:00Z"
    listed = call("DescribeMaintenanceWindows", {})["WindowIdentities"]
    assert listed[0]["NextExecutionTime"] == "2024-06-02T17:00Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\dZ", listed[0]["NextExecutionTime"])


def test_advancing_the_clock_runs_the_windows_that_came_due(emu, world):
    call, fleet, objs = world
    emu.clock(set="2024-06-01T10:00:00Z", freeze=True)
    got = emu.clock(advance=2 * DAY, run_due=True)
    assert [e["Status"] for e in got["executions"]] == ["SUCCESS", "SUCCESS"]
    runs = call("DescribeMaintenanceWindowExecutions", {"WindowId": objs["window"]})["WindowExecutions"]
    starts = [r["StartTime"].timestamp() for r in runs]
    # 2024-06-02T17:00Z and 2024-06-01T17:00Z, newest first
    assert [int(s) for s in starts] == [1717347600, 1717261200]
    states = call("DescribeInstancePatchStates", {"InstanceIds": fleet["all"]})["InstancePatchStates"]
    assert len(states) == 8

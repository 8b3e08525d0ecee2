"""Run Command in the emulator: SendCommand of AWS-RunPatchBaseline, targets, concurrency and
error limits, deterministic progress a poller can watch, output locations, errors."""

import pytest
from botocore.exceptions import ClientError

import seed_fleet
from emu_helpers import caller, error_code

AL2 = "AMAZON_LINUX_2"


@pytest.fixture
def call(ssm):
    return caller(ssm)


@pytest.fixture
def fleet(emu, call):
    emu.clock(set="2024-06-01T00:00:00Z", freeze=True)
    f = seed_fleet.seed(emu, per_group=2)
    f["objects"] = seed_fleet.create_seed_objects(call)
    return f


def send(call, **kw):
    body = {"DocumentName": "AWS-RunPatchBaseline",
            "Parameters": {"Operation": ["Scan"], "RebootOption": ["NoReboot"]}}
    body.update(kw)
    return call("SendCommand", body)["Command"]


def statuses(call, cid):
    return [i["Status"] for i in call("ListCommandInvocations", {"CommandId": cid})["CommandInvocations"]]


def test_a_poller_sees_one_instance_finish_per_poll(call, fleet):
    ids = fleet["STG"]["SCAN"] + fleet["STG"]["INSTALL"][:1]
    cmd = send(call, InstanceIds=ids)
    assert cmd["Status"] == "Pending" and cmd["TargetCount"] == 3
    assert cmd["InstanceIds"] == ids and cmd["MaxConcurrency"] == "50" and cmd["MaxErrors"] == "0"
    seen = []
    for _ in range(10):
        got = [call("GetCommandInvocation", {"CommandId": cmd["CommandId"], "InstanceId": i})["Status"]
               for i in ids[:1]]
        seen.append(got[0])
        if got[0] == "Success":
            break
    # the first poll starts the invocations, the second finishes the first instance
    assert seen == ["InProgress", "Success"]
    history = []
    while True:
        s = statuses(call, cmd["CommandId"])
        history.append(s)
        if all(x == "Success" for x in s):
            break
        assert len(history) < 10
    # every poll finished exactly one more instance
    assert [h.count("Success") for h in history] == list(range(2, 4))
    done = call("ListCommands", {"CommandId": cmd["CommandId"]})["Commands"][0]
    assert done["Status"] == "Success" and done["StatusDetails"] == "Success"
    assert done["CompletedCount"] == 3 and done["ErrorCount"] == 0


def test_max_concurrency_bounds_what_runs(call, fleet):
    ids = fleet["all"][:4]
    cmd = send(call, InstanceIds=ids, MaxConcurrency="1")
    history = []
    while True:
        s = statuses(call, cmd["CommandId"])
        history.append(s)
        assert s.count("InProgress") <= 1
        if s.count("Success") == 4:
            break
        assert len(history) < 20
    assert history[0] == ["InProgress", "Pending", "Pending", "Pending"]
    # percentages are of the targets: 50% of 4 -> 2 at a time
    cmd = send(call, InstanceIds=ids, MaxConcurrency="50%")
    assert statuses(call, cmd["CommandId"]) == ["InProgress", "InProgress", "Pending", "Pending"]


def test_max_errors_stops_sending_the_command(emu, call, fleet):
    ids = fleet["all"][:5]
    emu.fail_instances(ids[:2], operation="Scan")
    cmd = send(call, InstanceIds=ids, MaxConcurrency="1", MaxErrors="1")
    emu.advance_commands(cmd["CommandId"])
    s = statuses(call, cmd["CommandId"])
    # the second failure is one more than MaxErrors: the other three never start
    assert s == ["Failed", "Failed", "Cancelled", "Cancelled", "Cancelled"]
    got = call("ListCommands", {"CommandId": cmd["CommandId"]})["Commands"][0]
    assert (got["Status"], got["StatusDetails"]) == ("Failed", "Failed")
    assert got["ErrorCount"] == 2 and got["CompletedCount"] == 2


def test_max_errors_zero_stops_after_the_first_failure(emu, call, fleet):
    ids = fleet["all"][:3]
    emu.fail_instances(ids[:1], operation="Scan", times=1)
    cmd = send(call, InstanceIds=ids, MaxConcurrency="1")
    emu.advance_commands(cmd["CommandId"])
    assert statuses(call, cmd["CommandId"]) == ["Failed", "Cancelled", "Cancelled"]
    # times=1: the next command succeeds on it
    cmd = send(call, InstanceIds=ids)
    emu.advance_commands(cmd["CommandId"])
    assert statuses(call, cmd["CommandId"]) == ["Success"] * 3


def test_failures_within_max_errors_leave_the_command_incomplete(emu, call, fleet):
    ids = fleet["all"][:3]
    emu.fail_instances(ids[1:2], operation="Any")
    cmd = send(call, InstanceIds=ids, MaxErrors="1")
    emu.advance_commands(cmd["CommandId"])
    assert statuses(call, cmd["CommandId"]) == ["Success", "Failed", "Success"]
    got = call("ListCommands", {"CommandId": cmd["CommandId"]})["Commands"][0]
    assert (got["Status"], got["StatusDetails"]) == ("Failed", "Incomplete")
    failed = call("ListCommandInvocations", {"CommandId": cmd["CommandId"], "Filters": [
        {"key": "Status", "value": "Failed"}]})["CommandInvocations"]
    assert [i["InstanceId"] for i in failed] == [ids[1]]


def test_an_unreachable_instance_times_out_on_delivery(emu, call, fleet):
    ids = fleet["all"][:2]
    emu.update_instances(ids[:1], PingStatus="ConnectionLost")
    cmd = send(call, InstanceIds=ids, MaxErrors="1")
    emu.advance_commands(cmd["CommandId"])
    invs = call("ListCommandInvocations", {"CommandId": cmd["CommandId"]})["CommandInvocations"]
    assert [(i["Status"], i["StatusDetails"]) for i in invs] == [
        ("TimedOut", "Delivery Timed Out"), ("Success", "Success")]
    got = call("ListCommands", {"CommandId": cmd["CommandId"]})["Commands"][0]
    assert got["DeliveryTimedOutCount"] == 1 and got["ErrorCount"] == 1
    info = call("DescribeInstanceInformation", {"Filters": [
        {"Key": "PingStatus", "Values": ["ConnectionLost"]}]})["InstanceInformationList"]
    assert [i["InstanceId"] for i in info] == ids[:1]


def targets_of(call, cmd):
    emu_ids = [i["InstanceId"] for i in call("ListCommandInvocations",
                                              {"CommandId": cmd["CommandId"]})["CommandInvocations"]]
    return sorted(emu_ids)


def test_targets_by_tag_tag_key_and_window_target(call, fleet):
    stg = send(call, Targets=[{"Key": "tag:Patch Group", "Values": ["STG"]}])
    assert stg["TargetCount"] == 4 and stg["InstanceIds"] == []
    assert targets_of(call, stg) == sorted(fleet["STG"]["SCAN"] + fleet["STG"]["INSTALL"])
    both = send(call, Targets=[{"Key": "tag:Patch Group", "Values": ["STG"]},
                               {"Key": "tag:PatchWindowTaskAM2", "Values": ["INSTALL"]}])
    assert targets_of(call, both) == sorted(fleet["STG"]["INSTALL"])
    anyone = send(call, Targets=[{"Key": "tag-key", "Values": ["PatchWindowTaskAM2"]}])
    assert anyone["TargetCount"] == 8
    # a window target's targets, as an action resolving "this window target" sends them
    wt = call("DescribeMaintenanceWindowTargets", {
        "WindowId": fleet["objects"]["window"],
        "Filters": [{"Key": "WindowTargetId", "Values": [fleet["objects"]["targets"]["SCAN"]]}]})
    cmd = send(call, Targets=wt["Targets"][0]["Targets"])
    assert targets_of(call, cmd) == sorted(fleet["STG"]["SCAN"] + fleet["PRD"]["SCAN"])
    by_ids = send(call, Targets=[{"Key": "InstanceIds", "Values": fleet["PRD"]["SCAN"]}])
    assert targets_of(call, by_ids) == sorted(fleet["PRD"]["SCAN"])


def test_no_matching_instance(call, fleet):
    cmd = send(call, Targets=[{"Key": "tag:Patch Group", "Values": ["DEV"]}])
    assert cmd["TargetCount"] == 0
    assert (cmd["Status"], cmd["StatusDetails"]) == ("Success", "No Instances In Tag")
    assert call("ListCommandInvocations", {"CommandId": cmd["CommandId"]})["CommandInvocations"] == []


def test_output_location_and_plugins(emu, call, fleet):
    iid = fleet["STG"]["SCAN"][0]
    cmd = send(call, InstanceIds=[iid], OutputS3BucketName="patch-logs", OutputS3KeyPrefix="now/",
               OutputS3Region="eu-west-1", Comment="patch now")
    assert cmd["OutputS3Region"] == "eu-west-1" and cmd["OutputS3KeyPrefix"] == "now/"
    pending = call("GetCommandInvocation", {"CommandId": cmd["CommandId"], "InstanceId": iid})
    assert pending["Status"] == "InProgress" and pending["ResponseCode"] == -1
    emu.advance_commands(cmd["CommandId"])
    got = call("GetCommandInvocation", {"CommandId": cmd["CommandId"], "InstanceId": iid})
    key = "now/%s/%s/awsrunShellScript/PatchLinux" % (cmd["CommandId"], iid)
    assert got["PluginName"] == "PatchLinux" and got["Comment"] == "patch now"
    assert got["StandardOutputUrl"] == "https://s3.eu-west-1.amazonaws.com/patch-logs/%s/stdout" % key
    assert got["StandardErrorUrl"] == "https://s3.eu-west-1.amazonaws.com/patch-logs/%s/stderr" % key
    assert "Operation: Scan" in got["StandardOutputContent"]
    assert "Missing: 2" in got["StandardOutputContent"]
    assert got["ExecutionStartDateTime"].endswith("Z")
    assert got["ExecutionElapsedTime"].startswith("PT")
    win = call("GetCommandInvocation", {"CommandId": cmd["CommandId"], "InstanceId": iid,
                                        "PluginName": "PatchWindows"})
    assert win["Status"] == "Success"
    assert win["StandardOutputContent"].startswith("Step execution skipped")
    with pytest.raises(ClientError) as ei:
        call("GetCommandInvocation", {"CommandId": cmd["CommandId"], "InstanceId": iid,
                                      "PluginName": "PatchBSD"})
    assert error_code(ei) == "InvalidPluginName"
    inv = call("ListCommandInvocations", {"CommandId": cmd["CommandId"], "Details": True})[
        "CommandInvocations"][0]
    assert [p["Name"] for p in inv["CommandPlugins"]] == ["PatchWindows", "PatchLinux", "PatchMacOS"]
    assert inv["InstanceName"] == "stg-scan-0"
    assert inv["StandardOutputUrl"] == got["StandardOutputUrl"]
    assert "CommandPlugins" not in call("ListCommandInvocations", {"CommandId": cmd["CommandId"]})[
        "CommandInvocations"][0]


def test_install_reboot_options(emu, call, fleet):
    no_reboot, reboot = fleet["STG"]["INSTALL"]
    for iid, option in ((no_reboot, "NoReboot"), (reboot, "RebootIfNeeded")):
        cmd = send(call, InstanceIds=[iid], Parameters={"Operation": ["Install"],
                                                        "RebootOption": [option]})
        emu.advance_commands(cmd["CommandId"])
    states = {s["InstanceId"]: s for s in call("DescribeInstancePatchStates", {
        "InstanceIds": [no_reboot, reboot]})["InstancePatchStates"]}
    assert states[no_reboot]["InstalledPendingRebootCount"] == 2
    assert states[no_reboot]["InstalledCount"] == 0
    assert states[reboot]["InstalledPendingRebootCount"] == 0 and states[reboot]["InstalledCount"] == 2
    assert states[reboot]["RebootOption"] == "RebootIfNeeded"
    # a reboot (control endpoint) clears the pending state; the next Scan reports it
    emu.update_instances([no_reboot], reboot=True)
    assert call("DescribeInstancePatchStates", {"InstanceIds": [no_reboot]})[
        "InstancePatchStates"][0]["InstalledPendingRebootCount"] == 2
    cmd = send(call, InstanceIds=[no_reboot])
    emu.advance_commands(cmd["CommandId"])
    s = call("DescribeInstancePatchStates", {"InstanceIds": [no_reboot]})["InstancePatchStates"][0]
    assert (s["InstalledCount"], s["InstalledPendingRebootCount"], s["Operation"]) == (2, 0, "Scan")
    assert s["CriticalNonCompliantCount"] == s["SecurityNonCompliantCount"] == 0


@pytest.mark.parametrize("body, code", [
    ({"DocumentName": "AWS-NoSuchDocument", "InstanceIds": ["i-0123456789abcdef0"]}, "InvalidDocument"),
    ({"DocumentName": "AWS-RunPatchBaseline", "InstanceIds": ["i-0123456789abcdef0"]},
     "InvalidInstanceId"),
    ({"DocumentName": "AWS-RunPatchBaseline"}, "ValidationException"),
    ({"DocumentName": "AWS-RunPatchBaseline", "Parameters": {"Operation": ["Fix"]},
      "Targets": [{"Key": "tag-key", "Values": ["x"]}]}, "InvalidParameters"),
    ({"DocumentName": "AWS-RunPatchBaseline", "Parameters": {"Colour": ["blue"]},
      "Targets": [{"Key": "tag-key", "Values": ["x"]}]}, "InvalidParameters"),
    ({"DocumentName": "AWS-RunPatchBaseline", "Targets": [{"Key": "color", "Values": ["x"]}]},
     "InvalidParameters"),
])
def test_send_command_errors(call, fleet, body, code):
    with pytest.raises(ClientError) as ei:
        call("SendCommand", body)
    assert error_code(ei) == code


def test_send_command_refuses_both_kinds_of_target_and_duplicates(call, fleet):
    iid = fleet["all"][0]
    with pytest.raises(ClientError) as ei:
        send(call, InstanceIds=[iid], Targets=[{"Key": "tag-key", "Values": ["x"]}])
    assert error_code(ei) == "ValidationException"
    with pytest.raises(ClientError) as ei:
        send(call, InstanceIds=[iid, iid])
    assert error_code(ei) == "DuplicateInstanceId"
    with pytest.raises(ClientError) as ei:
        call("GetCommandInvocation", {"CommandId": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
                                      "InstanceId": iid})
    assert error_code(ei) == "InvocationDoesNotExist"


def test_list_filters(emu, call, fleet):
    first = send(call, InstanceIds=fleet["all"][:1])
    emu.advance_commands(first["CommandId"])
    emu.clock(advance=3600)
    second = send(call, InstanceIds=fleet["all"][1:2])
    listed = call("ListCommands", {})["Commands"]
    assert [c["CommandId"] for c in listed[:2]] == [second["CommandId"], first["CommandId"]]
    after = call("ListCommands", {"Filters": [{"key": "InvokedAfter",
                                               "value": "2024-06-01T00:30:00Z"}]})["Commands"]
    assert [c["CommandId"] for c in after] == [second["CommandId"]]
    # each listing moves the commands it shows one step: a three-instance command sent one at
    # a time is still executing on its first listings
    slow = send(call, InstanceIds=fleet["all"][2:5], MaxConcurrency="1")
    done = call("ListCommands", {"Filters": [{"key": "ExecutionStage", "value": "Complete"}]})["Commands"]
    assert first["CommandId"] in [c["CommandId"] for c in done]
    assert slow["CommandId"] not in [c["CommandId"] for c in done]
    running = call("ListCommands", {"Filters": [{"key": "ExecutionStage", "value": "Executing"}]})[
        "Commands"]
    assert [c["CommandId"] for c in running] == [slow["CommandId"]]
    by_doc = call("ListCommands", {"Filters": [{"key": "DocumentName",
                                                "value": "AWS-RunShellScript"}]})["Commands"]
    assert by_doc == []
    with pytest.raises(ClientError) as ei:
        call("ListCommandInvocations", {"Filters": [{"key": "ExecutionStage", "value": "Complete"}]})
    assert error_code(ei) == "InvalidFilterKey"
    # an unknown command ID lists nothing (AWS answers an empty list, not an error)
    assert call("ListCommandInvocations", {"CommandId": "1" * 8 + "-1111-1111-1111-" + "1" * 12})[
        "CommandInvocations"] == []
    mine = call("ListCommandInvocations", {"InstanceId": fleet["all"][0]})["CommandInvocations"]
    assert [i["CommandId"] for i in mine] == [first["CommandId"]]


def test_instant_progress(emu, call, fleet):
    emu.configure(command_progress="instant")
    cmd = send(call, InstanceIds=fleet["all"][:3])
    assert cmd["Status"] == "Success" and cmd["CompletedCount"] == 3


def test_time_progress_moves_without_polls_counting(emu, call, fleet):
    emu.configure(command_progress="time", command_step_ms=5)
    cmd = send(call, InstanceIds=fleet["all"][:3])
    assert cmd["Status"] == "Pending"
    polls = 0
    while call("ListCommands", {"CommandId": cmd["CommandId"]})["Commands"][0]["Status"] != "Success":
        polls += 1
        assert polls < 100000
    assert statuses(call, cmd["CommandId"]) == ["Success"] * 3


def test_other_documents(emu, call, fleet):
    win = emu.add_instances([{"OperatingSystem": "WINDOWS"}])[0]
    cmd = call("SendCommand", {"DocumentName": "AWS-RunShellScript",
                               "InstanceIds": [fleet["all"][0], win],
                               "Parameters": {"commands": ["uptime"]}, "MaxErrors": "1"})["Command"]
    emu.advance_commands(cmd["CommandId"])
    assert statuses(call, cmd["CommandId"]) == ["Success", "Failed"]
    inv = call("ListCommandInvocations", {"CommandId": cmd["CommandId"], "Details": True})[
        "CommandInvocations"][0]
    assert [p["Name"] for p in inv["CommandPlugins"]] == ["aws:runShellScript"]

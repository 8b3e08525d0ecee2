"""Every paginated read the emulator answers pages as the model says (MaxResults within the
model's range, NextToken until the last page, nothing lost or repeated), over a world of
250 instances and 120 window executions; every page passes the output-shape self-check
(conftest.py fails the test otherwise)."""

import pytest
from botocore.exceptions import ClientError

import emu_helpers  # noqa: F401  (puts tests/emulator on sys.path)
from emu_helpers import all_pages, caller, error_code
from model import Model
from ssm_backend import Backend

AL2 = "AMAZON_LINUX_2"
N_INSTANCES, N_EXECUTIONS, N_TASKS, N_PATCHES = 250, 120, 12, 25


@pytest.fixture(scope="module")
def world(emu_server):
    emu = emu_server
    emu.reset()
    emu.configure(command_progress="instant", patch_state_spelling="model")
    try:
        call = caller(emu_helpers.make_client(emu, "ssm"))
        emu.clock(set="2024-06-01T00:00:00Z", freeze=True)
        emu.add_patches([{"OperatingSystem": AL2, "Title": "p%02d" % i, "Classification": "Security",
                          "Severity": "Critical", "ReleasedDaysAgo": 30} for i in range(N_PATCHES)]
                        + [{"OperatingSystem": "WINDOWS", "Title": "KB%d" % i, "KBId": "KB%d" % i,
                            "Classification": "SecurityUpdates", "MsrcSeverity": "Critical",
                            "ReleasedDaysAgo": 30} for i in range(3)])
        ids = emu.add_instances([{"OperatingSystem": AL2, "Tags": {"Patch Group": "big", "n": str(i)}}
                                 for i in range(N_INSTANCES)])
        bid = call("CreatePatchBaseline", {"Name": "big", "OperatingSystem": AL2, "ApprovalRules": {
            "PatchRules": [{"PatchFilterGroup": {"PatchFilters": [
                {"Key": "SEVERITY", "Values": ["Critical"]}]}, "ApproveAfterDays": 0}]}})["BaselineId"]
        call("RegisterPatchBaselineForPatchGroup", {"BaselineId": bid, "PatchGroup": "big"})
        win = call("CreatePatchBaseline", {"Name": "win", "OperatingSystem": "WINDOWS", "ApprovalRules": {
            "PatchRules": [{"PatchFilterGroup": {"PatchFilters": [
                {"Key": "MSRC_SEVERITY", "Values": ["Critical"]}]}, "ApproveAfterDays": 0}]}})["BaselineId"]
        scan = call("SendCommand", {"DocumentName": "AWS-RunPatchBaseline", "MaxConcurrency": "100%",
                                    "Targets": [{"Key": "tag:Patch Group", "Values": ["big"]}],
                                    "Parameters": {"Operation": ["Scan"]}})["Command"]["CommandId"]

        def new_window(name):
            return call("CreateMaintenanceWindow", {"Name": name, "Schedule": "rate(1 day)",
                                                    "Duration": 1, "Cutoff": 0,
                                                    "AllowUnassociatedTargets": True})["WindowId"]
        daily = new_window("daily")
        call("RegisterTaskWithMaintenanceWindow", {
            "WindowId": daily, "TaskArn": "AWS-RunPatchBaseline", "TaskType": "RUN_COMMAND",
            "Targets": [{"Key": "InstanceIds", "Values": ids[:1]}], "MaxConcurrency": "1",
            "MaxErrors": "0", "TaskInvocationParameters": {"RunCommand": {"Parameters": {
                "Operation": ["Scan"]}}}})
        for _ in range(N_EXECUTIONS):
            emu.run_window(daily)
            emu.clock(advance=3600)
        wide = new_window("wide")
        for i in range(N_TASKS):
            tid = call("RegisterTargetWithMaintenanceWindow", {
                "WindowId": wide, "ResourceType": "INSTANCE",
                "Targets": [{"Key": "tag:n", "Values": [str(i)]}]})["WindowTargetId"]
            call("RegisterTaskWithMaintenanceWindow", {
                "WindowId": wide, "TaskArn": "AWS-RunPatchBaseline", "TaskType": "RUN_COMMAND",
                "Targets": [{"Key": "InstanceIds", "Values": ids[100:100 + N_TASKS]}] if i == 0 else
                [{"Key": "WindowTargetIds", "Values": [tid]}],
                "MaxConcurrency": "5", "MaxErrors": "0", "Priority": i})
        wide_run = emu.run_window(wide)["WindowExecutionId"]
        first_task = call("GetMaintenanceWindowExecution", {"WindowExecutionId": wide_run})["TaskIds"][0]
        yield {"call": call, "ids": ids, "scan": scan, "daily": daily, "wide": wide,
               "wide_run": wide_run, "first_task": first_task, "win": win}
    finally:
        emu.reset()
        emu.configure(command_progress="poll")


def cases(w):
    """(op, body, list key, expected number of items or None, page size)."""
    return [
        ("DescribeInstanceInformation", {}, "InstanceInformationList", N_INSTANCES, 5),
        ("DescribeInstancePatchStates", {"InstanceIds": w["ids"][:50]}, "InstancePatchStates", 50, 10),
        ("DescribeInstancePatchStatesForPatchGroup", {"PatchGroup": "big"}, "InstancePatchStates",
         N_INSTANCES, 10),
        ("DescribeInstancePatches", {"InstanceId": w["ids"][7]}, "Patches", N_PATCHES, 10),
        ("DescribeMaintenanceWindowExecutions", {"WindowId": w["daily"]}, "WindowExecutions",
         N_EXECUTIONS, 10),
        ("DescribeMaintenanceWindowExecutionTasks", {"WindowExecutionId": w["wide_run"]},
         "WindowExecutionTaskIdentities", N_TASKS, 10),
        ("DescribeMaintenanceWindowExecutionTaskInvocations",
         {"WindowExecutionId": w["wide_run"], "TaskId": w["first_task"]},
         "WindowExecutionTaskInvocationIdentities", N_TASKS, 10),
        ("DescribeMaintenanceWindowSchedule", {"WindowId": w["daily"], "Filters": [
            {"Key": "ScheduledBefore", "Values": ["2024-07-01T00:00:00Z"]}]},
         "ScheduledWindowExecutions", None, 1),
        ("DescribeMaintenanceWindowTargets", {"WindowId": w["wide"]}, "Targets", N_TASKS, 10),
        ("DescribeMaintenanceWindowTasks", {"WindowId": w["wide"]}, "Tasks", N_TASKS, 10),
        ("DescribeMaintenanceWindows", {}, "WindowIdentities", 2, 10),
        ("DescribePatchBaselines", {}, "BaselineIdentities", 13 + 2, 1),
        ("DescribePatchGroups", {}, "Mappings", 1, 1),
        ("DescribeEffectivePatchesForPatchBaseline", {"BaselineId": w["win"]}, "EffectivePatches", 3, 1),
        ("ListCommands", {}, "Commands", 1 + N_EXECUTIONS + N_TASKS + (N_TASKS - 1), 7),
        ("ListCommandInvocations", {"CommandId": w["scan"]}, "CommandInvocations", N_INSTANCES, 13),
    ]


def test_every_paginated_read_is_covered(world):
    model, backend = Model(), Backend()
    paginated = {op for op in model.operations if backend.implemented(op)
                 and "NextToken" in model.shapes[model.output_shape(op)]["members"]}
    assert paginated == {c[0] for c in cases(world)}


@pytest.mark.parametrize("index", range(16))
def test_pages(emu_server, world, index):
    op, body, key, expected, size = cases(world)[index]
    call = world["call"]
    seen = len(emu_server.log())
    small = all_pages(call, op, body, key, page_size=size)
    if expected is not None:
        assert len(small) == expected
    else:
        assert len(small) > size
    # the same items in the same order with the default page size and the largest one
    assert all_pages(call, op, body, key) == small
    model = Model()
    mr = model.shapes[model.shapes[model.input_shape(op)]["members"]["MaxResults"]["shape"]]
    assert all_pages(call, op, body, key, page_size=mr.get("max", 100)) == small
    assert "self-check failed" not in emu_server.log()[seen:]


def test_executions_page_newest_first(world):
    got = all_pages(world["call"], "DescribeMaintenanceWindowExecutions", {"WindowId": world["daily"]},
                    "WindowExecutions", page_size=10)
    starts = [e["StartTime"] for e in got]
    assert starts == sorted(starts, reverse=True) and len(set(starts)) == N_EXECUTIONS


def test_bad_tokens(world):
    call = world["call"]
    with pytest.raises(ClientError) as ei:
        call("DescribeInstancePatches", {"InstanceId": world["ids"][0], "NextToken": "garbage"})
    assert error_code(ei) == "InvalidNextToken"
    # a token of another operation is refused too
    tok = call("DescribeInstanceInformation", {"MaxResults": 5})["NextToken"]
    with pytest.raises(ClientError) as ei:
        call("DescribeInstancePatchStatesForPatchGroup", {"PatchGroup": "big", "NextToken": tok})
    assert error_code(ei) == "InvalidNextToken"
    with pytest.raises(ClientError) as ei:
        call("DescribeMaintenanceWindowExecutions", {"WindowId": world["daily"], "NextToken": tok})
    assert error_code(ei) == "ValidationException"
    with pytest.raises(ClientError) as ei:
        call("DescribeInstanceInformation", {"MaxResults": 51})
    assert error_code(ei) == "ValidationException"

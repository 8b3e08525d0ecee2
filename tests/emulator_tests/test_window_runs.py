"""Maintenance window runs ("run this window now"): task order, target resolution,
concurrency and error thresholds, task types, and the execution reads' errors."""

import json
import urllib.error

import pytest
from botocore.exceptions import ClientError

from emu_helpers import caller, error_code

AL2 = "AMAZON_LINUX_2"
SCAN = {"Operation": ["Scan"], "RebootOption": ["NoReboot"]}


@pytest.fixture
def call(ssm):
    return caller(ssm)


def window(call, allow_unassociated=False):
    return call("CreateMaintenanceWindow", {"Name": "runs", "Schedule": "cron(00 17 * * ? *)",
                                            "Duration": 2, "Cutoff": 1,
                                            "AllowUnassociatedTargets": allow_unassociated})["WindowId"]


def target(call, wid, targets, **kw):
    body = {"WindowId": wid, "ResourceType": "INSTANCE", "Targets": targets}
    body.update(kw)
    return call("RegisterTargetWithMaintenanceWindow", body)["WindowTargetId"]


def task(call, wid, targets, priority=1, conc="10", errors="0", params=SCAN, **kw):
    body = {"WindowId": wid, "TaskArn": "AWS-RunPatchBaseline", "TaskType": "RUN_COMMAND",
            "Targets": targets, "Priority": priority, "MaxConcurrency": conc, "MaxErrors": errors,
            "TaskInvocationParameters": {"RunCommand": {"Parameters": params}}}
    body.update(kw)
    return call("RegisterTaskWithMaintenanceWindow", body)["WindowTaskId"]


def role_window(emu, call, role, n, conc, errors):
    """n AL2 instances tagged Role=role, a window targeting them by that tag and
    one Scan task at conc / errors: (instance ids, window id)."""
    ids = emu.add_instances([{"OperatingSystem": AL2, "Tags": {"Role": role}} for _ in range(n)])
    wid = window(call)
    tid = target(call, wid, [{"Key": "tag:Role", "Values": [role]}])
    task(call, wid, [{"Key": "WindowTargetIds", "Values": [tid]}], conc=conc, errors=errors)
    return ids, wid


def task_executions(call, weid):
    got = call("GetMaintenanceWindowExecution", {"WindowExecutionId": weid})
    out = []
    for tid in got["TaskIds"]:
        te = call("GetMaintenanceWindowExecutionTask", {"WindowExecutionId": weid, "TaskId": tid})
        te["Invocations"] = call("DescribeMaintenanceWindowExecutionTaskInvocations", {
            "WindowExecutionId": weid, "TaskId": tid})["WindowExecutionTaskInvocationIdentities"]
        out.append(te)
    return out


def instances_of(te):
    return [json.loads(i["Parameters"])["instanceIds"][0] for i in te["Invocations"]]


def test_max_errors_stops_the_task(emu, call):
    ids, wid = role_window(emu, call, "web", 5, conc="1", errors="1")
    emu.fail_instances(ids[:2], operation="Scan")
    ex = emu.run_window(wid)
    assert ex["Status"] == "FAILED"
    te, = task_executions(call, ex["WindowExecutionId"])
    # one at a time: the second failure exceeds MaxErrors 1, the rest are not invoked
    assert instances_of(te) == ids[:2]
    assert [i["Status"] for i in te["Invocations"]] == ["FAILED", "FAILED"]
    assert te["Status"] == "FAILED" and "maximum number of errors" in te["StatusDetails"]


def test_running_invocations_finish_when_the_threshold_is_met(emu, call):
    ids, wid = role_window(emu, call, "web", 6, conc="3", errors="1")
    emu.fail_instances(ids[:2], operation="Scan")
    te, = task_executions(call, emu.run_window(wid)["WindowExecutionId"])
    # three at a time: the first three all run (two fail), then the task stops
    assert instances_of(te) == ids[:3]
    assert [i["Status"] for i in te["Invocations"]] == ["FAILED", "FAILED", "SUCCESS"]
    starts = {i["StartTime"] for i in te["Invocations"]}
    assert len(starts) == 1


def test_concurrency_batches_take_turns(emu, call):
    ids, wid = role_window(emu, call, "db", 4, conc="50%", errors="0")
    te, = task_executions(call, emu.run_window(wid)["WindowExecutionId"])
    assert instances_of(te) == ids
    inv = te["Invocations"]
    assert inv[0]["StartTime"] == inv[1]["StartTime"] < inv[2]["StartTime"] == inv[3]["StartTime"]
    assert inv[2]["StartTime"] >= inv[0]["EndTime"]
    assert te["Status"] == "SUCCESS" and "StatusDetails" not in te


def test_tasks_run_in_priority_order(emu, call):
    a, b = emu.add_instances([{"OperatingSystem": AL2, "Tags": {"Tier": t}} for t in ("a", "b")])
    wid = window(call)
    ta = target(call, wid, [{"Key": "tag:Tier", "Values": ["a"]}], OwnerInformation="team-a")
    tb = target(call, wid, [{"Key": "tag:Tier", "Values": ["b"]}])
    # registered in the opposite order of their priorities
    task(call, wid, [{"Key": "WindowTargetIds", "Values": [tb]}], priority=5)
    task(call, wid, [{"Key": "WindowTargetIds", "Values": [ta]}], priority=0)
    ex = emu.run_window(wid)
    first, second = task_executions(call, ex["WindowExecutionId"])
    assert instances_of(first) == [a] and instances_of(second) == [b]
    assert second["StartTime"] >= first["EndTime"]
    assert first["Priority"] == 0 and second["Priority"] == 5
    assert first["Invocations"][0]["OwnerInformation"] == "team-a"
    assert first["Invocations"][0]["WindowTargetId"] == ta


def test_task_targets_by_instance_ids_and_tag_key(emu, call):
    a, b, c = emu.add_instances([{"OperatingSystem": AL2, "Tags": {"Owner": "x"}},
                                 {"OperatingSystem": AL2, "Tags": {"Other": "y"}},
                                 {"OperatingSystem": AL2}])
    wid = window(call, allow_unassociated=True)
    task(call, wid, [{"Key": "InstanceIds", "Values": [c, a]}], priority=1)
    tk = target(call, wid, [{"Key": "tag-key", "Values": ["Other"]}])
    task(call, wid, [{"Key": "WindowTargetIds", "Values": [tk]}], priority=2)
    t1, t2 = task_executions(call, emu.run_window(wid)["WindowExecutionId"])
    assert instances_of(t1) == [c, a] and "WindowTargetId" not in t1["Invocations"][0]
    assert instances_of(t2) == [b]


def test_targets_resolving_to_nothing_and_other_task_types(emu, call):
    wid = window(call)
    tid = target(call, wid, [{"Key": "tag:Patch Group", "Values": ["NOBODY"]}])
    task(call, wid, [{"Key": "WindowTargetIds", "Values": [tid]}])
    call("RegisterTaskWithMaintenanceWindow", {
        "WindowId": wid, "TaskArn": "arn:aws:lambda:us-east-1:123456789012:function:notify",
        "TaskType": "LAMBDA", "Priority": 3,
        "TaskInvocationParameters": {"Lambda": {"Payload": "e30="}}})
    ex = emu.run_window(wid)
    assert ex["Status"] == "SUCCESS"
    rc, lam = task_executions(call, ex["WindowExecutionId"])
    assert rc["Invocations"] == [] and rc["Status"] == "SUCCESS"
    assert lam["Type"] == "LAMBDA" and len(lam["Invocations"]) == 1
    assert lam["Invocations"][0]["Status"] == "SUCCESS"


def test_a_window_with_no_tasks_and_a_disabled_window(emu, call):
    wid = window(call)
    ex = emu.run_window(wid)
    assert ex["Status"] == "SUCCESS"
    assert call("GetMaintenanceWindowExecution", {"WindowExecutionId": ex["WindowExecutionId"]})[
        "TaskIds"] == []
    call("UpdateMaintenanceWindow", {"WindowId": wid, "Enabled": False})
    with pytest.raises(urllib.error.HTTPError) as ei:
        emu.run_window(wid)
    assert ei.value.code == 400
    assert "disabled" in json.loads(ei.value.read())["error"]
    sched = call("DescribeMaintenanceWindowSchedule", {"WindowId": wid})
    assert sched["ScheduledWindowExecutions"] == []
    assert "NextExecutionTime" not in call("GetMaintenanceWindow", {"WindowId": wid})


def test_task_with_a_bad_operation_fails_its_invocations(emu, call):
    iid = emu.add_instances([{"OperatingSystem": AL2, "Tags": {"Role": "x"}}])[0]
    wid = window(call)
    tid = target(call, wid, [{"Key": "tag:Role", "Values": ["x"]}])
    task(call, wid, [{"Key": "WindowTargetIds", "Values": [tid]}], params={"Operation": ["Patch"]})
    te, = task_executions(call, emu.run_window(wid)["WindowExecutionId"])
    assert instances_of(te) == [iid]
    assert te["Invocations"][0]["Status"] == "FAILED"
    assert "Operation" in te["Invocations"][0]["StatusDetails"]


def test_execution_reads_errors(emu, call):
    wid = window(call)
    unknown = "00000000-0000-4000-8000-000000000000"
    for op, body in (("GetMaintenanceWindowExecution", {"WindowExecutionId": unknown}),
                     ("DescribeMaintenanceWindowExecutionTasks", {"WindowExecutionId": unknown}),
                     ("GetMaintenanceWindowExecutionTask", {"WindowExecutionId": unknown,
                                                            "TaskId": unknown})):
        with pytest.raises(ClientError) as ei:
            call(op, body)
        assert error_code(ei) == "DoesNotExistException"
    assert call("DescribeMaintenanceWindowExecutions", {"WindowId": wid})["WindowExecutions"] == []
    with pytest.raises(ClientError) as ei:
        call("DescribeMaintenanceWindowExecutions", {"WindowId": wid, "Filters": [
            {"Key": "Status", "Values": ["FAILED"]}]})
    assert error_code(ei) == "ValidationException"
    with pytest.raises(ClientError) as ei:
        call("DescribeMaintenanceWindowExecutions", {"WindowId": wid, "Filters": [
            {"Key": "ExecutedAfter", "Values": ["yesterday"]}]})
    assert error_code(ei) == "ValidationException"
    with pytest.raises(urllib.error.HTTPError) as ei:
        emu.run_window("mw-0123456789abcdef0")
    assert ei.value.code == 400

"""Maintenance windows, window targets and window tasks, through botocore."""

import re

import pytest
from botocore.exceptions import ClientError

from emu_helpers import all_pages, caller, error_code

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
SLR = ("arn:aws:iam::123456789012:role/aws-service-role/ssm.amazonaws.com/"
       "AWSServiceRoleForAmazonSSM")


def window(ssm, **kw):
    args = dict(Name="patch-am2", Schedule="cron(00 17 * * ? *)", Duration=1, Cutoff=0,
                AllowUnassociatedTargets=False)
    args.update(kw)
    return ssm.create_maintenance_window(**args)["WindowId"]


def target(ssm, wid, value="SCAN", **kw):
    args = dict(WindowId=wid, ResourceType="INSTANCE",
                Targets=[{"Key": "tag:PatchWindowTaskAM2", "Values": [value]}])
    args.update(kw)
    return ssm.register_target_with_maintenance_window(**args)["WindowTargetId"]


def run_patch_task(ssm, wid, tid, operation="Scan", **kw):
    args = dict(WindowId=wid, TaskArn="AWS-RunPatchBaseline", TaskType="RUN_COMMAND",
                Targets=[{"Key": "WindowTargetIds", "Values": [tid]}],
                MaxConcurrency="50%", MaxErrors="50%",
                TaskInvocationParameters={"RunCommand": {
                    "Parameters": {"Operation": [operation], "RebootOption": ["NoReboot"]},
                    "TimeoutSeconds": 1800, "OutputS3BucketName": "patch-logs",
                    "OutputS3KeyPrefix": "scan"}})
    args.update(kw)
    return ssm.register_task_with_maintenance_window(**args)["WindowTaskId"]


# ---- windows ----------------------------------------------------------------------------

def test_create_and_get_window(ssm, emu):
    wid = window(ssm, Description="AM2 patching", ScheduleTimezone="Asia/Tokyo",
                 Tags=[{"Key": "env", "Value": "stg"}])
    assert re.fullmatch(r"mw-[0-9a-f]{17}", wid)
    got = ssm.get_maintenance_window(WindowId=wid)
    assert got["Name"] == "patch-am2"
    assert got["Schedule"] == "cron(00 17 * * ? *)"
    assert got["Duration"] == 1 and got["Cutoff"] == 0
    assert got["AllowUnassociatedTargets"] is False
    assert got["Enabled"] is True
    assert got["Description"] == "AM2 patching"
    assert got["ScheduleTimezone"] == "Asia/Tokyo"
    assert got["CreatedDate"] <= got["ModifiedDate"]
    tags = ssm.list_tags_for_resource(ResourceType="MaintenanceWindow", ResourceId=wid)["TagList"]
    assert tags == [{"Key": "env", "Value": "stg"}]
    assert emu.inventory(emu.account)["maintenance_windows"][wid]["Tags"] == {"env": "stg"}


def test_window_client_token(ssm):
    a = window(ssm, ClientToken="w1")
    assert window(ssm, ClientToken="w1") == a
    with pytest.raises(ClientError) as ei:
        window(ssm, ClientToken="w1", Duration=2)
    assert error_code(ei) == "IdempotentParameterMismatch"


@pytest.mark.parametrize("duration, cutoff, ok", [(1, 0, True), (2, 1, True), (1, 1, False),
                                                  (3, 5, False), (24, 23, True)])
def test_cutoff_must_be_less_than_duration(ssm, duration, cutoff, ok):
    if ok:
        window(ssm, Duration=duration, Cutoff=cutoff)
        return
    with pytest.raises(ClientError) as ei:
        window(ssm, Duration=duration, Cutoff=cutoff)
    assert error_code(ei) == "ValidationException"
    assert ei.value.response["Error"]["Message"] == (
        "Cuttoff was %d but must be smaller than %d (Duration - 1 )" % (cutoff, duration - 1))


@pytest.mark.parametrize("schedule, ok", [
    ("cron(00 17 * * ? *)", True),
    ("cron(0 2 ? * THU#3 *)", True),
    ("cron(30 23 ? * TUE#3 *)", True),
    ("cron(0/15 1-5 ? * MON-FRI *)", True),
    ("cron(0 4 L * ? 2030)", True),
    ("rate(5 days)", True),
    ("rate(1 hour)", True),
    ("at(2030-01-31T10:00:00)", True),
    ("cron(0 30 23 ? * TUE#3 *)", True),   # optional leading seconds field
    ("cron(0 15 10 ? * 6L 2031)", True),
    ("rate(1 hours)", False),              # singular for 1 ...
    ("rate(5 day)", False),                # ... plural otherwise
    ("cron(0 0 30 23 ? * TUE#3 *)", False),  # eight fields
    ("cron(00 17 * * *)", False),          # five fields
    ("cron(00 17 * * * *)", False),        # neither day field is '?'
    ("cron(00 17 ? * ? *)", False),        # both are
    ("cron(61 17 * * ? *)", False),
    ("cron(0 25 * * ? *)", False),
    ("cron(0 1 * 13 ? *)", False),
    ("rate(0 days)", False),
    ("rate(5 weeks)", False),
    ("at(2030-02-30T10:00:00)", False),
    ("every day", False),
])
def test_schedule_syntax(ssm, schedule, ok):
    if ok:
        window(ssm, Schedule=schedule)
        return
    with pytest.raises(ClientError) as ei:
        window(ssm, Schedule=schedule)
    assert error_code(ei) == "ValidationException"


def test_schedule_offset_timezone_and_dates(ssm):
    window(ssm, Schedule="cron(30 23 ? * TUE#3 *)", ScheduleOffset=2)
    for bad in (dict(Schedule="rate(1 day)", ScheduleOffset=2),
                dict(ScheduleTimezone="Mars/Olympus"),
                dict(StartDate="not-a-date"),
                dict(StartDate="2030-01-02T00:00:00Z", EndDate="2030-01-01T00:00:00Z"),
                dict(ScheduleOffset=7)):
        with pytest.raises(ClientError) as ei:
            window(ssm, **bad)
        assert error_code(ei) == "ValidationException", bad
    wid = window(ssm, StartDate="2030-01-01T00:00:00Z", EndDate="2031-01-01T00:00:00+09:00")
    got = ssm.get_maintenance_window(WindowId=wid)
    assert got["StartDate"] == "2030-01-01T00:00:00Z"
    assert got["EndDate"] == "2031-01-01T00:00:00+09:00"


def test_update_window_merge_and_replace(ssm):
    wid = window(ssm, Description="desc", ScheduleTimezone="UTC")
    out = ssm.update_maintenance_window(WindowId=wid, Enabled=False, Duration=3)
    assert out["Enabled"] is False and out["Duration"] == 3
    assert out["Description"] == "desc" and out["Name"] == "patch-am2"
    with pytest.raises(ClientError) as ei:
        ssm.update_maintenance_window(WindowId=wid, Cutoff=3)
    assert error_code(ei) == "ValidationException"
    with pytest.raises(ClientError) as ei:
        ssm.update_maintenance_window(WindowId=wid, Name="x-replaced", Replace=True)
    assert error_code(ei) == "ValidationException"
    out = ssm.update_maintenance_window(WindowId=wid, Name="replaced", Schedule="rate(2 days)",
                                       Duration=2, Cutoff=1, AllowUnassociatedTargets=True,
                                       Replace=True)
    got = ssm.get_maintenance_window(WindowId=wid)
    assert got["Name"] == "replaced" and got["Schedule"] == "rate(2 days)"
    assert "Description" not in got and "ScheduleTimezone" not in got
    assert got["Enabled"] is True
    assert got["ModifiedDate"] >= got["CreatedDate"]
    with pytest.raises(ClientError) as ei:
        ssm.update_maintenance_window(WindowId="mw-0123456789abcdef0", Enabled=True)
    assert error_code(ei) == "DoesNotExistException"


def test_delete_window_cascades_and_missing_is_success(ssm, emu):
    wid = window(ssm)
    tid = target(ssm, wid)
    run_patch_task(ssm, wid, tid)
    assert ssm.delete_maintenance_window(WindowId=wid)["WindowId"] == wid
    assert emu.inventory(emu.account)["maintenance_windows"] == {}
    with pytest.raises(ClientError) as ei:
        ssm.get_maintenance_window(WindowId=wid)
    assert error_code(ei) == "DoesNotExistException"
    with pytest.raises(ClientError) as ei:
        ssm.describe_maintenance_window_targets(WindowId=wid)
    assert error_code(ei) == "DoesNotExistException"
    assert ssm.delete_maintenance_window(WindowId=wid)["WindowId"] == wid


def test_describe_windows_filters_and_pagination(ssm):
    ids = [window(ssm, Name="w-%02d" % i) for i in range(23)]
    ssm.update_maintenance_window(WindowId=ids[3], Enabled=False)
    seen = all_pages(caller(ssm), "DescribeMaintenanceWindows", {}, "WindowIdentities", page_size=10)
    assert [w["WindowId"] for w in seen] == ids
    off = ssm.describe_maintenance_windows(Filters=[{"Key": "Enabled", "Values": ["False"]}])
    assert [w["WindowId"] for w in off["WindowIdentities"]] == [ids[3]]
    named = ssm.describe_maintenance_windows(Filters=[{"Key": "Name", "Values": ["w-05"]}])
    assert [w["WindowId"] for w in named["WindowIdentities"]] == [ids[5]]
    assert named["WindowIdentities"][0]["Schedule"] == "cron(00 17 * * ? *)"
    with pytest.raises(ClientError) as ei:
        ssm.describe_maintenance_windows(MaxResults=5)
    assert error_code(ei) == "ValidationException"


# ---- targets ----------------------------------------------------------------------------

def test_register_describe_update_targets(ssm):
    wid = window(ssm)
    scan = target(ssm, wid, "SCAN", Name="scan", Description="scan hosts",
                  OwnerInformation="team-a", ClientToken="t-scan")
    assert re.fullmatch(UUID, scan)
    assert target(ssm, wid, "SCAN", Name="scan", Description="scan hosts",
                  OwnerInformation="team-a", ClientToken="t-scan") == scan
    install = target(ssm, wid, "INSTALL")
    out = ssm.describe_maintenance_window_targets(
        WindowId=wid, Filters=[{"Key": "WindowTargetId", "Values": [scan]}])["Targets"]
    assert out == [{"WindowId": wid, "WindowTargetId": scan, "ResourceType": "INSTANCE",
                    "Targets": [{"Key": "tag:PatchWindowTaskAM2", "Values": ["SCAN"]}],
                    "OwnerInformation": "team-a", "Name": "scan", "Description": "scan hosts"}]
    both = ssm.describe_maintenance_window_targets(WindowId=wid)["Targets"]
    assert [t["WindowTargetId"] for t in both] == [scan, install]
    upd = ssm.update_maintenance_window_target(WindowId=wid, WindowTargetId=scan, Name="scan2")
    assert upd["Name"] == "scan2" and upd["OwnerInformation"] == "team-a"
    rep = ssm.update_maintenance_window_target(
        WindowId=wid, WindowTargetId=scan, Replace=True,
        Targets=[{"Key": "InstanceIds", "Values": ["i-0123456789abcdef0"]}])
    assert "Name" not in rep and "OwnerInformation" not in rep and "Description" not in rep
    with pytest.raises(ClientError) as ei:
        ssm.update_maintenance_window_target(WindowId=wid, WindowTargetId=scan, Replace=True,
                                             Name="no-targets")
    assert error_code(ei) == "ValidationException"
    with pytest.raises(ClientError) as ei:
        ssm.update_maintenance_window_target(WindowId=wid, WindowTargetId="0" * 8 + "-0000-4000-8000-" + "0" * 12,
                                             Name="ghost")
    assert error_code(ei) == "DoesNotExistException"


def test_target_keys_checked_against_resource_type(ssm):
    wid = window(ssm)
    target(ssm, wid, ResourceType="RESOURCE_GROUP",
           Targets=[{"Key": "resource-groups:Name", "Values": ["web"]}])
    with pytest.raises(ClientError) as ei:
        target(ssm, wid, ResourceType="RESOURCE_GROUP",
               Targets=[{"Key": "tag:Role", "Values": ["web"]}])
    assert error_code(ei) == "ValidationException"
    with pytest.raises(ClientError) as ei:
        target(ssm, "mw-0123456789abcdef0")
    assert error_code(ei) == "DoesNotExistException"


def test_deregister_target_safe_flag(ssm):
    wid = window(ssm)
    tid = target(ssm, wid)
    task = run_patch_task(ssm, wid, tid)
    with pytest.raises(ClientError) as ei:
        ssm.deregister_target_from_maintenance_window(WindowId=wid, WindowTargetId=tid, Safe=True)
    assert error_code(ei) == "TargetInUseException"
    assert task in ei.value.response["Error"]["Message"]
    out = ssm.deregister_target_from_maintenance_window(WindowId=wid, WindowTargetId=tid)
    assert out == {"WindowId": wid, "WindowTargetId": tid, "ResponseMetadata": out["ResponseMetadata"]}
    with pytest.raises(ClientError) as ei:
        ssm.deregister_target_from_maintenance_window(WindowId=wid, WindowTargetId=tid)
    assert error_code(ei) == "DoesNotExistException"
    free = target(ssm, wid, "OTHER")
    ssm.deregister_target_from_maintenance_window(WindowId=wid, WindowTargetId=free, Safe=True)


# ---- tasks ------------------------------------------------------------------------------

def test_register_and_get_task_with_defaults(ssm):
    wid = window(ssm)
    tid = target(ssm, wid)
    task = run_patch_task(ssm, wid, tid, ClientToken="task-1")
    assert re.fullmatch(UUID, task)
    assert run_patch_task(ssm, wid, tid, ClientToken="task-1") == task
    got = ssm.get_maintenance_window_task(WindowId=wid, WindowTaskId=task)
    assert got["TaskArn"] == "AWS-RunPatchBaseline"
    assert got["TaskType"] == "RUN_COMMAND"
    assert got["ServiceRoleArn"] == SLR
    assert got["Priority"] == 1
    assert got["MaxConcurrency"] == "50%" and got["MaxErrors"] == "50%"
    assert got["Targets"] == [{"Key": "WindowTargetIds", "Values": [tid]}]
    rc = got["TaskInvocationParameters"]["RunCommand"]
    assert rc["Parameters"] == {"Operation": ["Scan"], "RebootOption": ["NoReboot"]}
    assert rc["TimeoutSeconds"] == 1800 and rc["OutputS3BucketName"] == "patch-logs"
    assert "CutoffBehavior" not in got


def test_task_target_rules(ssm):
    wid = window(ssm)
    tid = target(ssm, wid)
    # RUN_COMMAND needs targets
    with pytest.raises(ClientError) as ei:
        ssm.register_task_with_maintenance_window(WindowId=wid, TaskArn="AWS-RunPatchBaseline",
                                                  TaskType="RUN_COMMAND")
    assert error_code(ei) == "ValidationException"
    # targets need MaxConcurrency and MaxErrors
    with pytest.raises(ClientError) as ei:
        run_patch_task(ssm, wid, tid, MaxConcurrency=None)
    assert error_code(ei) == "ValidationException"
    # unknown window target
    with pytest.raises(ClientError) as ei:
        run_patch_task(ssm, wid, "11111111-2222-4333-8444-555555555555")
    assert error_code(ei) == "DoesNotExistException"
    # InstanceIds need AllowUnassociatedTargets
    with pytest.raises(ClientError) as ei:
        run_patch_task(ssm, wid, tid, Targets=[{"Key": "InstanceIds", "Values": ["i-0123456789abcdef0"]}])
    assert error_code(ei) == "ValidationException"
    open_wid = window(ssm, AllowUnassociatedTargets=True)
    run_patch_task(ssm, open_wid, tid, Targets=[{"Key": "InstanceIds", "Values": ["i-0123456789abcdef0"]}])


def test_targetless_task_refuses_concurrency_and_gets_placeholders(ssm):
    wid = window(ssm)
    args = dict(WindowId=wid, TaskArn="arn:aws:lambda:us-east-1:123456789012:function:f",
                TaskType="LAMBDA",
                TaskInvocationParameters={"Lambda": {"Payload": b"{}", "Qualifier": "1"}})
    with pytest.raises(ClientError) as ei:
        ssm.register_task_with_maintenance_window(MaxConcurrency="1", MaxErrors="0", **args)
    assert error_code(ei) == "ValidationException"
    assert ei.value.response["Error"]["Message"] == (
        "Maintenance window tasks without targets do not support MaxErrors values. "
        "Maintenance window tasks without targets do not support MaxConcurrency values.")
    task = ssm.register_task_with_maintenance_window(**args)["WindowTaskId"]
    got = ssm.get_maintenance_window_task(WindowId=wid, WindowTaskId=task)
    assert got["MaxConcurrency"] == "1" and got["MaxErrors"] == "1"
    assert "Targets" not in got
    assert got["TaskInvocationParameters"]["Lambda"]["Payload"] == b"{}"
    with pytest.raises(ClientError) as ei:
        ssm.register_task_with_maintenance_window(
            WindowId=wid, TaskArn="AWS-RunPatchBaseline", TaskType="AUTOMATION",
            TaskInvocationParameters={"RunCommand": {"Comment": "wrong type"}})
    assert error_code(ei) == "ValidationException"


def test_update_task_merge_and_replace(ssm):
    wid = window(ssm)
    tid = target(ssm, wid)
    task = run_patch_task(ssm, wid, tid, Name="scan", Description="scan task", Priority=5,
                          CutoffBehavior="CANCEL_TASK",
                          ServiceRoleArn="arn:aws:iam::123456789012:role/mw")
    out = ssm.update_maintenance_window_task(WindowId=wid, WindowTaskId=task, Priority=2)
    assert out["Priority"] == 2 and out["Name"] == "scan" and out["MaxErrors"] == "50%"
    assert out["ServiceRoleArn"] == "arn:aws:iam::123456789012:role/mw"
    # TaskInvocationParameters sent again replace the old ones entirely
    out = ssm.update_maintenance_window_task(
        WindowId=wid, WindowTaskId=task,
        TaskInvocationParameters={"RunCommand": {"Parameters": {"Operation": ["Install"]}}})
    rc = out["TaskInvocationParameters"]["RunCommand"]
    assert rc == {"Parameters": {"Operation": ["Install"]}}
    with pytest.raises(ClientError) as ei:
        ssm.update_maintenance_window_task(WindowId=wid, WindowTaskId=task, Replace=True,
                                           Priority=3)
    assert error_code(ei) == "ValidationException"
    out = ssm.update_maintenance_window_task(
        WindowId=wid, WindowTaskId=task, Replace=True, TaskArn="AWS-RunPatchBaseline",
        Targets=[{"Key": "WindowTargetIds", "Values": [tid]}], MaxConcurrency="2", MaxErrors="1")
    got = ssm.get_maintenance_window_task(WindowId=wid, WindowTaskId=task)
    assert got["MaxConcurrency"] == "2" and got["MaxErrors"] == "1"
    for cleared in ("Name", "Description", "CutoffBehavior", "TaskInvocationParameters"):
        assert cleared not in got, cleared
    assert got["Priority"] == 1 and got["ServiceRoleArn"] == SLR
    with pytest.raises(ClientError) as ei:
        ssm.update_maintenance_window_task(WindowId=wid, WindowTaskId="11111111-2222-4333-8444-555555555555",
                                           Priority=1)
    assert error_code(ei) == "DoesNotExistException"


def test_describe_and_deregister_tasks(ssm):
    wid = window(ssm)
    tid = target(ssm, wid)
    scan = run_patch_task(ssm, wid, tid, "Scan", Priority=1)
    install = run_patch_task(ssm, wid, tid, "Install", Priority=2)
    tasks = ssm.describe_maintenance_window_tasks(WindowId=wid)["Tasks"]
    assert [t["WindowTaskId"] for t in tasks] == [scan, install]
    assert tasks[0]["Type"] == "RUN_COMMAND" and tasks[0]["ServiceRoleArn"] == SLR
    only = ssm.describe_maintenance_window_tasks(
        WindowId=wid, Filters=[{"Key": "Priority", "Values": ["2"]}])["Tasks"]
    assert [t["WindowTaskId"] for t in only] == [install]
    out = ssm.deregister_task_from_maintenance_window(WindowId=wid, WindowTaskId=scan)
    assert out["WindowTaskId"] == scan
    with pytest.raises(ClientError) as ei:
        ssm.deregister_task_from_maintenance_window(WindowId=wid, WindowTaskId=scan)
    assert error_code(ei) == "DoesNotExistException"
    with pytest.raises(ClientError) as ei:
        ssm.get_maintenance_window_task(WindowId=wid, WindowTaskId=scan)
    assert error_code(ei) == "DoesNotExistException"
    # the target is free once no task references it
    ssm.deregister_task_from_maintenance_window(WindowId=wid, WindowTaskId=install)
    ssm.deregister_target_from_maintenance_window(WindowId=wid, WindowTargetId=tid, Safe=True)


def test_seed_scenario_inventory(ssm, emu):
    """The seed article's STG setup: a window, SCAN/INSTALL targets, two tasks."""
    wid = window(ssm, Name="stg-patch-am2")
    scan_t, inst_t = target(ssm, wid, "SCAN"), target(ssm, wid, "INSTALL")
    scan = run_patch_task(ssm, wid, scan_t, "Scan")
    install = run_patch_task(ssm, wid, inst_t, "Install")
    inv = emu.inventory(emu.account)["maintenance_windows"][wid]
    assert set(inv["Targets"]) == {scan_t, inst_t}
    assert set(inv["Tasks"]) == {scan, install}
    assert inv["Tasks"][install]["TaskInvocationParameters"]["RunCommand"]["Parameters"][
        "Operation"] == ["Install"]

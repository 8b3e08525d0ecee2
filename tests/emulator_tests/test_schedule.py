"""Maintenance window schedules: the next runs of cron/rate/at expressions with time zone,
offset and start/end dates (schedule.py directly, and DescribeMaintenanceWindowSchedule /
NextExecutionTime through botocore)."""

import datetime

import pytest
from botocore.exceptions import ClientError

import emu_helpers  # noqa: F401  (puts tests/emulator on sys.path)
from emu_helpers import all_pages, caller, error_code
from schedule import execution_time, next_runs
from ssm_common import parse_time


def runs(schedule, after, n=3, **window):
    w = {"Schedule": schedule, "CreatedDate": parse_time("2024-01-01T00:00:00Z")}
    w.update(window)
    return [execution_time(t) for t in next_runs(w, parse_time(after), n)]


@pytest.mark.parametrize("schedule, after, want, window", [
    ("cron(00 17 * * ? *)", "2024-06-01T10:00:00Z",
     ["2024-06-01T17:00Z", "2024-06-02T17:00Z", "2024-06-03T17:00Z"], {}),
    # 02:00 in Tokyo is 17:00 UTC the day before
    ("cron(0 2 * * ? *)", "2024-06-01T10:00:00Z",
     ["2024-06-01T17:00Z", "2024-06-02T17:00Z", "2024-06-03T17:00Z"],
     {"ScheduleTimezone": "Asia/Tokyo"}),
    # New York changes to summer time on 2024-03-10: 01:30 local is 06:30Z, then 05:30Z
    ("cron(30 1 * * ? *)", "2024-03-08T12:00:00Z",
     ["2024-03-09T06:30Z", "2024-03-10T06:30Z", "2024-03-11T05:30Z"],
     {"ScheduleTimezone": "America/New_York"}),
    # the third Tuesday of the month, two days later (ScheduleOffset)
    ("cron(0 30 23 ? * TUE#3 *)", "2024-06-01T00:00:00Z",
     ["2024-06-20T23:30Z", "2024-07-18T23:30Z", "2024-08-22T23:30Z"], {"ScheduleOffset": 2}),
    ("cron(0 4 ? * SUN,WED *)", "2024-06-01T00:00:00Z",
     ["2024-06-02T04:00Z", "2024-06-05T04:00Z", "2024-06-09T04:00Z"], {}),
    ("cron(0 4 ? * 2-3 *)", "2024-06-01T00:00:00Z",    # 2-3 = MON-TUE
     ["2024-06-03T04:00Z", "2024-06-04T04:00Z", "2024-06-10T04:00Z"], {}),
    ("cron(0 0 L * ? *)", "2024-01-15T00:00:00Z",
     ["2024-01-31T00:00Z", "2024-02-29T00:00Z", "2024-03-31T00:00Z"], {}),
    ("cron(0 0 LW * ? *)", "2024-03-01T00:00:00Z",     # last weekdays: Fri 29 Mar, Tue 30 Apr
     ["2024-03-29T00:00Z", "2024-04-30T00:00Z", "2024-05-31T00:00Z"], {}),
    ("cron(0 0 15W * ? *)", "2024-06-01T00:00:00Z",    # 15 Jun 2024 is a Saturday -> Friday 14
     ["2024-06-14T00:00Z", "2024-07-15T00:00Z", "2024-08-15T00:00Z"], {}),
    ("cron(0 0 ? * 6L *)", "2024-06-01T00:00:00Z",     # the last Friday
     ["2024-06-28T00:00Z", "2024-07-26T00:00Z", "2024-08-30T00:00Z"], {}),
    ("cron(0/20 9 * * ? *)", "2024-06-01T09:10:00Z",
     ["2024-06-01T09:20Z", "2024-06-01T09:40Z", "2024-06-02T09:00Z"], {}),
    ("cron(0 0 0 1 1 ? 2030)", "2024-06-01T00:00:00Z", ["2030-01-01T00:00Z"], {}),  # seconds field
    ("cron(0 12 1 JAN-MAR ? 2025)", "2024-06-01T00:00:00Z",
     ["2025-01-01T12:00Z", "2025-02-01T12:00Z", "2025-03-01T12:00Z"], {}),
    ("rate(2 days)", "2024-01-02T00:00:00Z",
     ["2024-01-03T00:00Z", "2024-01-05T00:00Z", "2024-01-07T00:00Z"], {}),
    ("rate(1 hour)", "2024-06-01T00:30:00Z",
     ["2024-06-01T02:00Z", "2024-06-01T03:00Z", "2024-06-01T04:00Z"],
     {"StartDate": "2024-06-01T01:00:00Z"}),
    ("at(2024-07-01T09:00:00)", "2024-06-01T00:00:00Z", ["2024-07-01T00:00Z"],
     {"ScheduleTimezone": "Asia/Tokyo"}),
    ("at(2024-05-01T09:00:00)", "2024-06-01T00:00:00Z", [], {}),
    # bounded by StartDate and EndDate
    ("cron(00 17 * * ? *)", "2024-06-01T00:00:00Z", ["2024-06-10T17:00Z", "2024-06-11T17:00Z"],
     {"StartDate": "2024-06-10T00:00:00Z", "EndDate": "2024-06-12T00:00:00Z"}),
])
def test_next_runs(schedule, after, want, window):
    assert runs(schedule, after, **window) == want


@pytest.fixture
def call(emu, ssm):
    emu.clock(set="2024-06-01T10:00:00Z", freeze=True)
    return caller(ssm)


def window(call, **kw):
    body = {"Name": "sched", "Schedule": "cron(00 17 * * ? *)", "Duration": 1, "Cutoff": 0,
            "AllowUnassociatedTargets": False}
    body.update(kw)
    return call("CreateMaintenanceWindow", body)["WindowId"]


def test_schedule_pages_and_filters(call):
    wid = window(call)
    times = [e["ExecutionTime"] for e in all_pages(call, "DescribeMaintenanceWindowSchedule", {
        "WindowId": wid, "Filters": [{"Key": "ScheduledBefore", "Values": ["2024-06-30T00:00:00Z"]}]},
        "ScheduledWindowExecutions", page_size=7)]
    assert len(times) == 29 and times[0] == "2024-06-01T17:00Z" and times[-1] == "2024-06-29T17:00Z"
    later = call("DescribeMaintenanceWindowSchedule", {"WindowId": wid, "MaxResults": 2, "Filters": [
        {"Key": "ScheduledAfter", "Values": ["2024-07-01T00:00:00Z"]}]})
    assert [e["ExecutionTime"] for e in later["ScheduledWindowExecutions"]] == [
        "2024-07-01T17:00Z", "2024-07-02T17:00Z"]
    with pytest.raises(ClientError) as ei:
        call("DescribeMaintenanceWindowSchedule", {"WindowId": wid, "Filters": [
            {"Key": "ExecutedBefore", "Values": ["2024-07-01T00:00:00Z"]}]})
    assert error_code(ei) == "ValidationException"
    with pytest.raises(ClientError) as ei:
        call("DescribeMaintenanceWindowSchedule", {"WindowId": "mw-0123456789abcdef0"})
    assert error_code(ei) == "DoesNotExistException"
    with pytest.raises(ClientError) as ei:
        call("DescribeMaintenanceWindowSchedule", {})
    assert error_code(ei) == "ValidationException"


def test_schedule_by_targets_merges_windows(emu, call):
    iid = emu.add_instances([{"OperatingSystem": "AMAZON_LINUX_2", "Tags": {"Role": "db"}}])[0]
    early = window(call, Name="early", Schedule="cron(0 1 * * ? *)")
    late = window(call, Name="late", Schedule="cron(0 23 * * ? *)")
    window(call, Name="unrelated")
    call("RegisterTargetWithMaintenanceWindow", {"WindowId": early, "ResourceType": "INSTANCE",
                                                 "Targets": [{"Key": "tag:Role", "Values": ["db"]}]})
    call("RegisterTargetWithMaintenanceWindow", {"WindowId": late, "ResourceType": "INSTANCE",
                                                 "Targets": [{"Key": "InstanceIds", "Values": [iid]}]})
    got = call("DescribeMaintenanceWindowSchedule", {
        "ResourceType": "INSTANCE", "Targets": [{"Key": "InstanceIds", "Values": [iid]}],
        "MaxResults": 3})["ScheduledWindowExecutions"]
    assert [(e["Name"], e["ExecutionTime"]) for e in got] == [
        ("late", "2024-06-01T23:00Z"), ("early", "2024-06-02T01:00Z"), ("late", "2024-06-02T23:00Z")]


def test_next_execution_time_follows_the_clock_and_the_window(emu, call):
    wid = window(call, ScheduleTimezone="Asia/Tokyo", Schedule="cron(0 2 * * ? *)")
    assert call("GetMaintenanceWindow", {"WindowId": wid})["NextExecutionTime"] == "2024-06-01T17:00Z"
    emu.clock(advance=8 * 3600)   # 18:00Z
    assert call("GetMaintenanceWindow", {"WindowId": wid})["NextExecutionTime"] == "2024-06-02T17:00Z"
    call("UpdateMaintenanceWindow", {"WindowId": wid, "EndDate": "2024-06-02T00:00:00Z"})
    assert "NextExecutionTime" not in call("GetMaintenanceWindow", {"WindowId": wid})
    ident = call("DescribeMaintenanceWindows", {})["WindowIdentities"][0]
    assert "NextExecutionTime" not in ident


def test_clock_endpoint(emu):
    st = emu.clock(set="2030-01-02T03:04:05Z", freeze=True)
    assert st["frozen"] and st["iso"] == "2030-01-02T03:04:05.000Z"
    assert emu.clock(advance=60)["iso"] == "2030-01-02T03:05:05.000Z"
    st = emu.clock(freeze=False)
    assert not st["frozen"] and st["now"] >= parse_time("2030-01-02T03:05:05Z")
    st = emu.clock(real=True)
    now = datetime.datetime.now(datetime.timezone.utc).timestamp()
    assert abs(st["now"] - now) < 60 and not st["frozen"]
    emu.clock(set="2030-01-01T00:00:00Z", freeze=True)
    emu.reset()
    assert not emu.clock()["frozen"]   # a reset brings the real time back

"""Paging and fan-out of the data sources (issue 13, point 5, and the bounded concurrency
of the per-instance calls): 250 instances in one patch group and 120 executions of one
window, every page asked for and every answer of the emulator checked against the
model's output shapes (the emulator's self-check; a failing answer is a 500)."""

import seed_fleet

import ds_helpers as h

COMPLIANCE = "ssmpatch_patch_group_compliance"


def _big_group(ep, n, group):
    return h.scanned_group(ep.emulator, ep.call, n, group, bucket="patch-logs")


def test_ds_pages_250_instances(ep, provider, protocol):
    ep.requires_emulator("seeds 250 managed instances")
    ids, wid = _big_group(ep, 250, "BIG")
    p = provider(protocol)
    h.reset_calls(ep.emulator)
    c = p.read_data_source(COMPLIANCE, {"patch_group": "BIG", "include_missing_patches": True})
    calls = h.calls_ok(ep.emulator)["by_op"]
    # 100 a page: 3 pages of instance states; one DescribeInstancePatches per instance
    assert calls["DescribeInstancePatchStatesForPatchGroup"]["count"] == 3
    assert calls["DescribeInstancePatches"]["count"] == 250
    assert [r["instance_id"] for r in c["instances"]] == sorted(ids)
    assert c["instance_count"] == 250 == c["instances_with_missing_patches"]
    # the AWS-owned AL2 default approves Security Critical/Important after 7 days: only
    # the 40-day-old patch, missing everywhere
    (m,) = c["missing_patches"]
    assert m["kb_id"] == h.kb_id(seed_fleet.SEED_PATCHES[1]["patch"])
    assert m["instance_count"] == 250 and m["instance_ids"] == sorted(ids)

    # the window's 250 invocations, three pages of them
    h.reset_calls(ep.emulator)
    e = p.read_data_source("ssmpatch_window_executions", {"window_id": wid, "next_runs_count": 0})
    calls = h.calls_ok(ep.emulator)["by_op"]
    assert calls["DescribeMaintenanceWindowExecutionTaskInvocations"]["count"] == 3
    (inv,) = [t["invocations"] for t in e["executions"][0]["tasks"]]
    assert sorted(i["target_id"] for i in inv) == sorted(ids)
    assert len({i["invocation_id"] for i in inv}) == 250


def test_ds_pages_120_executions(ep, provider, protocol):
    ep.requires_emulator("runs a window 120 times")
    emu = ep.emulator
    _, wid = _big_group(ep, 1, "ONE")
    for _ in range(119):
        emu.clock(advance=3600)
        emu.run_window(wid)
    p = provider(protocol)
    h.reset_calls(emu)
    e = p.read_data_source("ssmpatch_window_executions", {"window_id": wid, "max_results": 120})
    calls = h.calls_ok(emu)["by_op"]
    assert calls["DescribeMaintenanceWindowExecutions"]["count"] == 2  # 100 + 20
    assert calls["DescribeMaintenanceWindowExecutionTasks"]["count"] == 120
    assert calls["DescribeMaintenanceWindowExecutionTaskInvocations"]["count"] == 120
    starts = [x["start_time"] for x in e["executions"]]
    assert len(starts) == 120 == len(set(starts)) and starts == sorted(starts, reverse=True)
    assert len(e["next_runs"]) == 3

    # the newest 105 only: the second page is asked for, and cut
    h.reset_calls(emu)
    some = p.read_data_source("ssmpatch_window_executions", {"window_id": wid, "max_results": 105,
                                                             "next_runs_count": 0})
    assert [x["execution_id"] for x in some["executions"]] == \
        [x["execution_id"] for x in e["executions"][:105]]
    assert h.calls_ok(emu)["by_op"]["DescribeMaintenanceWindowExecutions"]["count"] == 2
    # the default 10: one page of 10
    h.reset_calls(emu)
    ten = p.read_data_source("ssmpatch_window_executions", {"window_id": wid})
    assert len(ten["executions"]) == 10
    log = emu.calls(log=True)["log"]
    (req,) = [x["request"] for x in log if x["op"] == "DescribeMaintenanceWindowExecutions"]
    assert req["MaxResults"] == 10
    # started_after, across the pages: the runs of the last 50 hours
    cut = e["executions"][49]["start_time"]
    recent = p.read_data_source("ssmpatch_window_executions", {"window_id": wid, "max_results": 120,
                                                               "started_after": cut})
    assert [x["start_time"] for x in recent["executions"]] == starts[:50]


def test_ds_per_instance_calls_concurrent_and_bounded(ep, provider):
    """With include_missing_patches the per-instance calls overlap, at most 10 at a time:
    counted from the emulator's log (each request is held there for the latency)."""
    ep.requires_emulator("reads the emulator's request log")
    emu = ep.emulator
    ids, _ = _big_group(ep, 40, "MANY")
    p = provider(6)
    latency = 0.2
    emu.configure(latency_ms=int(latency * 1000))
    h.reset_calls(emu)
    c = p.read_data_source(COMPLIANCE, {"patch_group": "MANY", "include_missing_patches": True})
    emu.configure(latency_ms=0)
    log = emu.calls(log=True)["log"]
    assert sum(1 for x in log if x["op"] == "DescribeInstancePatches") == 40
    most = h.max_in_flight(log, "DescribeInstancePatches", latency)
    assert 2 <= most <= 10, most
    assert len(c["missing_patches"][0]["instance_ids"]) == 40


def test_ds_stop_cancels_a_fan_out_read(ep, provider):
    """Stop while the per-instance calls run: the read ends with an error and no further
    instance is asked about (the calls in flight are cancelled, none starts after)."""
    import threading
    import time

    from harness.errors import OperationFailed

    ep.requires_emulator("slows the emulator down")
    emu = ep.emulator
    _big_group(ep, 60, "SLOW")
    p = provider(6)
    emu.configure(latency_ms=3000)
    h.reset_calls(emu)
    out = {}

    def read():
        try:
            out["state"] = p.read_data_source(COMPLIANCE, {"patch_group": "SLOW",
                                                           "include_missing_patches": True})
        except OperationFailed as e:
            out["error"] = e
    t = threading.Thread(target=read)
    t.start()
    deadline = time.monotonic() + 60
    while h.op_count(emu, "DescribeInstancePatches") == 0:  # the fan-out has begun
        assert time.monotonic() < deadline, "the per-instance calls never started"
        time.sleep(0.05)
    assert p.stop() == ""
    t.join(timeout=30)
    assert not t.is_alive(), "the read did not end after Stop"
    emu.configure(latency_ms=0)
    assert "error" in out, out
    asked = h.op_count(emu, "DescribeInstancePatches")
    assert 1 <= asked <= 10, asked  # the first wave only: nothing started after Stop

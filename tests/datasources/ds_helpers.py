"""Helpers of the data source tests: the seed scenario in the emulator, and
checks on what the emulator logged."""

import seed_fleet

# The emulator clock the seed scenarios run at (frozen): the catalog's patches
# were released 5 and 40 days before it.
NOW = "2024-06-01T00:00:00Z"
DAY = 86400

DATA_SOURCES = ("ssmpatch_patch_baseline", "ssmpatch_maintenance_windows",
                "ssmpatch_window_executions", "ssmpatch_patch_group_compliance")


def seed(ep, per_group=1, prefix=""):
    """The seed's fleet and objects at NOW (frozen): {"fleet": ..., "objs": ...,
    "patches": {key: patch}} (tests/emulator/seed_fleet.py)."""
    ep.emulator.clock(set=NOW, freeze=True)
    fleet = ep.seed_fleet(per_group=per_group, prefix=prefix)
    objs = seed_fleet.create_seed_objects(ep.call, prefix=prefix)
    catalog = {p["key"]: p["patch"] for p in seed_fleet.SEED_PATCHES}
    return {"fleet": fleet, "objs": objs, "patches": catalog}


def scanned_group(emu, call, n, group, bucket=None):
    """n AL2 instances in patch group `group` (the seed's catalog), scanned by one run of
    a window with one Scan task (one invocation per instance), at NOW (frozen).
    `call(op, body)` makes the SSM calls. Returns (instance IDs, window ID). Also used
    by bench/compliance.py."""
    emu.clock(set=NOW, freeze=True)
    emu.add_patches([p["patch"] for p in seed_fleet.SEED_PATCHES])
    ids = emu.add_instances([{"OperatingSystem": "AMAZON_LINUX_2", "Tags": {"Patch Group": group}}
                             for _ in range(n)])
    wid = call("CreateMaintenanceWindow", {"Name": "scan-" + group.lower(), "Schedule": "rate(1 day)",
                                           "Duration": 2, "Cutoff": 1,
                                           "AllowUnassociatedTargets": False})["WindowId"]
    tid = call("RegisterTargetWithMaintenanceWindow", {
        "WindowId": wid, "ResourceType": "INSTANCE",
        "Targets": [{"Key": "tag:Patch Group", "Values": [group]}]})["WindowTargetId"]
    run = {"Parameters": {"Operation": ["Scan"], "RebootOption": ["NoReboot"]}}
    if bucket:
        run["OutputS3BucketName"] = bucket
    call("RegisterTaskWithMaintenanceWindow", {
        "WindowId": wid, "TaskArn": "AWS-RunPatchBaseline", "TaskType": "RUN_COMMAND",
        "MaxConcurrency": "100%", "MaxErrors": "10%",
        "Targets": [{"Key": "WindowTargetIds", "Values": [tid]}],
        "TaskInvocationParameters": {"RunCommand": run}})
    if emu.run_window(wid)["Status"] != "SUCCESS":
        raise AssertionError("the scan of patch group %s failed" % group)
    return ids, wid


def kb_id(patch):
    """The KB ID SSM reports for a Linux package: name.arch:epoch:version-release."""
    return "%s.%s:%s:%s-%s" % (patch["Name"], patch["Arch"], patch["Epoch"], patch["Version"],
                               patch["Release"])


def calls_ok(emu):
    """Assert that every request the emulator counted was answered 200: none refused
    (validation against the model, authentication) and every answer passed the
    emulator's check against the model's output shapes (a failing one is answered 500
    EmulatorSelfCheckFailed and never counted ok). Returns the counters."""
    c = emu.calls()
    bad = {op: v for op, v in c["by_op"].items() if v.get("ok", 0) != v.get("count", 0)}
    assert not bad, "requests not answered ok: %r" % bad
    return c


def reset_calls(emu):
    emu.reset(state=False, calls=True)


def op_count(emu, op):
    return emu.calls()["by_op"].get(op, {}).get("count", 0)


def max_in_flight(log, op, latency_s):
    """The most requests of `op` that were in the emulator at one moment. Each request
    is held there for at least latency_s (the emulator sleeps before answering), so
    request j covers [t_j, t_j + latency_s): a client sending one request after
    another's answer never has two overlapping."""
    starts = sorted(e["time"] for e in log if e.get("op") == op)
    best = 0
    for i, t in enumerate(starts):
        best = max(best, sum(1 for s in starts[:i + 1] if s + latency_s > t))
    return best

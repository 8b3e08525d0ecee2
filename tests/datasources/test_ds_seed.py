"""The seed's verification, simulated in the emulator (issue 13, points 2 and 3).

Point 2: STG and PRD fleets tagged as in the seed's table (SCAN and INSTALL instances in
each), a catalog with Security patches released 5 and 40 days ago. After a Scan run,
STG's missing patches include the 5-day-old one (STG approves after 1 day) and PRD's do
not (31 days). After an Install run (the seed's window: Scan on SCAN, Install with
NoReboot on INSTALL), the INSTALL instances miss nothing and wait for a reboot, and the
SCAN instances are unchanged. Both spellings of patch states (model, live), both
protocols.

Point 3: ssmpatch_window_executions after two runs of the seed's window, the second with
a failing instance: both newest first, the failing invocation's status and the S3
location of its Run Command output; next_runs the next 3 times of cron(00 17 * * ? *)."""

import calendar
import time

import pytest

import ds_helpers as h

COMPLIANCE = "ssmpatch_patch_group_compliance"


def _scan_everything(ep):
    """AWS-RunPatchBaseline Scan on every instance with a Patch Group tag, run to the end."""
    cmd = ep.call("SendCommand", {
        "DocumentName": "AWS-RunPatchBaseline", "MaxConcurrency": "100%",
        "Targets": [{"Key": "tag-key", "Values": ["Patch Group"]}],
        "Parameters": {"Operation": ["Scan"], "RebootOption": ["NoReboot"]}})["Command"]
    ep.emulator.advance_commands(cmd["CommandId"], steps=None)
    assert ep.call("ListCommands", {"CommandId": cmd["CommandId"]})["Commands"][0]["Status"] == \
        "Success"


def _missing(c):
    """{kb_id: sorted instance IDs} of a compliance read's missing_patches."""
    return {p["kb_id"]: p["instance_ids"] for p in c["missing_patches"]}


def _rows(c):
    return {r["instance_id"]: r for r in c["instances"]}


@pytest.mark.parametrize("spelling", ["model", "live"])
def test_ds_seed_scan_then_install(ep, provider, protocol, spelling):
    s = h.seed(ep, per_group=2)
    ep.emulator.configure(patch_state_spelling=spelling)
    fleet, kb = s["fleet"], {k: h.kb_id(p) for k, p in s["patches"].items()}
    p = provider(protocol)

    # -- after a Scan of every instance
    _scan_everything(ep)
    before = {}
    for g in ("STG", "PRD"):
        c = p.read_data_source(COMPLIANCE, {"patch_group": g, "include_missing_patches": True})
        everyone = sorted(fleet[g]["SCAN"] + fleet[g]["INSTALL"])
        assert [r["instance_id"] for r in c["instances"]] == everyone
        assert {r["operation"] for r in c["instances"]} == {"Scan"}
        assert c["instance_count"] == 4 and c["instances_with_missing_patches"] == 4
        assert c["failed_instance_ids"] == [] and c["pending_reboot_instance_ids"] == []
        before[g] = c
    stg, prd = _missing(before["STG"]), _missing(before["PRD"])
    # STG approves a patch 1 day after release: the 5-day-old critical one is missing
    assert stg == {kb["fresh_critical"]: sorted(fleet["STG"]["SCAN"] + fleet["STG"]["INSTALL"]),
                   kb["old_important"]: sorted(fleet["STG"]["SCAN"] + fleet["STG"]["INSTALL"])}
    # PRD waits 31 days: only the 40-day-old one
    assert kb["fresh_critical"] not in prd
    assert prd == {kb["old_important"]: sorted(fleet["PRD"]["SCAN"] + fleet["PRD"]["INSTALL"])}
    fresh = [m for m in before["STG"]["missing_patches"] if m["kb_id"] == kb["fresh_critical"]][0]
    assert fresh["severity"] == "Critical" and fresh["classification"] == "Security"
    assert fresh["cve_ids"] == ["CVE-2024-0001", "CVE-2024-0002"]
    assert fresh["title"] == s["patches"]["fresh_critical"]["Title"]
    assert fresh["instance_count"] == 4 and fresh["failed_instance_ids"] == []

    # -- after the seed's window: Install (NoReboot) on INSTALL, Scan on SCAN
    assert ep.emulator.run_window(s["objs"]["window"])["Status"] == "SUCCESS"
    for g, approved in (("STG", 2), ("PRD", 1)):
        c = p.read_data_source(COMPLIANCE, {"patch_group": g, "include_missing_patches": True})
        rows, old_rows = _rows(c), _rows(before[g])
        install, scan = fleet[g]["INSTALL"], fleet[g]["SCAN"]
        for i in install:  # nothing missing, all waiting for the reboot NoReboot skipped
            assert rows[i]["operation"] == "Install" and rows[i]["missing_count"] == 0
            assert rows[i]["installed_pending_reboot_count"] == approved
            assert rows[i]["reboot_option"] == "NoReboot" and rows[i]["last_no_reboot_install_time"]
        assert c["pending_reboot_instance_ids"] == sorted(install) and c["pending_reboot_count"] == 2
        assert c["instances_with_installed_pending_reboot_patches"] == 2
        assert c["failed_instance_ids"] == [] and c["instances_with_failed_patches"] == 0
        # what the next install will apply: the SCAN instances' patches, exactly as before
        assert _missing(c) == {k: sorted(scan) for k in _missing(before[g])}
        for i in scan:
            for n in ("missing_count", "installed_count", "installed_pending_reboot_count",
                      "failed_count", "critical_non_compliant_count"):
                assert rows[i][n] == old_rows[i][n], (i, n)
        # pending reboots stay non-compliant (AWS counts them so until the reboot): in STG
        # the 5-day-old patch is CRITICAL on every instance, missing or pending; the
        # 40-day-old one is HIGH, a security non-compliance on all four of both groups
        assert c["instances_with_critical_non_compliant_patches"] == (4 if g == "STG" else 0)
        assert c["instances_with_security_non_compliant_patches"] == 4
    h.calls_ok(ep.emulator)


def _next_17h(after):
    """The next 3 times of cron(00 17 * * ? *) strictly after epoch `after`, RFC 3339."""
    day = calendar.timegm(time.gmtime(after)[:3] + (17, 0, 0))
    out = []
    while len(out) < 3:
        if day > after:
            out.append(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(day)))
        day += h.DAY
    return out


def test_ds_window_executions_two_runs(ep, provider, protocol):
    s = h.seed(ep)
    emu, wid = ep.emulator, s["objs"]["window"]
    first = emu.run_window(wid)
    assert first["Status"] == "SUCCESS"
    emu.clock(advance=h.DAY)
    between = emu.clock()["now"] - 60
    bad = s["fleet"]["PRD"]["INSTALL"][0]
    emu.fail_instances([bad], operation="Install", times=1)
    second = emu.run_window(wid)
    assert second["Status"] == "FAILED"
    p = provider(protocol)

    e = p.read_data_source("ssmpatch_window_executions", {"window_id": wid})
    assert e["window_name"] == "patch-window-am2"
    assert [x["execution_id"] for x in e["executions"]] == [second["WindowExecutionId"],
                                                             first["WindowExecutionId"]]
    assert [x["status"] for x in e["executions"]] == ["FAILED", "SUCCESS"]
    assert e["executions"][0]["start_time"] > e["executions"][1]["start_time"]
    assert e["executions"][0]["status_details"] == "One or more tasks in the orchestration failed."
    tasks = {t["task_arn"] + ":" + t["status"]: t for t in e["executions"][0]["tasks"]}
    assert sorted(tasks) == ["AWS-RunPatchBaseline:FAILED", "AWS-RunPatchBaseline:SUCCESS"]
    install = tasks["AWS-RunPatchBaseline:FAILED"]
    assert install["task_type"] == "RUN_COMMAND" and install["status_details"]
    (failed,) = [i for i in install["invocations"] if i["status"] != "SUCCESS"]
    assert failed["status"] == "FAILED" and failed["target_id"] == bad
    assert failed["window_target_id"] == s["objs"]["targets"]["INSTALL"]
    assert failed["output_s3_bucket"] == "patch-logs"
    assert failed["output_s3_key_prefix"] == "patch/window/install/"
    assert failed["output_s3_uri"] == "s3://patch-logs/patch/window/install/%s/%s/" % (
        failed["command_id"], bad)
    # where Run Command really put that instance's output
    inv = ep.call("ListCommandInvocations", {"CommandId": failed["command_id"], "Details": True})
    (ci,) = inv["CommandInvocations"]
    assert ci["InstanceId"] == bad and ci["Status"] == "Failed"
    plugin = [pl for pl in ci["CommandPlugins"] if pl.get("OutputS3KeyPrefix")][0]
    assert ("s3://%s/%s/" % (plugin["OutputS3BucketName"], plugin["OutputS3KeyPrefix"])) \
        .startswith(failed["output_s3_uri"])
    # every other invocation of both runs succeeded, each with its own output location
    others = [i for x in e["executions"] for t in x["tasks"] for i in t["invocations"]
              if i is not failed and i["invocation_id"] != failed["invocation_id"]]
    assert len(others) == 7 and {i["status"] for i in others} == {"SUCCESS"}
    assert len({i["output_s3_uri"] for i in others}) == 7
    # the next 3 runs of cron(00 17 * * ? *), after the emulator's clock
    assert e["next_runs"] == _next_17h(emu.clock()["now"])
    assert e["next_runs_count"] == 3 and e["max_results"] == 10

    later = p.read_data_source("ssmpatch_window_executions", {
        "window_id": wid, "started_after": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(between)),
        "next_runs_count": 5})
    assert [x["execution_id"] for x in later["executions"]] == [second["WindowExecutionId"]]
    assert later["next_runs"][:3] == e["next_runs"] and len(later["next_runs"]) == 5
    one = p.read_data_source("ssmpatch_window_executions", {"window_id": wid, "max_results": 1,
                                                            "next_runs_count": 0})
    assert [x["execution_id"] for x in one["executions"]] == [second["WindowExecutionId"]]
    assert one["next_runs"] == []
    h.calls_ok(emu)

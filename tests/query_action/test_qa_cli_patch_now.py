"""The action ssmpatch_patch_now through the real Terraform 1.14 CLI (issue 17, point
3), with examples/patch-now against the emulator's patching simulation:
`terraform apply -invoke=action.ssmpatch_patch_now.stg` prints a line for each STG
instance and leaves their patch states as a Scan does; an Install where an instance
fails ends with an error naming it; Ctrl-C ends the stream cleanly; a change to the
baseline's rules re-scans through its action_trigger. Skipped, saying so, without a
Terraform 1.14+."""

import os
import re
import signal
import subprocess

import pytest

from harness import tfcli

import qa_helpers as h

ACTION_LINE = re.compile(r"^Action action\.ssmpatch_patch_now\.(\w+) \(triggered by ([^)]*)\): (.*)$")


@pytest.fixture
def cli():
    return tfcli.require(kinds=["terraform"], min_version=(1, 14))


def _workdir(cli, tmp_path, ep, *extra_vars):
    w = tfcli.Workdir(cli, tmp_path, example="patch-now")
    w.init()
    return w, ep.terraform_vars() + list(extra_vars)


def _progress(text, action):
    """[(trigger, message)] of the action's progress lines in the CLI's output."""
    out = []
    for line in text.splitlines():
        m = ACTION_LINE.match(line.strip())
        if m and m.group(1) == action:
            out.append((m.group(2), m.group(3)))
    return out


def _instances_done(progress):
    return [msg.split(" ")[0] for _, msg in progress if " done)" in msg]


def _scan_states(ep, ids):
    return {s["InstanceId"]: (s["Operation"], s["MissingCount"], s["InstalledCount"])
            for s in ep.call("DescribeInstancePatchStates", {"InstanceIds": list(ids)})["InstancePatchStates"]}


def test_qa_cli_invoke_scan_stg(cli, ep, tmp_path):
    import seed_fleet
    fleet = ep.seed_fleet(per_group=2)
    seed_fleet.create_seed_objects(ep.call)
    stg = fleet["STG"]["SCAN"] + fleet["STG"]["INSTALL"]
    prd = fleet["PRD"]["SCAN"] + fleet["PRD"]["INSTALL"]
    w, v = _workdir(cli, tmp_path, ep)
    out = w.run("apply", "-auto-approve", "-no-color", "-invoke=action.ssmpatch_patch_now.stg", *v)
    assert "Plan: 0 to add, 0 to change, 0 to destroy. Actions: 1 to invoke." in out.stdout
    prog = _progress(out.stdout, "stg")
    assert {t for t, _ in prog} == {"CLI"}
    assert prog[0][1].startswith("AWS-RunPatchBaseline Scan sent as command ")
    assert sorted(_instances_done(prog)) == sorted(stg), out.stdout
    assert prog[-1][1].endswith("finished: 4 succeeded, 0 did not")
    assert "Apply complete! Resources: 0 added, 0 changed, 0 destroyed. Actions: 1 invoked." in out.stdout
    assert _scan_states(ep, stg) == {i: ("Scan", 2, 0) for i in stg}
    assert _scan_states(ep, prd) == {}
    assert w.state_list() == [], "invoking an action created resources"


def test_qa_cli_invoke_install_failure_names_the_instance(cli, ep, tmp_path):
    import seed_fleet
    fleet = ep.seed_fleet(per_group=2)
    seed_fleet.create_seed_objects(ep.call)
    bad, other = fleet["STG"]["INSTALL"]
    ep.emulator.fail_instances([bad], operation="Install", times=1, message="yum: disk full on /var")
    w, v = _workdir(cli, tmp_path, ep)
    out = w.run("apply", "-auto-approve", "-no-color", "-invoke=action.ssmpatch_patch_now.stg_install", *v,
                expect=(1,))
    text = out.stdout + out.stderr
    prog = _progress(out.stdout, "stg_install")
    assert [m for _, m in prog if m.startswith(bad)] and ": Failed (" in [m for _, m in prog if m.startswith(bad)][0]
    assert "Error when invoking action" in text and "Patching failed" in text, text
    assert bad in out.stderr and "yum: disk full on /var" in out.stderr
    # max_concurrency 1, max_errors 0: the other instance never started.
    assert other in out.stderr and "not started" in out.stderr
    assert _scan_states(ep, [other]) == {}


def test_qa_cli_ctrl_c_ends_the_stream(cli, ep, tmp_path):
    """Ctrl-C while the action follows its command: Terraform asks the provider to
    stop, the stream ends at once with the "Stopped" error naming the command, and
    the provider exits cleanly (Terraform logs no forced kill)."""
    import seed_fleet
    fleet = ep.seed_fleet(per_group=4)
    seed_fleet.create_seed_objects(ep.call)
    w, v = _workdir(cli, tmp_path, ep)
    proc = w.popen("apply", "-auto-approve", "-no-color", "-invoke=action.ssmpatch_patch_now.stg", *v,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, text=True)
    seen = []
    try:
        for line in proc.stdout:
            seen.append(line)
            if " sent as command " in line:
                os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
                break
        seen += proc.stdout.readlines()
        rc = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    text = "".join(seen)
    assert rc != 0, text
    command = re.search(r" sent as command ([0-9a-f-]{36}) ", text).group(1)
    assert "Stopped" in text and command in text, text
    assert len(_instances_done(_progress(text, "stg"))) < 8
    log = w.log()
    assert "failed to exit gracefully" not in log, "the provider was killed"
    # The command itself goes on in SSM (it is not cancelled): it finishes.
    ep.emulator.advance_commands(command)
    states = _scan_states(ep, fleet["STG"]["SCAN"] + fleet["STG"]["INSTALL"])
    assert {s[0] for s in states.values()} == {"Scan"} and len(states) == 8


def test_qa_cli_action_trigger_rescans_after_a_rule_change(cli, ep, tmp_path):
    """examples/patch-now's STG baseline re-scans STG after each update (its
    lifecycle action_trigger): creating it invokes nothing, changing its rules
    invokes the Scan, which reports every STG instance against the new baseline."""
    fleet = ep.seed_fleet(per_group=1, prefix="trig-")
    stg = fleet["STG"]["SCAN"] + fleet["STG"]["INSTALL"]
    w, v = _workdir(cli, tmp_path, ep, "-var", "name_prefix=trig-")
    out = w.run("apply", "-auto-approve", "-no-color", *v)
    assert "Apply complete! Resources: 1 added, 0 changed, 0 destroyed." in out.stdout, out.stdout
    assert _progress(out.stdout, "stg") == [] and _scan_states(ep, stg) == {}
    out = w.run("apply", "-auto-approve", "-no-color", "-var", "approve_after_days=3", *v)
    assert "Resources: 0 added, 1 changed, 0 destroyed. Actions: 1 invoked." in out.stdout, out.stdout
    prog = _progress(out.stdout, "stg")
    assert prog and all("after_update" in t or "ssmpatch_patch_baseline.stg" in t for t, _ in prog), prog
    assert sorted(_instances_done(prog)) == sorted(stg)
    baseline = w.show_json()["values"]["root_module"]["resources"][0]["values"]["id"]
    got = ep.call("DescribeInstancePatchStates", {"InstanceIds": stg})["InstancePatchStates"]
    assert {(s["Operation"], s["BaselineId"]) for s in got} == {("Scan", baseline)}
    out = w.run("plan", "-detailed-exitcode", "-no-color", "-var", "approve_after_days=3", *v)
    assert "No changes." in out.stdout

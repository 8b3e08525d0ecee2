"""test_ctrl_c.py - Ctrl-C must not orphan a create (issue 11).

A window with six for_each targets and a task per target, applied against
the emulator answering every call after 500 ms. Ctrl-C comes at 20 moments
spread over the apply; each moment is "the emulator has received N requests"
(its /_emulator/calls counter), N from 1 to the whole apply's count, so the
moments are exact events, not sleeps. After the interrupted apply, the next
`terraform apply` (no interruption) must leave the endpoint holding exactly
the configured objects - one window, six targets, six tasks, each task on its
target - with no orphan and no duplicate, the state naming exactly those, and
a following `plan -detailed-exitcode` empty.

With a real `terraform` (TERRAFORM or PATH): it runs in its own session and
gets SIGINT on the whole process group, as a terminal's Ctrl-C does (the
provider ignores SIGINT, as go-plugin providers do; Terraform sends Stop).
Without one: the harness plays Terraform - a fresh provider per run, the
window, then the targets, then the tasks, up to 10 applies at once; at the
moment it sends Stop, starts nothing more, keeps every state an apply
returned (a create that returned an error with an object is tainted, so the
next run replaces it, as Terraform does).
"""

import json
import os
import signal
import subprocess
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from fault_helpers import Emulator, wait_for
from harness import tfcli
from harness.errors import OperationFailed
from harness.provider import Provider
from harness.stack import Ref, resolve

REGION = "us-east-1"
LATENCY_MS = 500
MOMENTS = 20
GROUPS = ["g1", "g2", "g3", "g4", "g5", "g6"]

CONFIG = textwrap.dedent("""
    terraform {
      required_providers {
        ssmpatch = { source = "ssmpatch/ssmpatch" }
      }
    }
    # region, keys and endpoints come from the environment (AWS_*).
    provider "ssmpatch" {}

    locals {
      groups = toset(%s)
    }

    resource "ssmpatch_maintenance_window" "w" {
      name                       = "ctrlc-window"
      schedule                   = "cron(00 17 * * ? *)"
      duration                   = 2
      cutoff                     = 1
      allow_unassociated_targets = true
    }

    resource "ssmpatch_window_target" "t" {
      for_each      = local.groups
      window_id     = ssmpatch_maintenance_window.w.id
      name          = "target-${each.key}"
      resource_type = "INSTANCE"
      targets {
        key    = "tag:PatchGroup"
        values = [each.key]
      }
    }

    resource "ssmpatch_window_task" "k" {
      for_each        = local.groups
      window_id       = ssmpatch_maintenance_window.w.id
      name            = "task-${each.key}"
      task_arn        = "AWS-RunPatchBaseline"
      task_type       = "RUN_COMMAND"
      priority        = 1
      max_concurrency = "50%%"
      max_errors      = "50%%"
      targets {
        key    = "WindowTargetIds"
        values = [ssmpatch_window_target.t[each.key].id]
      }
      task_invocation_parameters {
        run_command_parameters {
          parameter {
            name   = "Operation"
            values = ["Scan"]
          }
        }
      }
    }
""") % json.dumps(GROUPS)


def window_cfg():
    return {"name": "ctrlc-window", "schedule": "cron(00 17 * * ? *)", "duration": 2, "cutoff": 1,
            "allow_unassociated_targets": True}


def target_cfg(g):
    return {"window_id": Ref("w", "id"), "name": "target-" + g, "resource_type": "INSTANCE",
            "targets": [{"key": "tag:PatchGroup", "values": [g]}]}


def task_cfg(g):
    return {"window_id": Ref("w", "id"), "name": "task-" + g, "task_arn": "AWS-RunPatchBaseline",
            "task_type": "RUN_COMMAND", "priority": 1, "max_concurrency": "50%", "max_errors": "50%",
            "targets": [{"key": "WindowTargetIds", "values": [Ref("t." + g, "id")]}],
            "task_invocation_parameters": [{"run_command_parameters": [{
                "parameter": [{"name": "Operation", "values": ["Scan"]}]}]}]}


def assert_exactly_configured(emu, state_ids):
    """The endpoint holds the configured objects, once each, all in state."""
    inv = emu.inventory(emu.account, REGION)
    assert inv["patch_baselines"] == {}
    windows = inv["maintenance_windows"]
    assert [w["Name"] for w in windows.values()] == ["ctrlc-window"], \
        "windows: %r" % sorted((k, w["Name"]) for k, w in windows.items())
    (wid, w), = windows.items()
    targets = {t["Name"]: tid for tid, t in (w.get("Targets") or {}).items()}
    tasks = {k["Name"]: k for k in (w.get("Tasks") or {}).values()}
    assert sorted(t.get("Name") for t in (w.get("Targets") or {}).values()) == \
        ["target-" + g for g in GROUPS], "targets (orphans or duplicates): %r" % w.get("Targets")
    assert sorted(k.get("Name") for k in (w.get("Tasks") or {}).values()) == \
        ["task-" + g for g in GROUPS], "tasks (orphans or duplicates): %r" % w.get("Tasks")
    for g in GROUPS:
        assert tasks["task-" + g]["Targets"] == [
            {"Key": "WindowTargetIds", "Values": [targets["target-" + g]]}], tasks["task-" + g]
    held = {wid} | set(targets.values()) | {k["WindowTaskId"] for k in tasks.values()}
    assert set(state_ids) == held, "state %r != endpoint %r" % (sorted(state_ids), sorted(held))


def moments(total):
    """MOMENTS request counts spread evenly from the first request to the last."""
    return sorted({1 + round(i * (total - 1) / (MOMENTS - 1)) for i in range(MOMENTS)})


# ---- the real CLI ----------------------------------------------------------------------

def state_ids(w):
    st = w.show_json()
    return [r["values"]["id"] for r in st.get("values", {}).get("root_module", {}).get("resources", [])]


def reset_state(w):
    for f in ("terraform.tfstate", "terraform.tfstate.backup"):
        (w.dir / f).unlink(missing_ok=True)


def interrupted_apply(w, emu, moment):
    """terraform apply, Ctrl-C once the emulator has seen `moment` requests."""
    proc = w.popen("apply", "-auto-approve", "-no-color", "-parallelism=10",
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    out = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True)
    reader.start()
    wait_for(lambda: emu.calls()["total"] >= moment or proc.poll() is not None, timeout=120)
    interrupted = proc.poll() is None
    if interrupted:
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    rc = proc.wait(timeout=180)
    reader.join(10)
    return interrupted, rc, out[0].decode(errors="replace") if out else ""


@pytest.mark.skipif(tfcli.primary() is None, reason="no terraform binary: the harness variant runs")
def test_ctrl_c_with_terraform(tmp_path):
    with Emulator(region=REGION, latency_ms=0, seed=71) as emu:
        w = tfcli.Workdir(tfcli.primary(), tmp_path, protocol=6, files={"main.tf": CONFIG})
        w.env = emu.env(w.env)  # region, keys and endpoints (AWS_ENDPOINT_URL_SSM/_STS)
        w.env.pop("TF_LOG", None)
        w.env.pop("TF_LOG_PATH", None)
        w.init()
        # How many requests a whole apply makes (latency does not change it).
        w.run("apply", "-auto-approve", "-no-color")
        total = emu.calls()["total"]
        assert_exactly_configured(emu, state_ids(w))
        seen = []
        for n in moments(total):
            emu.reset()
            reset_state(w)
            emu.configure(latency_ms=LATENCY_MS)
            interrupted, rc, out = interrupted_apply(w, emu, n)
            assert not interrupted or "Interrupt received" in out, out[-3000:]
            emu.configure(latency_ms=0)
            w.run("apply", "-auto-approve", "-no-color")
            assert_exactly_configured(emu, state_ids(w))
            w.run("plan", "-detailed-exitcode", "-no-color")
            seen.append((n, interrupted, rc))
        print("moments (requests seen, interrupted, exit):", seen)
        assert sum(1 for _, i, _ in seen if i) >= MOMENTS - 2, seen


# ---- the harness playing Terraform -------------------------------------------------------

class Run:
    """One `terraform apply` of the configuration by the harness."""

    NAMES = ["w"] + ["t." + g for g in GROUPS] + ["k." + g for g in GROUPS]
    TYPES = dict([("w", "ssmpatch_maintenance_window")] +
                 [("t." + g, "ssmpatch_window_target") for g in GROUPS] +
                 [("k." + g, "ssmpatch_window_task") for g in GROUPS])
    CFGS = dict([("w", window_cfg())] + [("t." + g, target_cfg(g)) for g in GROUPS] +
                [("k." + g, task_cfg(g)) for g in GROUPS])
    LEVELS = [["w"], ["t." + g for g in GROUPS], ["k." + g for g in GROUPS]]

    def __init__(self, emu, states, tainted):
        self.emu = emu
        self.states = states  # name -> State, kept across runs like a state file
        self.tainted = tainted  # names whose create failed with an object
        self.stopped = threading.Event()
        self.p = Provider(protocol=6, env=emu.env())
        self.p.configure({})

    def apply_one(self, n):
        if self.stopped.is_set():
            return  # Terraform starts nothing after Ctrl-C
        t, prior = self.TYPES[n], self.states.get(n)
        cfg = resolve(self.CFGS[n], self.states)
        try:
            if prior is not None:
                if n in self.tainted:
                    self.p.destroy(t, prior)
                    self.states.pop(n)
                    self.tainted.discard(n)
                    prior = None
                else:
                    prior = self.p.read(t, prior)
                    if prior is None:
                        self.states.pop(n)
            new = self.p.apply(t, cfg, prior)
            if new is not None:
                self.states[n] = new
        except OperationFailed as e:
            if e.state is not None:
                self.states[n] = e.state
                if prior is None:
                    self.tainted.add(n)
            elif prior is None:
                self.states.pop(n, None)

    def apply(self, stop_at=None):
        watcher = None
        if stop_at is not None:
            def watch():
                wait_for(lambda: self.emu.calls()["total"] >= stop_at or done.is_set(), timeout=120)
                if not done.is_set():
                    self.stopped.set()
                    assert self.p.stop() == ""
            done = threading.Event()
            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
        with ThreadPoolExecutor(max_workers=10) as pool:
            for level in self.LEVELS:
                ready = [n for n in level if all(
                    d in self.states for d in _refs(self.CFGS[n]))]
                list(pool.map(self.apply_one, ready))
        if watcher:
            done.set()
            watcher.join(10)
        self.p.close()
        return self.stopped.is_set()


def _refs(cfg):
    out = set()

    def walk(v):
        if isinstance(v, Ref):
            out.add(v.name)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(cfg)
    return out


@pytest.mark.skipif(tfcli.primary() is not None and not os.environ.get("SSMPATCH_CTRLC_HARNESS"),
                    reason="the real terraform runs the test (SSMPATCH_CTRLC_HARNESS=1 runs this too)")
def test_ctrl_c_with_the_harness():
    with Emulator(region=REGION, latency_ms=0, seed=72) as emu:
        states, tainted = {}, set()
        assert not Run(emu, states, tainted).apply()
        total = emu.calls()["total"]
        assert_exactly_configured(emu, [s["id"] for s in states.values()])
        seen = []
        for n in moments(total):
            emu.reset()
            states, tainted = {}, set()
            emu.configure(latency_ms=LATENCY_MS)
            interrupted = Run(emu, states, tainted).apply(stop_at=n)
            emu.configure(latency_ms=0)
            assert not Run(emu, states, tainted).apply()
            assert not tainted
            assert_exactly_configured(emu, [s["id"] for s in states.values()])
            seen.append((n, interrupted))
        print("moments (requests seen, interrupted):", seen)
        assert sum(1 for _, i in seen if i) >= MOMENTS - 2, seen

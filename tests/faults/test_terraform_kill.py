"""test_terraform_kill.py - the provider SIGKILLed in the middle of a real
`terraform apply` of the quickstart example (the seed scenario for STG and
PRD: 12 objects), then `terraform apply` again from the state Terraform saved.

This is the Terraform-level version of test_kill_mid_apply.py (read its
docstring for what the provider can and cannot guarantee). Terraform applies
up to 10 objects at once and, when the plugin dies, fails the run but still
writes every object whose ApplyResourceChange returned into terraform.tfstate.

Checks: the saved objects exist; the objects the emulator holds beyond the
saved state (orphans) are at most one per ApplyResourceChange in flight at the
kill (<= parallelism, 10): objects whose create committed but whose apply had
not returned (still being registered to a patch group, tagged or read back).
The second `terraform apply` adopts every saved object and leaves no new
orphan; it converges by itself unless an orphan baseline still holds its
patch group (SSM allows one baseline per patch group and OS): then it fails
cleanly naming AlreadyExistsException and the patch group, keeping the new
baseline in state (tainted). That conflict is the real-world cost of an
orphan, and the provider must not "fix" it by silently moving another
baseline's patch group. After the operator deletes the orphans, a third apply
converges: `plan -detailed-exitcode` is empty, state == emulator inventory,
and destroy leaves nothing.

Skipped without a terraform binary (TERRAFORM or PATH).
"""

import json
import os
import signal
import sys
import subprocess
import threading

import pytest

from fault_helpers import REPO, Emulator, op_count, wait_for, wait_settled

sys.path.insert(0, os.path.join(REPO, "tests"))
from harness import tfcli  # noqa: E402

pytestmark = pytest.mark.skipif(tfcli.primary() is None,
                                reason="no terraform binary (set TERRAFORM or put terraform on PATH)")

REGION = "ap-northeast-1"  # the example's default region
PARALLELISM = 10  # terraform apply's default -parallelism


def _children(pid):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                out.append(int(d))
        except OSError:
            continue
    return out


def _provider_pid(tf_pid):
    for c in _children(tf_pid):
        try:
            if "terraform-provider-ssmpatch" in os.readlink("/proc/%d/exe" % c):
                return c
        except OSError:
            continue
    return None


def _objects(emu):
    """{(kind, id): name} in the example's region."""
    inv = emu.inventory(region=REGION)
    out = {}
    for bid, b in inv["patch_baselines"].items():
        out[("baseline", bid)] = b["Name"]
    for wid, w in inv["maintenance_windows"].items():
        out[("window", wid)] = w["Name"]
        for tid, t in (w.get("Targets") or {}).items():
            out[("target", tid)] = t.get("Name")
        for kid, k in (w.get("Tasks") or {}).items():
            out[("task", kid)] = k.get("Name")
    return out


KIND = {"ssmpatch_patch_baseline": "baseline", "ssmpatch_maintenance_window": "window",
        "ssmpatch_window_target": "target", "ssmpatch_window_task": "task"}


def _window_of(emu, key):
    """IDs of the windows holding target/task `key`."""
    inv = emu.inventory(region=REGION)
    sub = {"target": "Targets", "task": "Tasks"}[key[0]]
    return [wid for wid, w in inv["maintenance_windows"].items() if key[1] in (w.get(sub) or {})]


def _state(w):
    st = json.loads(w.run("show", "-json").stdout)
    out = {}

    def walk(mod):
        for r in mod.get("resources", []):
            if r["mode"] == "managed":
                key = (KIND[r["type"]], r["values"]["id"])
                assert key not in out, "two state entries track %s (%s)" % (key, r["address"])
                out[key] = r["values"].get("name")
        for c in mod.get("child_modules", []):
            walk(c)
    walk(st.get("values", {}).get("root_module", {}))
    return out


def test_terraform_apply_after_provider_killed(tmp_path):
    with Emulator(region=REGION, latency_ms=300, seed=51) as emu:
        w = tfcli.Workdir(tfcli.primary(), tmp_path, protocol=6, example="quickstart")
        w.env.pop("TF_LOG", None)
        w.env.pop("TF_LOG_PATH", None)
        tfvars = ["-var", "endpoint=%s" % emu.url]
        w.init()

        proc = w.popen("apply", "-auto-approve", "-no-color", *tfvars,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = []
        reader = threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True)
        reader.start()
        # Kill once some objects are saved and more creates are in flight.
        wait_for(lambda: op_count(emu.calls(), "RegisterTargetWithMaintenanceWindow") >= 1, timeout=60)
        pid = _provider_pid(proc.pid)
        assert pid, "provider process not found under terraform"
        os.kill(pid, signal.SIGKILL)
        rc = proc.wait(timeout=60)
        reader.join(10)
        assert rc != 0, "terraform apply succeeded although its provider was killed"
        assert os.path.exists(w.dir / "terraform.tfstate"), "Terraform saved no state"
        saved = _state(w)
        assert saved, "nothing was saved before the kill"

        wait_settled(emu)  # the in-flight creates commit (or fail) at the emulator
        emu.configure(latency_ms=0)
        killed_objs = _objects(emu)
        assert set(saved) <= set(killed_objs), "saved state names objects that do not exist"
        orphans_at_kill = {k: v for k, v in killed_objs.items() if k not in saved}
        # Each orphan is an object whose ApplyResourceChange was running when
        # the provider died (created, maybe tagged/registered, not yet returned).
        assert len(orphans_at_kill) <= PARALLELISM, orphans_at_kill

        # terraform apply again. An orphan baseline still holds its patch group
        # (one baseline per group and OS), so the new baseline's registration
        # fails: a clean error, and the new baseline is kept in state (tainted),
        # not orphaned.
        second = w.run("apply", "-auto-approve", "-no-color", *tfvars, expect=(0, 1))
        print("second apply exit %d, orphans at kill: %r" % (second.returncode, sorted(orphans_at_kill.values())))
        orphan_baselines = {k: v for k, v in orphans_at_kill.items() if k[0] == "baseline"}
        if second.returncode != 0:
            text = second.stdout + second.stderr
            assert orphan_baselines, "second apply failed without an orphan baseline:\n" + text[-3000:]
            assert "AlreadyExistsException" in text and "patch group" in text, text[-3000:]
        objs, st = _objects(emu), _state(w)
        assert set(st) <= set(objs)
        assert {k: v for k, v in objs.items() if k not in st} == orphans_at_kill, \
            "the re-run left new orphans"
        for k in saved:  # adopted, never re-created
            assert k in st, k

        # What the operator does about the orphans: delete them (a baseline
        # first gives its patch group back), then apply once more.
        for (kind, oid), _ in sorted(orphans_at_kill.items(), key=lambda kv: kv[0][0] != "task"):
            if kind == "baseline":
                b = emu.ssm("GetPatchBaseline", {"BaselineId": oid})
                for g in b.get("PatchGroups", []):
                    emu.ssm("DeregisterPatchBaselineForPatchGroup", {"BaselineId": oid, "PatchGroup": g})
                emu.ssm("DeletePatchBaseline", {"BaselineId": oid})
            elif kind == "window":
                emu.ssm("DeleteMaintenanceWindow", {"WindowId": oid})
        objs = _objects(emu)
        for k in list(orphans_at_kill):
            if k in objs:  # orphan targets/tasks of a saved window
                wid = next(w_ for (kd, w_) in st if kd == "window" and w_ in _window_of(emu, k))
                op = "DeregisterTargetFromMaintenanceWindow" if k[0] == "target" else \
                    "DeregisterTaskFromMaintenanceWindow"
                key = {"target": "WindowTargetId", "task": "WindowTaskId"}[k[0]]
                body = {"WindowId": wid, key: k[1]}
                if k[0] == "target":
                    body["Safe"] = False
                emu.ssm(op, body)

        w.run("apply", "-auto-approve", "-no-color", *tfvars)
        w.run("plan", "-detailed-exitcode", "-no-color", *tfvars)
        final, objs = _state(w), _objects(emu)
        assert len(final) == 12, final
        assert final == objs, "state and emulator differ after recovery"

        w.run("destroy", "-auto-approve", "-no-color", *tfvars)
        assert _objects(emu) == {}

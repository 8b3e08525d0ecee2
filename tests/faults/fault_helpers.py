"""fault_helpers.py - shared pieces of the crash and fault tests (tests/faults/).

The tests drive the provider binary through the test harness (tests/harness:
Provider speaks the plugin protocol exactly as Terraform does, Stack plans and
applies several resources in dependency order and keeps the states Terraform
would save) against the local SSM emulator (tests/emulator) with its fault
injection: latency, throttling, 5xx errors before or after commit, all drawn
from one seeded RNG so a run is repeatable.

The module has a unique name (not conftest) so pytest can collect several test
directories in one session.
"""

import json
import os
import re
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
for p in (os.path.join(REPO, "tests"), os.path.join(REPO, "tests", "emulator")):
    if p not in sys.path:
        sys.path.insert(0, p)

from emulator import DEFAULT_ACCESS_KEY, DEFAULT_ACCOUNT, DEFAULT_SECRET_KEY, Emulator  # noqa: E402,F401
from harness import seed  # noqa: E402
from harness.provider import Provider  # noqa: E402
from harness.wait import wait_for  # noqa: E402,F401

REGION = "us-east-1"
BUCKET = "ssmpatch-seed-output"

# type name -> inventory kind
KIND = {"ssmpatch_patch_baseline": "baseline", "ssmpatch_maintenance_window": "window",
        "ssmpatch_window_target": "target", "ssmpatch_window_task": "task"}

# The seed scenario's seven objects, per kind.
SEED_COUNTS = {"baseline": 2, "window": 1, "target": 2, "task": 2}


def start_provider(emu, protocol=6, max_retries=None, env=None):
    """A provider process configured for the emulator (static keys, endpoints)."""
    p = Provider(protocol=protocol, env=env)
    cfg = {"region": REGION, "access_key": DEFAULT_ACCESS_KEY, "secret_key": DEFAULT_SECRET_KEY,
           "endpoints": [{"ssm": emu.url, "sts": emu.url}]}
    if max_retries is not None:
        cfg["max_retries"] = max_retries
    p.configure(cfg)
    return p


def seed_stack(p, states=None):
    """The seed scenario as a Stack on provider p, starting from `states`
    (name -> State, what Terraform saved) when given."""
    s = seed.seed_stack(p, bucket=BUCKET)
    for n, st in (states or {}).items():
        if st is not None:
            s.states[n] = st
    return s


def inventory_objects(emu):
    """{(kind, id): name} of every object in the emulator's account/region."""
    inv = emu.inventory(DEFAULT_ACCOUNT, REGION)
    out = {}
    for bid, b in inv["patch_baselines"].items():
        out[("baseline", bid)] = b.get("Name")
    for wid, w in inv["maintenance_windows"].items():
        out[("window", wid)] = w.get("Name")
        for tid, t in (w.get("Targets") or {}).items():
            out[("target", tid)] = t.get("Name")
        for kid, k in (w.get("Tasks") or {}).items():
            out[("task", kid)] = k.get("Name")
    return out


def state_objects(stack):
    """{(kind, id): name} of every object in the stack's states."""
    out = {}
    for n, st in stack.states.items():
        if st is None:
            continue
        key = (KIND[stack.types[n]], st["id"])
        assert key not in out, "two states track the same object %s" % (key,)
        out[key] = st.get("name")
    return out


def counts(objs):
    c = {k: 0 for k in SEED_COUNTS}
    for kind, _ in objs:
        c[kind] += 1
    return c


def assert_converged(emu, stack):
    """Every object in the inventory is in the state and vice versa, and the
    state holds exactly the seed scenario (no duplicate, no orphan)."""
    inv = inventory_objects(emu)
    st = state_objects(stack)
    orphans = sorted(set(inv) - set(st))
    missing = sorted(set(st) - set(inv))
    assert not orphans, "objects in the emulator but not in state (orphans): %r" % [
        (k, inv[k]) for k in orphans]
    assert not missing, "objects in state but not in the emulator: %r" % missing
    assert counts(st) == SEED_COUNTS, counts(st)


def assert_all_noop(stack):
    """A second `terraform plan`: refresh + plan is a no-op for every object."""
    plans = stack.refresh_and_plan()
    for n, pl in plans.items():
        assert pl.action == "noop", "%s: planned %s after convergence" % (n, pl.action)
        stack.states[n] = pl.refreshed


def op_count(calls, op, what="count"):
    return calls.get("by_op", {}).get(op, {}).get(what, 0)


def ssm_attempts(p, op):
    """The provider's SSM attempts for `op` so far, from its debug log (the
    provider must run with TF_LOG=DEBUG): one dict per attempt, with
    "attempt" (1-based) and "error" (None on success)."""
    out = []
    for ln in list(p.plugin.stderr_lines):
        if not ln.startswith("{"):
            continue
        rec = json.loads(ln)
        m = re.match(r"^(\w+) attempt=(\d+) .*?(?:error=(\S+)|request_id)", rec.get("@message", ""))
        if rec.get("@module", "").startswith("provider.aws") and m and m.group(1) == op:
            out.append({"attempt": int(m.group(2)), "error": m.group(3)})
    return out


def retry_waits_ms(p, op):
    """The backoff waits (ms) the provider chose before retrying `op`."""
    return [int(m.group(1)) for m in (re.match(r"^%s: retrying in (\d+) ms" % op, json.loads(ln).get("@message", ""))
                                      for ln in list(p.plugin.stderr_lines) if ln.startswith("{")) if m]


SETTLED = ("ok", "errors", "api_errors", "validation_errors", "auth_errors", "throttled", "injected")


def wait_settled(emu, timeout=120):
    """Wait until the emulator has answered every SSM request it received
    (committed or failed): nothing is in flight any more."""
    def settled():
        for o in emu.calls().get("by_op", {}).values():
            if o.get("count", 0) > sum(o.get(k, 0) for k in SETTLED):
                return False
        return True
    wait_for(settled, timeout, "every request answered by the emulator")


class Background:
    """Run fn() in a thread; .join() returns its result or re-raises."""

    def __init__(self, fn):
        self.result = None
        self.error = None
        self.done_at = None
        self._t = threading.Thread(target=self._run, args=(fn,), daemon=True)
        self._t.start()

    def _run(self, fn):
        try:
            self.result = fn()
        except BaseException as e:  # noqa: B902 - handed to the test thread
            self.error = e
        self.done_at = time.monotonic()

    def join(self, timeout):
        self._t.join(timeout)
        assert not self._t.is_alive(), "background operation still running after %.1f s" % timeout
        return self

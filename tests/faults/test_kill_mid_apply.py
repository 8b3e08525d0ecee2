"""test_kill_mid_apply.py - the provider killed (SIGKILL) in the middle of an
apply of the seed scenario, then a fresh provider process re-runs plan/apply
from the state Terraform would have saved.

What the provider can honestly guarantee, and what this test checks:

* An object exists in AWS from the moment its Create call commits, but
  Terraform learns its ID only when ApplyResourceChange returns and then saves
  it. A kill between those two moments leaves an object no state knows: an
  orphan, in real Terraform with any provider.
* ClientToken (provider/resources/common.c res_client_token) is a random UUID
  made once per create and reused by every retry of that create inside the
  process (ssm_call resends the same body), so retries never duplicate (see
  test_throttle_5xx.py). A new process cannot know the dead one's token. A
  token derived only from the planned config would let the re-run adopt the
  orphan, but would also make a destroy-then-recreate of an identical object
  within AWS's token window return the deleted object's ID, so the provider
  does not do that, and this test does not ask for it.

So the checks are: (1) everything in the saved state still exists and the
re-run adopts it (nothing saved is created twice); (2) orphans are at most the
creates that were in flight at the kill: exactly the one in-flight
CreateMaintenanceWindow when the kill lands during it (harness applies are
sequential; with Terraform, at most `parallelism` objects), and none when the
kill lands between RPCs; (3) the re-run converges: a second plan is a no-op,
and destroy leaves nothing but the orphans.
"""

import os
import signal

import grpc
import pytest

from fault_helpers import (Emulator, assert_all_noop, assert_converged, inventory_objects,
                           op_count, seed_stack, start_provider, state_objects, wait_for,
                           wait_settled)
from harness.errors import OperationFailed

LATENCY_MS = 400


def _recover(emu, saved, protocol):
    """A new provider process: `terraform apply` from the saved state
    (refresh + plan + apply), then a second plan. Returns (provider, stack)."""
    p = start_provider(emu, protocol=protocol)
    s = seed_stack(p, saved)
    plans = s.refresh_and_plan()
    for n, pl in plans.items():
        if pl.refreshed is not None:
            s.states[n] = pl.refreshed
        else:
            assert n not in saved, "%s was saved but is gone after the kill" % n
    s.plans = plans
    s.apply()
    assert_all_noop(s)
    return p, s


def _kill(p):
    os.kill(p.plugin.proc.pid, signal.SIGKILL)
    p.plugin.proc.wait(timeout=10)


def test_kill_during_create_call(tmp_path):
    with Emulator(latency_ms=LATENCY_MS, seed=11) as emu:
        p1 = start_provider(emu, protocol=6)
        s1 = seed_stack(p1)
        s1.plan()
        err = {}

        def run():
            try:
                s1.apply()
            except (grpc.RpcError, OperationFailed) as e:
                err["e"] = e

        import threading
        t = threading.Thread(target=run, daemon=True)
        t.start()
        # The emulator counts a call before its latency sleep and commits after
        # it: kill while CreateMaintenanceWindow sleeps.
        wait_for(lambda: op_count(emu.calls(), "CreateMaintenanceWindow") >= 1, timeout=30)
        _kill(p1)
        t.join(30)
        assert not t.is_alive()
        assert "e" in err, "apply did not fail although the provider was killed"
        saved = {n: st for n, st in s1.states.items() if st is not None}
        p1.close()
        assert sorted(saved) == ["prd_baseline", "stg_baseline"], sorted(saved)

        wait_settled(emu)  # the in-flight creates commit (or fail) at the emulator
        emu.configure(latency_ms=0)
        before = inventory_objects(emu)
        orphans = {k: v for k, v in before.items() if k not in state_objects(s1)}
        assert list(orphans.values()) == ["patch-window-am2"], orphans

        p2, s2 = _recover(emu, saved, protocol=6)
        try:
            for n in saved:  # adopted, not re-created
                assert s2.states[n]["id"] == saved[n]["id"], n
            inv = inventory_objects(emu)
            st = state_objects(s2)
            assert set(st) <= set(inv)
            assert {k: inv[k] for k in set(inv) - set(st)} == orphans, \
                "orphans other than the in-flight create"
            s2.destroy()
            assert inventory_objects(emu) == orphans
        finally:
            p2.close()


def test_kill_between_rpcs():
    """Killed right after the window's ApplyResourceChange returned (its state
    saved) and before the next RPC: the re-run converges with no orphan."""
    with Emulator(latency_ms=50, seed=12) as emu:
        p1 = start_provider(emu, protocol=5)
        s1 = seed_stack(p1)
        s1.plan()
        real_apply = p1.apply

        def apply_then_die(type_name, cfg, prior_state=None, plan=None):
            st = real_apply(type_name, cfg, prior_state, plan=plan)
            if type_name == "ssmpatch_maintenance_window":
                _kill(p1)
            return st

        p1.apply = apply_then_die
        with pytest.raises((grpc.RpcError, OperationFailed)):
            s1.apply()
        saved = {n: st for n, st in s1.states.items() if st is not None}
        p1.close()
        assert sorted(saved) == ["prd_baseline", "stg_baseline", "window"], sorted(saved)
        emu.configure(latency_ms=0)

        p2, s2 = _recover(emu, saved, protocol=5)
        try:
            assert_converged(emu, s2)
            s2.destroy()
            assert inventory_objects(emu) == {}
        finally:
            p2.close()

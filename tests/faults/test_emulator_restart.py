"""test_emulator_restart.py - the SSM endpoint goes away in the middle of a run
and comes back.

The emulator keeps its state in memory only (no persistence option), so a
restart loses every object: the provider must then (1) report connection
errors cleanly while nothing listens (an error diagnostic naming the network
failure, no crash, the process still answering), (2) retry connection errors
with backoff, so an apply that starts while the endpoint is down succeeds once
it is back within max_retries, creating the object exactly once, and (3) on the
next refresh see that the objects created before the restart are gone (Read
returns null, state dropped) and plan them for creation, converging again.
"""

from fault_helpers import (Background, Emulator, assert_all_noop, inventory_objects, op_count,
                           retry_waits_ms, seed_stack, ssm_attempts, start_provider, state_objects,
                           wait_for)
from harness import seed
from harness.errors import OperationFailed, errors_of


def _restart(port, **kw):
    # server.py takes the last --port given: bind the port the provider knows.
    return Emulator(extra_args=["--port", str(port)], **kw).start()


def test_endpoint_down_reports_connection_error():
    emu = Emulator(seed=31).start()
    p = start_provider(emu, protocol=6, max_retries=2, env={"TF_LOG": "DEBUG"})
    try:
        st = p.apply("ssmpatch_patch_baseline", seed.baseline("STG", 1))
        emu.stop()  # nothing listens on the port any more

        try:
            p.apply("ssmpatch_maintenance_window", seed.window())
            raise AssertionError("apply succeeded with the endpoint down")
        except OperationFailed as e:
            errs = errors_of(e.diagnostics)
            assert e.state is None  # nothing was created
        # max_retries=2: three attempts, all failed, with short backoff waits
        # (the provider's own choice, read from its log: no clock involved).
        attempts = ssm_attempts(p, "CreateMaintenanceWindow")
        assert [a["attempt"] for a in attempts] == [1, 2, 3], attempts
        assert all(a["error"] for a in attempts), attempts
        waits = retry_waits_ms(p, "CreateMaintenanceWindow")
        assert len(waits) == 2 and waits[0] <= 100 and waits[1] <= 200, waits  # full jitter, 100 ms base
        text = " ".join("%s %s" % (d.summary, d.detail) for d in errs).lower()
        assert any(w in text for w in ("connect", "network", "unreachable", "refused")), errs

        # A refresh while down is an error too, but the prior state is kept.
        try:
            got = p.refresh("ssmpatch_patch_baseline", st)
            raise AssertionError("refresh succeeded with the endpoint down: %r" % (got,))
        except OperationFailed as e:
            assert errors_of(e.diagnostics)
        assert p.get_schema() is not None  # still alive
    finally:
        p.close()
        emu.stop()


def test_restart_mid_run_retries_until_back():
    emu = Emulator(seed=32).start()
    port = emu.port
    p = start_provider(emu, protocol=6, env={"TF_LOG": "DEBUG"})  # default max_retries (10)
    emu2 = None
    try:
        s = seed_stack(p)
        st = p.apply("ssmpatch_patch_baseline", seed.baseline("STG", 1))
        s.states["stg_baseline"] = st
        emu.stop()

        bg = Background(lambda: p.apply("ssmpatch_maintenance_window", seed.window()))
        wait_for(lambda: len(ssm_attempts(p, "CreateMaintenanceWindow")) >= 3, timeout=60,
                 what="three failed connection attempts")
        assert bg.done_at is None, "apply gave up after %d attempts: %r" % (
            len(ssm_attempts(p, "CreateMaintenanceWindow")), bg.error)
        emu2 = _restart(port, seed=33)
        bg.join(45)
        assert bg.error is None, "apply failed after the endpoint came back: %r" % bg.error
        s.states["window"] = bg.result
        calls = emu2.calls()
        assert op_count(calls, "CreateMaintenanceWindow") == 1, calls["by_op"]
        assert list(inventory_objects(emu2).values()) == ["patch-window-am2"]

        # The restart lost the baseline: the refresh drops it, the plan re-creates it.
        plans = s.refresh_and_plan()
        assert plans["stg_baseline"].refreshed is None
        assert plans["stg_baseline"].action == "create"
        assert plans["window"].action == "noop"
        for n, pl in plans.items():
            if pl.refreshed is None:
                s.states.pop(n, None)
            else:
                s.states[n] = pl.refreshed
        s.plans = plans
        s.apply()
        assert_all_noop(s)
        inv, sto = inventory_objects(emu2), state_objects(s)
        assert inv == sto, (inv, sto)
        s.destroy()
        assert inventory_objects(emu2) == {}
    finally:
        p.close()
        if emu2:
            emu2.stop()
        emu.stop()

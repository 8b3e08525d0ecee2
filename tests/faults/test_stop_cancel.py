"""test_stop_cancel.py - Stop (protocol 5) / StopProvider (protocol 6) in the
middle of a slow apply or read: what Terraform sends on Ctrl-C.

The rule (provider/aws/aws.h, README "Ctrl-C"): a mutating SSM request already
on the wire finishes (bounded by its timeout) and its answer is returned, so a
created object reaches the state; waits, retries and requests not yet sent are
cancelled; a read in flight is aborted at once.

Every assertion is about events seen by the emulator, which holds each SSM
call for 5 s: Stop answers while the create is still held there; the apply
then returns the created baseline (its ID in the partial state, the object in
the emulator) with an error naming the Stop, and sends nothing after it (the
patch group registration never reaches the emulator). A read in flight returns
cancelled before the emulator has answered it.
"""

import pytest

from fault_helpers import Background, Emulator, op_count, start_provider, wait_for
from harness import seed
from harness.errors import OperationFailed, errors_of

LATENCY_MS = 5000


def _cancel_text(diags):
    errs = errors_of(diags)
    return " ".join("%s %s" % (d.summary, d.detail) for d in errs).lower()


@pytest.mark.parametrize("protocol", [5, 6])
def test_stop_lets_the_sent_create_finish_into_state(protocol):
    with Emulator(latency_ms=LATENCY_MS, seed=21) as emu:
        p = start_provider(emu, protocol=protocol)
        try:
            cfg = seed.baseline("STG", 1)  # patch_groups = ["STG"]: a second call after the create
            plan = p.plan("ssmpatch_patch_baseline", cfg)
            assert plan.action == "create"
            bg = Background(lambda: p.apply("ssmpatch_patch_baseline", cfg, plan=plan))
            wait_for(lambda: op_count(emu.calls(), "CreatePatchBaseline") >= 1, timeout=30)

            err = p.stop(timeout=10)
            assert err == "", "Stop answered with an error: %r" % err
            # Stop answered without waiting for the work in flight.
            assert op_count(emu.calls(), "CreatePatchBaseline", "ok") == 0

            bg.join(60)
            assert isinstance(bg.error, OperationFailed), "apply did not fail: %r" % (bg.error or bg.result)
            text = _cancel_text(bg.error.diagnostics)
            assert "cancel" in text or "stop" in text, bg.error.diagnostics
            # The create finished and its object is in the state Terraform keeps.
            calls = emu.calls()
            assert op_count(calls, "CreatePatchBaseline", "ok") == 1
            baselines = emu.inventory(emu.account, emu.region)["patch_baselines"]
            assert list(baselines) == [bg.error.state["id"]], (baselines, bg.error.state)
            # Nothing was sent after Stop.
            assert op_count(calls, "RegisterPatchBaselineForPatchGroup") == 0
            assert calls["total"] == 1, calls

            # Still alive and answering after the stop.
            assert p.get_schema() is not None
        finally:
            p.close()


@pytest.mark.parametrize("protocol", [5, 6])
def test_stop_aborts_a_read_in_flight(protocol):
    with Emulator(latency_ms=0, seed=22) as emu:
        p = start_provider(emu, protocol=protocol)
        try:
            state = p.apply("ssmpatch_maintenance_window", seed.window())
            emu.configure(latency_ms=60000)
            before = op_count(emu.calls(), "GetMaintenanceWindow")
            bg = Background(lambda: p.read("ssmpatch_maintenance_window", state))
            wait_for(lambda: op_count(emu.calls(), "GetMaintenanceWindow") > before, timeout=30)
            assert p.stop(timeout=10) == ""
            bg.join(30)
            # Returned cancelled while the emulator still held the request.
            assert op_count(emu.calls(), "GetMaintenanceWindow", "ok") == before
            assert isinstance(bg.error, OperationFailed), bg.result
            assert "cancel" in _cancel_text(bg.error.diagnostics), bg.error.diagnostics
        finally:
            emu.configure(latency_ms=0)
            p.close()

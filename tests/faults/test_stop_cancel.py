"""test_stop_cancel.py - Stop (protocol 5) / StopProvider (protocol 6) in the
middle of a slow apply.

The emulator holds every SSM call for 60 s. While the create of a patch
baseline waits for its answer (the emulator has counted it), Terraform's Stop
arrives (what Ctrl-C does): the Stop RPC answers while the request is still
held, the in-flight HTTP request is aborted (aws_cancel_all), and the
ApplyResourceChange returns with an error diagnostic that says it was
cancelled - all well inside the hold, so none of it can come from the request
finishing. The provider stays cancelled afterwards (a stopped provider is
only ever shut down), but it still answers RPCs.
"""

import pytest

from fault_helpers import Background, Emulator, op_count, start_provider, wait_for
from harness import seed
from harness.errors import OperationFailed, errors_of

LATENCY_MS = 60000  # far past every wait below: nothing here can finish by the hold ending
WAIT_S = 20


@pytest.mark.parametrize("protocol", [5, 6])
def test_stop_during_slow_apply(protocol):
    with Emulator(latency_ms=LATENCY_MS, seed=21) as emu:
        p = start_provider(emu, protocol=protocol)
        try:
            cfg = seed.baseline("STG", 1)
            plan = p.plan("ssmpatch_patch_baseline", cfg)
            assert plan.action == "create"
            bg = Background(lambda: p.apply("ssmpatch_patch_baseline", cfg, plan=plan))
            wait_for(lambda: op_count(emu.calls(), "CreatePatchBaseline") >= 1, timeout=WAIT_S,
                     what="the create on the wire")

            err = p.stop(timeout=WAIT_S)
            assert err == "", "Stop answered with an error: %r" % err
            bg.join(WAIT_S)
            assert isinstance(bg.error, OperationFailed), "apply did not fail: %r" % (bg.error or bg.result)
            errs = errors_of(bg.error.diagnostics)
            assert errs, bg.error.diagnostics
            text = " ".join("%s %s" % (d.summary, d.detail) for d in errs).lower()
            assert "cancel" in text, "no error diagnostic names the cancellation: %r" % errs

            # Still alive and answering after the stop.
            assert p.get_schema() is not None
        finally:
            p.close()

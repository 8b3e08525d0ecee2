"""test_throttle_5xx.py - the whole seed scenario under 30 % throttling and
10 % server errors (half of them after the mutation was committed).

Create (plan + apply in dependency order) -> refresh + plan is a no-op ->
destroy, with the emulator's seeded fault RNG (deterministic: the harness makes
its calls one at a time, so the draws fall on the same requests every run).
Checks: the run converges with exactly the seed scenario's seven objects (no
duplicate although creates were answered 5xx after they committed and were
retried: the retry resends the same ClientToken, which the emulator, like
AWS, answers with the first result), nothing is left after destroy, and the
number of calls stays within the retry bound: per operation, attempts <=
(max_retries + 1) x completed calls, with max_retries at its default of 10.
"""

import pytest

from fault_helpers import (Emulator, assert_all_noop, assert_converged, inventory_objects,
                           seed_stack, start_provider)

MAX_RETRIES = 10  # the provider's default (docs/resources.md)
CREATES = ("CreatePatchBaseline", "CreateMaintenanceWindow", "RegisterTargetWithMaintenanceWindow",
           "RegisterTaskWithMaintenanceWindow")


def _final(o):
    """Calls that completed: answered by the API (success or an API error)."""
    return o.get("ok", 0) + o.get("api_errors", 0) + o.get("validation_errors", 0) + \
        o.get("auth_errors", 0)


@pytest.mark.parametrize("protocol,seed", [(6, 41), (5, 42)])
def test_seed_scenario_converges_under_faults(protocol, seed):
    with Emulator(throttle_rate=0.3, error_rate=0.1, seed=seed) as emu:
        p = start_provider(emu, protocol=protocol)
        try:
            # On top of the random faults, each kind of create is answered 500
            # after it committed (one-shot injections, used up by the next 3
            # attempts of that operation; a throttled attempt uses one up too),
            # so the ClientToken path is exercised whatever the seed draws.
            emu.configure(inject=[{"op": op, "status": 500, "after_commit": True, "times": 3}
                                  for op in CREATES])
            s = seed_stack(p)
            s.plan()
            s.apply()
            assert_converged(emu, s)
            assert_all_noop(s)
            assert_converged(emu, s)
            s.destroy()
            assert inventory_objects(emu) == {}

            calls = emu.calls()
            assert calls["throttled"] > 0 and calls["errors"] > 0, calls
            for op in CREATES:
                assert calls["by_op"][op]["injected"] >= 1, (op, calls["by_op"][op])
            for op, o in calls["by_op"].items():
                done = _final(o)
                assert done > 0, "%s never completed: %r" % (op, o)
                assert o["count"] <= (MAX_RETRIES + 1) * done, (op, o)
                assert o["count"] == done + o.get("throttled", 0) + o.get("errors", 0) + \
                    o.get("injected", 0), (op, o)
        finally:
            p.close()

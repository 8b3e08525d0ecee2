"""Issue 3's fault loop: with the emulator throttling 30% of calls and failing
10% (500/503/HTML 502, half of them AFTER the change is committed, as happens
in real life), 100 create/read/delete cycles of a maintenance window through
the provider (driven as Terraform drives it, tests/harness) finish with no
error, no duplicate object and an empty inventory, and the number of calls
stays within the retry bound.

What makes that work: every create carries a ClientToken, so a create retried
after a 5xx that had in fact been committed returns the same window instead of
a second one; a delete retried after a committed delete finds nothing and
counts as success; reads are plain retries.

Emulator-only (fault injection). Deterministic: the emulator's fault generator
is seeded. Run: /usr/bin/python3 -m pytest tests/e2e/test_fault_cycles.py
"""
import pytest

from harness.provider import Provider

MW = "ssmpatch_maintenance_window"
CYCLES = 100
MAX_RETRIES = 10


def cycle(p, ep, i):
    cfg = {"name": ep.name("fault-%03d" % i), "schedule": "cron(00 17 * * ? *)",
           "duration": 1, "cutoff": 0}
    state = p.apply(MW, cfg)
    assert state["id"].startswith("mw-")
    assert p.read(MW, state)["name"] == cfg["name"]
    assert p.destroy(MW, state) is None
    return state["id"]


def count_ops(calls):
    return {op: c["count"] for op, c in calls["by_op"].items()}


def test_create_read_delete_cycles_converge_under_faults(ep):
    ep.requires_emulator("fault injection")
    emu = ep.emulator
    p = Provider(protocol=6)
    try:
        p.configure(ep.provider_config(max_retries=MAX_RETRIES))

        # The same work without faults: how many calls one cycle needs.
        emu.configure(throttle_rate=0.0, error_rate=0.0)
        emu.reset(state=False, calls=True)
        cycle(p, ep, 0)
        clean = emu.calls()["total"]
        assert clean > 0

        emu.configure(throttle_rate=0.3, error_rate=0.1, seed=20261129)
        emu.reset(state=False, calls=True)
        ids = [cycle(p, ep, i) for i in range(1, CYCLES + 1)]
        calls = emu.calls()
    finally:
        emu.configure(throttle_rate=0.0, error_rate=0.0)
        p.close()

    print("fault cycles: %d calls (%d without faults), %d throttled, %d errors (%d after commit)"
          % (calls["total"], CYCLES * clean, calls["throttled"], calls["errors"],
             calls["errors_after_commit"]))
    assert len(set(ids)) == CYCLES, "a create returned an ID twice"
    assert calls["throttled"] > 0 and calls["errors"] > 0 and calls["errors_after_commit"] > 0, calls
    # No duplicate, nothing left: the emulator holds no window at all.
    assert ep.count(emu.inventory(), "windows") == 0, emu.inventory()
    # Every logical call is tried at most 1 + max_retries times...
    assert calls["total"] <= CYCLES * clean * (1 + MAX_RETRIES), calls
    # ...and with 40% of attempts failing, about 1/0.6 attempts per call are
    # expected; well under 3x means no retry storm.
    assert calls["total"] < 3 * CYCLES * clean, (calls["total"], CYCLES * clean, count_ops(calls))

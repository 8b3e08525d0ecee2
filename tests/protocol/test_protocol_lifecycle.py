"""The seed scenario through the whole resource lifecycle, each step checked as
Terraform core checks it (harness.provider): plan with unknown references,
apply in dependency order with final plans, a second plan that is empty,
drift, in-place update, replacement, import, destroy."""

import uuid

import pytest

from harness import cty
from harness.seed import seed_stack

IMPORT_ID = {
    "ssmpatch_patch_baseline": lambda st: st["id"],
    "ssmpatch_maintenance_window": lambda st: st["id"],
    "ssmpatch_window_target": lambda st: "%s/%s" % (st["window_id"], st["id"]),
    "ssmpatch_window_task": lambda st: "%s/%s" % (st["window_id"], st["id"]),
}


@pytest.fixture(params=[5, 6], ids=["v5", "v6"])
def prov(start, ssm, request):
    p = start(protocol=request.param)
    p.configure(ssm.provider_config())
    return p


@pytest.fixture
def seed(prov):
    s = seed_stack(prov, bucket="seed-output-bucket", prefix="h%s-" % uuid.uuid4().hex[:6])
    yield s
    s.destroy()


def test_seed_plan_apply_replan(seed, ssm):
    plans = seed.plan()
    assert {n: p.action for n, p in plans.items()} == {n: "create" for n in seed.order}
    # references to objects not created yet are unknown in the plan
    assert cty.is_unknown(plans["target_scan"].planned["window_id"])
    assert cty.is_unknown(plans["task_scan"].planned["targets"][0]["values"][0])
    states = seed.apply()
    assert states["target_scan"]["window_id"] == states["window"]["id"]
    assert states["task_install"]["targets"][0]["values"] == [states["target_install"]["id"]]
    assert states["stg_baseline"]["arn"].endswith("patchbaseline/" + states["stg_baseline"]["id"])
    second = seed.refresh_and_plan()
    changed = {n: p.action for n, p in second.items() if p.action != "noop"}
    assert not changed, "second plan not empty: %s" % changed
    if ssm.emulator is not None:
        inv = ssm.emulator.inventory(ssm.emulator.account)
        assert states["window"]["id"] in inv["maintenance_windows"]


def test_seed_import_matches(seed, prov):
    seed.apply()
    for n in seed.order:
        t = seed.types[n]
        st = seed.states[n]
        imported = prov.import_state(t, IMPORT_ID[t](st))
        from harness.stack import resolve
        cfg = resolve(seed.configs[n], seed.states)
        plan = prov.plan(t, cfg, imported)
        assert plan.action == "noop", "%s: plan after import is %s: %s" % (
            n, plan.action, _diff(prov.block(t), imported, plan.planned))


def _diff(block, a, b):
    out = []
    for k, t in block.implied_type().attrs.items():
        if cty.equals(t, a.get(k), b.get(k)) is not True:
            out.append("%s: %r -> %r" % (k, a.get(k), b.get(k)))
    return "; ".join(out)


def test_update_in_place_and_replace(prov):
    name = "h%s-mw" % uuid.uuid4().hex[:6]
    cfg = {"name": name, "schedule": "cron(00 17 * * ? *)", "duration": 2, "cutoff": 1}
    st = prov.apply("ssmpatch_maintenance_window", cfg)
    try:
        cfg2 = dict(cfg, description="changed", enabled=False)
        plan = prov.plan("ssmpatch_maintenance_window", cfg2, st)
        assert plan.action == "update"
        st2 = prov.apply("ssmpatch_maintenance_window", cfg2, st)
        assert st2["id"] == st["id"] and st2["enabled"] is False
        assert prov.refresh_and_plan("ssmpatch_maintenance_window", cfg2, st2).action == "noop"
        st = st2
    finally:
        prov.destroy("ssmpatch_maintenance_window", st)

    bcfg = {"name": "h%s-bl" % uuid.uuid4().hex[:6], "operating_system": "AMAZON_LINUX_2",
            "approval_rule": [{"approve_after_days": 7,
                               "patch_filter": [{"key": "CLASSIFICATION", "values": ["Security"]}]}]}
    bst = prov.apply("ssmpatch_patch_baseline", bcfg)
    try:
        bcfg2 = dict(bcfg, operating_system="AMAZON_LINUX")
        plan = prov.plan("ssmpatch_patch_baseline", bcfg2, bst)
        assert plan.action == "replace" and "operating_system" in plan.replace_paths
        bst2 = prov.apply("ssmpatch_patch_baseline", bcfg2, bst)
        assert bst2["id"] != bst["id"]
        assert prov.read("ssmpatch_patch_baseline", bst) is None
        bst = bst2
    finally:
        prov.destroy("ssmpatch_patch_baseline", bst)


def test_drift_deleted_outside(prov, emulator):
    cfg = {"name": "h%s-mw" % uuid.uuid4().hex[:6], "schedule": "rate(2 days)", "duration": 2, "cutoff": 1}
    st = prov.apply("ssmpatch_maintenance_window", cfg)
    emulator.ssm("DeleteMaintenanceWindow", {"WindowId": st["id"]})
    plan = prov.refresh_and_plan("ssmpatch_maintenance_window", cfg, st)
    assert plan.refreshed is None and plan.action == "create"
    # deleting an object that is already gone succeeds
    prov.destroy("ssmpatch_maintenance_window", st)


def test_drift_changed_outside(prov, emulator):
    cfg = {"name": "h%s-mw" % uuid.uuid4().hex[:6], "schedule": "rate(2 days)", "duration": 2, "cutoff": 1}
    st = prov.apply("ssmpatch_maintenance_window", cfg)
    try:
        emulator.ssm("UpdateMaintenanceWindow", {"WindowId": st["id"], "Duration": 5})
        plan = prov.refresh_and_plan("ssmpatch_maintenance_window", cfg, st)
        assert plan.refreshed["duration"] == 5
        assert plan.action == "update" and plan.planned["duration"] == 2
        st = prov.apply("ssmpatch_maintenance_window", cfg, plan.refreshed)
    finally:
        prov.destroy("ssmpatch_maintenance_window", st)


def test_import_bad_ids_explain_format(prov):
    for t, bad in (("ssmpatch_patch_baseline", "not-a-baseline"), ("ssmpatch_window_target", "mw-123"),
                   ("ssmpatch_window_task", "just-one-part")):
        from harness.errors import OperationFailed
        with pytest.raises(OperationFailed) as ei:
            prov.import_state(t, bad)
        text = " ".join(d.summary + " " + d.detail for d in ei.value.diagnostics)
        assert "/" in text or "pb-" in text, "%s: diagnostic does not show the expected format: %s" % (t, text)

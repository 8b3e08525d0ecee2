"""Plan/apply/upgrade details Terraform users notice: contract defaults filled
at plan time, tags_all, sets and parameter order never causing diffs, state
upgrade from older or partial JSON, secrets kept out of the log."""

import json
import uuid

import pytest

from harness import cty
from harness.errors import OperationFailed
from harness.schema import unknown_variants

MIN = {
    "ssmpatch_patch_baseline": {"name": "bl-min"},
    "ssmpatch_maintenance_window": {"name": "mw-min", "schedule": "rate(2 days)", "duration": 2, "cutoff": 1},
    "ssmpatch_window_target": {"window_id": "mw-0123456789abcdef0", "resource_type": "INSTANCE",
                               "targets": [{"key": "tag:Env", "values": ["stg"]}]},
    # Targetless: only AUTOMATION, LAMBDA and STEP_FUNCTIONS tasks may be.
    "ssmpatch_window_task": {"window_id": "mw-0123456789abcdef0", "task_type": "AUTOMATION",
                             "task_arn": "AWS-RestartEC2Instance"},
}


def _uniq(s):
    return "h%s-%s" % (uuid.uuid4().hex[:6], s)


@pytest.fixture
def prov(start, ssm):
    p = start(protocol=6, env={"TF_LOG": "TRACE"})
    p.configure(ssm.provider_config())
    return p


def _default_value(text, ty):
    if ty.kind == "bool":
        return text == "true"
    if ty.kind == "number":
        return int(text)
    return text


@pytest.mark.parametrize("type_name", sorted(MIN))
def test_contract_defaults_planned(prov, contract, type_name):
    entries = contract.get(type_name, {})
    plan = prov.plan(type_name, MIN[type_name])
    assert plan.action == "create", plan.diagnostics
    blk = prov.block(type_name)
    wrong = []
    for n, e in entries.items():
        if e.default is None or n in MIN[type_name]:
            continue
        want = _default_value(e.default, blk.attributes[n].type)
        got = plan.planned[n]
        if cty.is_unknown(got) or cty.equals(blk.attributes[n].type, got, want) is not True:
            wrong.append("%s: planned %r, contract default %r" % (n, got, want))
    assert not wrong, "\n".join(wrong)


def test_tags_all_merges_default_tags(start, ssm):
    p = start(protocol=6)
    p.configure(ssm.provider_config(default_tags=[{"tags": {"team": "ops", "env": "default"}}]))
    cfg = {"name": _uniq("mw"), "schedule": "rate(2 days)", "duration": 2, "cutoff": 1,
           "tags": {"env": "stg", "app": "patch"}}
    plan = p.plan("ssmpatch_maintenance_window", cfg)
    want = {"team": "ops", "env": "stg", "app": "patch"}
    assert plan.planned["tags_all"] == want or cty.is_unknown(plan.planned["tags_all"])
    st = p.apply("ssmpatch_maintenance_window", cfg)
    try:
        assert st["tags_all"] == want
        assert st["tags"] == {"env": "stg", "app": "patch"}
        assert p.refresh_and_plan("ssmpatch_maintenance_window", cfg, st).action == "noop"
    finally:
        p.destroy("ssmpatch_maintenance_window", st)


def test_set_order_never_diffs(prov):
    cfg = {"name": _uniq("bl"), "operating_system": "AMAZON_LINUX_2",
           "patch_groups": ["b-group", "a-group", "c-group"], "approved_patches": ["kernel", "bash"],
           "approval_rule": [{"approve_after_days": 3,
                              "patch_filter": [{"key": "CLASSIFICATION", "values": ["Security"]}]}]}
    st = prov.apply("ssmpatch_patch_baseline", cfg)
    try:
        cfg2 = dict(cfg, patch_groups=["c-group", "a-group", "b-group"], approved_patches=["bash", "kernel"])
        assert prov.refresh_and_plan("ssmpatch_patch_baseline", cfg2, st).action == "noop"
    finally:
        prov.destroy("ssmpatch_patch_baseline", st)


def test_task_parameter_order_never_diffs(prov):
    params = [{"name": "Operation", "values": ["Scan"]}, {"name": "RebootOption", "values": ["NoReboot"]}]
    with prov.applied("ssmpatch_maintenance_window", {"name": _uniq("mw"), "schedule": "rate(2 days)",
                                                      "duration": 2, "cutoff": 1,
                                                      "allow_unassociated_targets": True}) as mw:
        cfg = {"window_id": mw["id"], "task_type": "RUN_COMMAND", "task_arn": "AWS-RunPatchBaseline",
               "targets": [{"key": "InstanceIds", "values": ["i-0123456789abcdef0"]}],
               "max_concurrency": "1", "max_errors": "0",
               "task_invocation_parameters": [{"run_command_parameters": [{"parameter": params,
                                                                           "timeout_seconds": 600}]}]}
        with prov.applied("ssmpatch_window_task", cfg) as task:
            cfg2 = json.loads(json.dumps(cfg))
            cfg2["task_invocation_parameters"][0]["run_command_parameters"][0]["parameter"] = list(reversed(params))
            assert prov.refresh_and_plan("ssmpatch_window_task", cfg2, task).action == "noop"


def test_upgrade_partial_and_extra_json(prov):
    """State JSON written by another provider version: attributes missing
    (null-filled) — and the current version's own JSON round-trips."""
    st = prov.apply("ssmpatch_maintenance_window", {"name": _uniq("mw"), "schedule": "rate(2 days)",
                                                    "duration": 2, "cutoff": 1})
    try:
        blk = prov.block("ssmpatch_maintenance_window")
        ty = blk.implied_type()
        up = prov.upgrade("ssmpatch_maintenance_window", st)
        assert cty.equals(ty, dict(up), dict(st)) is True
        partial = {k: v for k, v in json.loads(cty.to_json(ty, dict(st))).items()
                   if k in ("id", "name", "schedule", "duration", "cutoff")}
        up = prov.upgrade("ssmpatch_maintenance_window", st, raw_json=json.dumps(partial).encode())
        assert up["id"] == st["id"] and up["description"] is None
        assert prov.read("ssmpatch_maintenance_window", up)["id"] == st["id"]
    finally:
        prov.destroy("ssmpatch_maintenance_window", st)


def test_upgrade_flatmap_rejected(prov):
    req = prov.pb.UpgradeResourceState.Request(
        type_name="ssmpatch_maintenance_window", version=0,
        raw_state=prov.pb.RawState(flatmap={"id": "mw-1", "name": "x"}))
    resp = prov.rpc("UpgradeResourceState", req)
    assert any(d.severity == 1 for d in resp.diagnostics), "flatmap state accepted"


def test_secrets_not_logged_at_trace(prov):
    secret_owner = "OWNERsecret" + uuid.uuid4().hex
    secret_src = "[main]\nname=repo\npassword=SRCsecret" + uuid.uuid4().hex
    mw = prov.apply("ssmpatch_maintenance_window", {"name": _uniq("mw"), "schedule": "rate(2 days)",
                                                    "duration": 2, "cutoff": 1})
    tg = bl = None
    try:
        tg = prov.apply("ssmpatch_window_target", {"window_id": mw["id"], "resource_type": "INSTANCE",
                                                   "owner_information": secret_owner,
                                                   "targets": [{"key": "tag:Env", "values": ["stg"]}]})
        bl = prov.apply("ssmpatch_patch_baseline", {
            "name": _uniq("bl"), "operating_system": "AMAZON_LINUX_2",
            "source": [{"name": "repo1", "configuration": secret_src, "products": ["AmazonLinux2"]}],
            "approval_rule": [{"approve_after_days": 3,
                               "patch_filter": [{"key": "CLASSIFICATION", "values": ["Security"]}]}]})
    finally:
        for t, s in (("ssmpatch_patch_baseline", bl), ("ssmpatch_window_target", tg),
                     ("ssmpatch_maintenance_window", mw)):
            if s is not None:
                prov.destroy(t, s)
    log = prov.plugin.stderr_text()
    assert "OWNERsecret" not in log, "owner_information (sensitive) in the log"
    assert "SRCsecret" not in log, "source configuration (sensitive) in the log"
    assert "harness-secret" not in log and prov.plugin.env.get("AWS_SECRET_ACCESS_KEY", "zz-none") not in log


def test_apply_error_keeps_object(prov, emulator):
    """A failing create returns an error diagnostic and Terraform keeps what
    exists; a failure before anything exists leaves no state."""
    emulator.configure(error_rate=1.0)
    try:
        with pytest.raises(OperationFailed) as ei:
            prov.apply("ssmpatch_maintenance_window", {"name": _uniq("mw"), "schedule": "rate(2 days)",
                                                       "duration": 2, "cutoff": 1})
    finally:
        emulator.configure(error_rate=0.0)
    assert ei.value.state is None
    assert any("Maintenance" in d.summary or "Window" in d.summary or "SSM" in d.summary or d.detail
               for d in ei.value.diagnostics)


FULL = {
    "ssmpatch_patch_baseline": {"name": "bl-unk", "operating_system": "AMAZON_LINUX_2", "patch_groups": ["g"],
                                "approval_rule": [{"approve_after_days": 7, "compliance_level": "HIGH",
                                                   "patch_filter": [{"key": "CLASSIFICATION",
                                                                     "values": ["Security"]}]}],
                                "tags": {"a": "b"}},
    "ssmpatch_maintenance_window": {"name": "mw-unk", "schedule": "cron(0 2 ? * SUN *)", "duration": 3,
                                    "cutoff": 1, "enabled": True, "tags": {"a": "b"}},
    "ssmpatch_window_target": {"window_id": "mw-0123456789abcdef0", "resource_type": "INSTANCE", "name": "tg-unk",
                               "targets": [{"key": "tag:Env", "values": ["stg"]}]},
    "ssmpatch_window_task": {"window_id": "mw-0123456789abcdef0", "task_type": "RUN_COMMAND",
                             "task_arn": "AWS-RunPatchBaseline", "priority": 1,
                             "targets": [{"key": "WindowTargetIds",
                                          "values": ["e32eecb2-646c-4f4b-8ed1-205fb0123456"]}],
                             "max_concurrency": "50%", "max_errors": "50%",
                             "task_invocation_parameters": [{"run_command_parameters": [{
                                 "timeout_seconds": 600,
                                 "parameter": [{"name": "Operation", "values": ["Scan"]}]}]}]},
}


@pytest.mark.parametrize("type_name", sorted(FULL))
def test_plan_create_with_unknown_config_values(prov, type_name):
    """Every configurable value unknown in turn (a reference to an object not
    yet created): the plan must keep it unknown and pass AssertPlanValid."""
    blk = prov.block(type_name)
    problems = []
    for what, cfg in unknown_variants(blk, FULL[type_name]):
        try:
            plan = prov.plan(type_name, cfg)
        except AssertionError as e:
            problems.append("%s: %s" % (what, e))
            continue
        if plan.errors:
            problems.append("%s: %s" % (what, plan.errors))
    assert not problems, "\n".join(problems)


def test_empty_collections_round_trip(prov):
    """tags = {} and empty sets are not null: apply must return them as
    planned, and the next plan must be empty."""
    cfg = {"name": _uniq("bl"), "operating_system": "AMAZON_LINUX_2", "patch_groups": [],
           "approved_patches": [], "rejected_patches": [], "tags": {},
           "approval_rule": [{"approve_after_days": 3,
                              "patch_filter": [{"key": "CLASSIFICATION", "values": ["Security"]}]}]}
    st = prov.apply("ssmpatch_patch_baseline", cfg)
    try:
        assert prov.refresh_and_plan("ssmpatch_patch_baseline", cfg, st).action == "noop"
    finally:
        prov.destroy("ssmpatch_patch_baseline", st)
    mw = {"name": _uniq("mw"), "schedule": "rate(2 days)", "duration": 2, "cutoff": 1, "tags": {}}
    st = prov.apply("ssmpatch_maintenance_window", mw)
    try:
        assert prov.refresh_and_plan("ssmpatch_maintenance_window", mw, st).action == "noop"
    finally:
        prov.destroy("ssmpatch_maintenance_window", st)


def test_unicode_round_trip(prov):
    cfg = {"name": _uniq("mw"), "schedule": "rate(2 days)", "duration": 2, "cutoff": 1,
           "description": "パッチ適用 ✓ café", "tags": {"名前": "値 ü"}}
    st = prov.apply("ssmpatch_maintenance_window", cfg)
    try:
        assert st["description"] == cfg["description"] and st["tags"] == cfg["tags"]
        assert prov.refresh_and_plan("ssmpatch_maintenance_window", cfg, st).action == "noop"
    finally:
        prov.destroy("ssmpatch_maintenance_window", st)


def test_children_gone_with_their_window(prov, emulator):
    """Deleting the window outside Terraform removes its targets and tasks:
    ReadResource returns null for them (not an error)."""
    mw = prov.apply("ssmpatch_maintenance_window", {"name": _uniq("mw"), "schedule": "rate(2 days)",
                                                    "duration": 2, "cutoff": 1})
    tg = prov.apply("ssmpatch_window_target", {"window_id": mw["id"], "resource_type": "INSTANCE",
                                               "targets": [{"key": "tag:Env", "values": ["stg"]}]})
    tk = prov.apply("ssmpatch_window_task", {
        "window_id": mw["id"], "task_type": "RUN_COMMAND", "task_arn": "AWS-RunPatchBaseline",
        "targets": [{"key": "WindowTargetIds", "values": [tg["id"]]}], "max_concurrency": "1",
        "max_errors": "0"})
    emulator.ssm("DeleteMaintenanceWindow", {"WindowId": mw["id"]})
    assert prov.refresh("ssmpatch_window_target", tg) is None
    assert prov.refresh("ssmpatch_window_task", tk) is None
    prov.destroy("ssmpatch_window_task", tk)
    prov.destroy("ssmpatch_window_target", tg)
    prov.destroy("ssmpatch_maintenance_window", mw)


@pytest.mark.parametrize("type_name,import_id", [
    ("ssmpatch_patch_baseline", "pb-0123456789abcdef0"),
    ("ssmpatch_maintenance_window", "mw-0123456789abcdef0"),
    ("ssmpatch_window_target", "mw-0123456789abcdef0/e32eecb2-646c-4f4b-8ed1-205fb0123456"),
    ("ssmpatch_window_task", "mw-0123456789abcdef0/e32eecb2-646c-4f4b-8ed1-205fb0123456"),
])
def test_import_nonexistent(prov, type_name, import_id):
    from harness.errors import ImportFailed
    with pytest.raises((ImportFailed, OperationFailed)) as ei:
        prov.import_state(type_name, import_id)
    if isinstance(ei.value, ImportFailed):
        assert ei.value.summary == "Cannot import non-existent remote object"

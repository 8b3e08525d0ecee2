"""Every updatable argument changed in place, one at a time: the plan is an
update (not a replacement) that passes Terraform's checks, apply returns what
was planned, and the next plan is empty. Also the largest objects the limits
allow, and every task type."""

import uuid

import pytest


def _u(s):
    return "h%s-%s" % (uuid.uuid4().hex[:6], s)


@pytest.fixture
def prov(start, ssm):
    p = start(protocol=6)
    p.configure(ssm.provider_config())
    return p


def _cycle(p, type_name, base, changes):
    """Apply base, then each change in turn; returns problems."""
    problems = []
    st = p.apply(type_name, base)
    cfg = base
    try:
        for what, new_cfg in changes:
            plan = p.plan(type_name, new_cfg, st)
            if plan.errors:
                problems.append("%s: plan errors %s" % (what, plan.errors))
                continue
            if plan.action != "update":
                problems.append("%s: planned %s (replace paths %s)" % (what, plan.action, plan.replace_paths))
                continue
            try:
                st = p.apply(type_name, new_cfg, st)
            except AssertionError as e:
                problems.append("%s: %s" % (what, e))
                continue
            again = p.refresh_and_plan(type_name, new_cfg, st)
            if again.action != "noop":
                problems.append("%s: plan after apply is %s" % (what, again.action))
            cfg = new_cfg
    finally:
        p.destroy(type_name, st)
    assert cfg is not None
    return problems


def test_window_updates(prov):
    base = {"name": _u("mw"), "schedule": "cron(0 2 ? * SUN *)", "duration": 3, "cutoff": 1}
    ch = [("description", dict(base, description="first")),
          ("enabled", dict(base, description="first", enabled=False)),
          ("schedule", dict(base, schedule="cron(0 3 ? * MON *)")),
          ("duration/cutoff", dict(base, duration=5, cutoff=2)),
          ("allow_unassociated_targets", dict(base, allow_unassociated_targets=True)),
          ("schedule_timezone", dict(base, schedule_timezone="Asia/Tokyo")),
          ("schedule_offset", dict(base, schedule_offset=2)),
          ("dates", dict(base, start_date="2030-01-01T00:00:00Z", end_date="2031-01-01T00:00:00Z")),
          ("tags", dict(base, tags={"a": "1"})),
          ("tags changed", dict(base, tags={"a": "2", "b": "3"})),
          ("name", dict(base, name=base["name"] + "-x")),
          ("back to base", base)]
    problems = _cycle(prov, "ssmpatch_maintenance_window", base, ch)
    assert not problems, "\n".join(problems)


def test_baseline_updates(prov):
    rule = {"approve_after_days": 7, "patch_filter": [{"key": "CLASSIFICATION", "values": ["Security"]}]}
    base = {"name": _u("bl"), "operating_system": "AMAZON_LINUX_2", "approval_rule": [rule]}
    ch = [("description", dict(base, description="d")),
          ("patch_groups", dict(base, patch_groups=["g1", "g2"])),
          ("patch_groups changed", dict(base, patch_groups=["g2", "g3"])),
          ("approved_patches", dict(base, approved_patches=["kernel*"],
                                    approved_patches_compliance_level="HIGH",
                                    approved_patches_enable_non_security=True)),
          ("rejected_patches", dict(base, rejected_patches=["bash"], rejected_patches_action="BLOCK")),
          ("approval_rule changed", dict(base, approval_rule=[dict(rule, approve_after_days=14,
                                                                   compliance_level="CRITICAL")])),
          ("second rule", dict(base, approval_rule=[rule, {"approve_after_days": 30, "patch_filter": [
              {"key": "SEVERITY", "values": ["Important"]}]}])),
          ("global_filter", dict(base, global_filter=[{"key": "PRODUCT", "values": ["AmazonLinux2"]}])),
          ("source", dict(base, source=[{"name": "repo1", "configuration": "[main]\nname=r\n",
                                         "products": ["AmazonLinux2"]}])),
          ("default_baseline", dict(base, default_baseline=True)),
          ("default_baseline off", dict(base, default_baseline=False)),
          ("tags", dict(base, tags={"env": "stg"})),
          ("name", dict(base, name=base["name"] + "-x")),
          ("back to base", base)]
    problems = _cycle(prov, "ssmpatch_patch_baseline", base, ch)
    assert not problems, "\n".join(problems)


def test_target_and_task_updates(prov):
    mw = prov.apply("ssmpatch_maintenance_window", {"name": _u("mw"), "schedule": "rate(2 days)",
                                                    "duration": 2, "cutoff": 1,
                                                    "allow_unassociated_targets": True})
    try:
        tbase = {"window_id": mw["id"], "resource_type": "INSTANCE",
                 "targets": [{"key": "tag:Env", "values": ["stg"]}]}
        problems = _cycle(prov, "ssmpatch_window_target", tbase, [
            ("name", dict(tbase, name="tg-name")),
            ("description", dict(tbase, description="d")),
            ("owner_information", dict(tbase, owner_information="owner")),
            ("targets values", dict(tbase, targets=[{"key": "tag:Env", "values": ["stg", "prd"]}])),
            ("targets key", dict(tbase, targets=[{"key": "InstanceIds", "values": ["i-0123456789abcdef0"]}])),
            ("back", tbase)])
        kbase = {"window_id": mw["id"], "task_type": "RUN_COMMAND", "task_arn": "AWS-RunPatchBaseline",
                 "targets": [{"key": "InstanceIds", "values": ["i-0123456789abcdef0"]}],
                 "max_concurrency": "1", "max_errors": "0"}
        rc = {"timeout_seconds": 600, "parameter": [{"name": "Operation", "values": ["Scan"]}]}
        problems += _cycle(prov, "ssmpatch_window_task", kbase, [
            ("priority", dict(kbase, priority=5)),
            ("limits", dict(kbase, max_concurrency="50%", max_errors="10%")),
            ("name/description", dict(kbase, name="tk-name", description="d")),
            ("cutoff_behavior", dict(kbase, cutoff_behavior="CANCEL_TASK")),
            ("service_role_arn", dict(kbase, service_role_arn="arn:aws:iam::123456789012:role/x")),
            ("task_arn", dict(kbase, task_arn="AWS-RunShellScript")),
            ("parameters", dict(kbase, task_invocation_parameters=[{"run_command_parameters": [rc]}])),
            ("parameters changed", dict(kbase, task_invocation_parameters=[{"run_command_parameters": [
                dict(rc, comment="c", output_s3_bucket="bkt", output_s3_key_prefix="p/",
                     parameter=[{"name": "Operation", "values": ["Install"]},
                                {"name": "RebootOption", "values": ["NoReboot"]}])]}])),
            ("back", kbase)])
        assert not problems, "\n".join(problems)
    finally:
        prov.destroy("ssmpatch_maintenance_window", mw)


TASKS = {
    "AUTOMATION": ("AWS-RestartEC2Instance", [{"automation_parameters": [{
        "document_version": "$LATEST", "parameter": [{"name": "InstanceId", "values": ["i-0123456789abcdef0"]}]}]}]),
    "LAMBDA": ("arn:aws:lambda:us-east-1:123456789012:function:patch-fn", [{"lambda_parameters": [{
        "client_context": "eyJhIjoxfQ==", "payload": "{\"k\": 1}", "qualifier": "1"}]}]),
    "STEP_FUNCTIONS": ("arn:aws:states:us-east-1:123456789012:stateMachine:patch-sm", [{
        "step_functions_parameters": [{"input": "{\"k\": 1}", "name": "run1"}]}]),
}


@pytest.mark.parametrize("task_type", sorted(TASKS))
def test_task_types_lifecycle(prov, task_type):
    arn, params = TASKS[task_type]
    with prov.applied("ssmpatch_maintenance_window", {"name": _u("mw"), "schedule": "rate(2 days)",
                                                      "duration": 2, "cutoff": 1}) as mw:
        cfg = {"window_id": mw["id"], "task_type": task_type, "task_arn": arn, "priority": 2,
               "task_invocation_parameters": params}
        with prov.applied("ssmpatch_window_task", cfg) as st:
            assert prov.refresh_and_plan("ssmpatch_window_task", cfg, st).action == "noop"
            imported = prov.import_state("ssmpatch_window_task", "%s/%s" % (mw["id"], st["id"]))
            assert prov.plan("ssmpatch_window_task", cfg, imported).action == "noop"


def test_largest_baseline(prov):
    rules = [{"approve_after_days": i, "compliance_level": "HIGH",
              "patch_filter": [{"key": "CLASSIFICATION", "values": ["Security", "Bugfix"]},
                               {"key": "SEVERITY", "values": ["Critical", "Important", "Medium", "Low"]}]}
             for i in range(10)]
    cfg = {"name": _u("big") + "-" + "x" * 100, "operating_system": "AMAZON_LINUX_2",
           "description": "D" * 1024,
           "approved_patches": ["patch-%03d" % i for i in range(50)],
           "rejected_patches": ["reject-%03d" % i for i in range(50)],
           "patch_groups": ["group-%02d" % i for i in range(20)],
           "global_filter": [{"key": "PRODUCT", "values": ["AmazonLinux2"]}],
           "approval_rule": rules,
           "tags": {"k%02d" % i: "v" * 200 for i in range(40)}}
    st = prov.apply("ssmpatch_patch_baseline", cfg)
    try:
        assert len(st["approved_patches"]) == 50 and len(st["approval_rule"]) == 10
        assert prov.refresh_and_plan("ssmpatch_patch_baseline", cfg, st).action == "noop"
        imported = prov.import_state("ssmpatch_patch_baseline", st["id"])
        assert prov.plan("ssmpatch_patch_baseline", cfg, imported).action == "noop"
    finally:
        prov.destroy("ssmpatch_patch_baseline", st)

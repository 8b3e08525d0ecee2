"""test_seed_scenario.py - the seed article's design, end to end, on the provider
binary driven as Terraform drives it (tests/harness) against the SSM endpoint
of tests/ssm_endpoint.py - the local emulator (tests/emulator) or the endpoint
named by SSMPATCH_TEST_ENDPOINT - over plugin protocol 5 and 6. The article's
names (baselines, patch groups, window) carry the run's prefix.

The design (shared/seed/ssm-maintenance-window-patching.ja.txt): STG and PRD
Amazon Linux 2 patch baselines (Security Critical/Important, approved after 1
and 31 days, patch groups STG/PRD), the AM2 maintenance window
(cron(00 17 * * ? *), 1 hour, cutoff 0), the SCAN and INSTALL window targets
(tag:PatchWindowTaskAM2), and the two AWS-RunPatchBaseline tasks (Operation
Scan/Install, RebootOption NoReboot, 50%/50%, 1800 s, S3 output).

The run: plan the six objects with the IDs unknown (as Terraform's first plan
sees them), apply in dependency order with each final plan checked against the
first, plan again (no-op), then for each object in turn change one attribute
outside Terraform, check that a refresh + plan shows exactly that attribute as
an in-place update and nothing else, apply the repair, and end with destroy
and nothing of the run left on the endpoint (an empty emulator).

Run: /usr/bin/python3 -m pytest tests/e2e/test_seed_scenario.py
(needs build/terraform-provider-ssmpatch, or SSMPATCH_PROVIDER).
"""

from harness import cty
from harness.stack import Ref, Stack

TAG_KEY = "PatchWindowTaskAM2"


# ---------------------------------------------------------------- endpoint access

def ssm(ep, op, body):
    """An SSM call made outside Terraform (drift), signed like any client."""
    return ep.call(op, body)


# ---------------------------------------------------------------- the design

class Design:
    """The article's names, prefixed with the run's (ep.name) so that nothing
    of another run or of a real account is ever touched."""

    def __init__(self, ep):
        self.bucket = "patch-logs-%s" % ep.account
        self.baseline = {env: ep.name("%s-AL2Baseline" % env) for env in ("STG", "PRD")}
        self.group = {env: ep.name(env) for env in ("STG", "PRD")}
        self.window = ep.name("patch-window-am2")
        self.renamed = ep.name("STG-renamed-by-hand")


def baseline_cfg(d, env, days):
    def rule(level, severity):
        return {"approve_after_days": days, "compliance_level": level,
                "enable_non_security": False,
                "patch_filter": [{"key": "PRODUCT", "values": ["AmazonLinux2*"]},
                                 {"key": "CLASSIFICATION", "values": ["Security"]},
                                 {"key": "SEVERITY", "values": [severity]}]}
    return {"name": d.baseline[env], "operating_system": "AMAZON_LINUX_2",
            "patch_groups": [d.group[env]],
            "approval_rule": [rule("CRITICAL", "Critical"), rule("HIGH", "Important")]}


def window_cfg(d):
    return {"name": d.window, "schedule": "cron(00 17 * * ? *)", "duration": 1,
            "cutoff": 0, "allow_unassociated_targets": True}

KINDS = {"scan": ("SCAN", "Scan", "patch/window/scan/"),
         "install": ("INSTALL", "Install", "patch/window/install/")}


def target_cfg(kind, window_id):
    return {"window_id": window_id, "name": "PatchingTarget%s" % kind.title(),
            "resource_type": "INSTANCE",
            "targets": [{"key": "tag:" + TAG_KEY, "values": [KINDS[kind][0]]}]}


def task_cfg(d, kind, window_id, target_id):
    return {"window_id": window_id, "name": "PatchingTask%s" % kind.title(),
            "task_type": "RUN_COMMAND", "task_arn": "AWS-RunPatchBaseline", "priority": 1,
            "max_concurrency": "50%", "max_errors": "50%",
            "targets": [{"key": "WindowTargetIds", "values": [target_id]}],
            "task_invocation_parameters": [{"run_command_parameters": [{
                "timeout_seconds": 1800, "output_s3_bucket": d.bucket,
                "output_s3_key_prefix": KINDS[kind][2],
                "parameter": [{"name": "Operation", "values": [KINDS[kind][1]]},
                              {"name": "RebootOption", "values": ["NoReboot"]}]}]}]}


def seed_stack(p, d):
    s = Stack(p)
    s.add("stg", "ssmpatch_patch_baseline", baseline_cfg(d, "STG", 1))
    s.add("prd", "ssmpatch_patch_baseline", baseline_cfg(d, "PRD", 31))
    s.add("window", "ssmpatch_maintenance_window", window_cfg(d))
    for kind in KINDS:
        s.add("target_" + kind, "ssmpatch_window_target", target_cfg(kind, Ref("window", "id")))
    for kind in KINDS:
        s.add("task_" + kind, "ssmpatch_window_task",
              task_cfg(d, kind, Ref("window", "id"), Ref("target_" + kind, "id")))
    return s


# ---------------------------------------------------------------- checks

def changed_attrs(p, plan):
    """Top-level attributes/blocks whose planned value differs from the prior
    (or the plan's errors)."""
    if plan.action is None:
        return "errors: %r" % (plan.diagnostics,)
    ty = p.block(plan.type_name).implied_type()
    return sorted(n for n, t in ty.attrs.items()
                  if not cty.raw_equals(t, plan.prior.get(n), plan.planned.get(n)))


def assert_all_noop(s):
    plans = s.refresh_and_plan()
    for n, pl in plans.items():
        assert pl.action == "noop", "%s: %s, changed %s" % (n, pl.action, changed_attrs(s.p, pl))
        s.states[n] = pl.refreshed
    return plans


def repair(s, plans):
    """Apply the plans made from refreshed states (what `terraform apply` does)."""
    for n, pl in plans.items():
        s.states[n] = pl.refreshed
    s.plans = plans
    s.apply()


def _get_task(ep, st):
    return ssm(ep, "GetMaintenanceWindowTask",
               {"WindowId": st["window_id"], "WindowTaskId": st["id"]})


def _drift_prd_approval(ep, d, st):
    b = ssm(ep, "GetPatchBaseline", {"BaselineId": st["prd"]["id"]})
    rules = b["ApprovalRules"]
    rules["PatchRules"][0]["ApproveAfterDays"] = 7
    ssm(ep, "UpdatePatchBaseline", {"BaselineId": st["prd"]["id"], "ApprovalRules": rules})


def _drift_install_reboot(ep, d, st):
    t = _get_task(ep, st["task_install"])
    tip = t["TaskInvocationParameters"]
    tip["RunCommand"]["Parameters"]["RebootOption"] = ["RebootIfNeeded"]
    ssm(ep, "UpdateMaintenanceWindowTask", {"WindowId": t["WindowId"],
                                             "WindowTaskId": t["WindowTaskId"],
                                             "TaskInvocationParameters": tip})


# object -> (change made outside Terraform, the one attribute the plan must show)
DRIFTS = [
    ("stg", lambda ep, d, st: ssm(ep, "UpdatePatchBaseline",
                                {"BaselineId": st["stg"]["id"], "Name": d.renamed}),
     "name"),
    ("prd", _drift_prd_approval, "approval_rule"),
    ("window", lambda ep, d, st: ssm(ep, "UpdateMaintenanceWindow",
                                   {"WindowId": st["window"]["id"], "Duration": 3}),
     "duration"),
    ("target_scan", lambda ep, d, st: ssm(ep, "UpdateMaintenanceWindowTarget", {
        "WindowId": st["window"]["id"], "WindowTargetId": st["target_scan"]["id"],
        "Targets": [{"Key": "tag:" + TAG_KEY, "Values": ["SCAN", "SOMETHING-ELSE"]}]}),
     "targets"),
    ("target_install", lambda ep, d, st: ssm(ep, "UpdateMaintenanceWindowTarget", {
        "WindowId": st["window"]["id"], "WindowTargetId": st["target_install"]["id"],
        "Name": "renamed-by-hand"}),
     "name"),
    ("task_scan", lambda ep, d, st: ssm(ep, "UpdateMaintenanceWindowTask", {
        "WindowId": st["window"]["id"], "WindowTaskId": st["task_scan"]["id"],
        "MaxConcurrency": "10%"}),
     "max_concurrency"),
    ("task_install", _drift_install_reboot, "task_invocation_parameters"),
]


# ---------------------------------------------------------------- the scenario

def test_seed_scenario_end_to_end(provider, ep):
    d = Design(ep)
    s = seed_stack(provider, d)

    # First plan: everything is a create; what depends on objects not yet
    # created is unknown.
    plans = s.plan()
    assert {n: pl.action for n, pl in plans.items()} == {n: "create" for n in s.order}
    assert cty.is_unknown(plans["target_scan"].planned["window_id"])
    assert cty.is_unknown(plans["task_install"].planned["window_id"])
    vals = plans["task_scan"].planned["targets"][0]["values"]
    assert cty.is_unknown(vals) or cty.is_unknown(vals[0])
    for n in ("task_scan", "task_install"):
        assert cty.is_unknown(plans[n].planned["id"]) and cty.is_unknown(plans[n].planned["arn"])

    # Apply in dependency order; Stack checks every final plan against the first.
    st = s.apply()
    wid = st["window"]["id"]
    for kind in KINDS:
        task, target = st["task_" + kind], st["target_" + kind]
        assert task["window_id"] == wid and target["window_id"] == wid
        assert task["arn"] == "arn:aws:ssm:%s:%s:windowtask/%s" % (ep.region, ep.account, task["id"])
        assert task["targets"] == [{"key": "WindowTargetIds", "values": [target["id"]]}]
        assert task["priority"] == 1
        assert task["service_role_arn"].endswith("/AWSServiceRoleForAmazonSSM")
        assert target["targets"] == [{"key": "tag:" + TAG_KEY, "values": [KINDS[kind][0]]}]

    # What the endpoint holds (of this run) is the article's design.
    inv = ep.objects()
    assert set(inv["maintenance_windows"]) == {wid}
    w = inv["maintenance_windows"][wid]
    assert w["Schedule"] == "cron(00 17 * * ? *)" and w["Duration"] == 1 and w["Cutoff"] == 0
    assert len(w["Targets"]) == 2 and len(w["Tasks"]) == 2
    for kind in KINDS:
        t = w["Tasks"][st["task_" + kind]["id"]]
        rc = t["TaskInvocationParameters"]["RunCommand"]
        assert t["TaskArn"] == "AWS-RunPatchBaseline" and t["TaskType"] == "RUN_COMMAND"
        assert (t["MaxConcurrency"], t["MaxErrors"]) == ("50%", "50%")
        assert rc["Parameters"] == {"Operation": [KINDS[kind][1]], "RebootOption": ["NoReboot"]}
        assert rc["TimeoutSeconds"] == 1800
        assert (rc["OutputS3BucketName"], rc["OutputS3KeyPrefix"]) == (d.bucket, KINDS[kind][2])
        tg = w["Targets"][st["target_" + kind]["id"]]
        assert tg["Targets"] == [{"Key": "tag:" + TAG_KEY, "Values": [KINDS[kind][0]]}]
    assert set(inv["patch_baselines"]) == {st["stg"]["id"], st["prd"]["id"]}
    assert sorted((g["PatchGroup"], g["OperatingSystem"], g["BaselineId"]) for g in inv["patch_groups"]) == \
        sorted([(d.group["STG"], "AMAZON_LINUX_2", st["stg"]["id"]),
                (d.group["PRD"], "AMAZON_LINUX_2", st["prd"]["id"])])

    # A second plan changes nothing.
    assert_all_noop(s)

    # Drift in each object: exactly that attribute, then repaired.
    for name, make_drift, attr in DRIFTS:
        make_drift(ep, d, s.states)
        plans = s.refresh_and_plan()
        for n, pl in plans.items():
            if n == name:
                assert pl.action == "update", "%s drift planned as %s" % (n, pl.action)
                assert changed_attrs(provider, pl) == [attr], n
            else:
                assert pl.action == "noop", "%s: %s after drift in %s (changed %s)" % (
                    n, pl.action, name, changed_attrs(provider, pl))
        repair(s, plans)
        assert_all_noop(s)

    # The repairs reached the API.
    t = _get_task(ep, s.states["task_scan"])
    assert t["MaxConcurrency"] == "50%"
    t = _get_task(ep, s.states["task_install"])
    assert t["TaskInvocationParameters"]["RunCommand"]["Parameters"]["RebootOption"] == ["NoReboot"]

    s.destroy()
    inv = ep.objects()
    assert not inv["maintenance_windows"] and not inv["patch_baselines"], inv
    assert not inv["patch_groups"], inv
    ep.assert_clean()

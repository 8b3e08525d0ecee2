"""test_target_task.py - ssmpatch_window_target and ssmpatch_window_task end to
end: the provider binary driven as Terraform drives it (tests/harness) against
the SSM endpoint of tests/ssm_endpoint.py - the local emulator (tests/emulator)
or the endpoint named by SSMPATCH_TEST_ENDPOINT - over plugin protocol 5 and 6.
Windows are named with the run's prefix; what exists is read with ep.objects().

Covered:
- every task_invocation_parameters variant (Run Command with notification and
  CloudWatch settings, Automation, Lambda with a plain-text payload, Step
  Functions) round-trips with no diff; reordered parameter blocks plan nothing;
- moving a task from the SCAN target to the INSTALL target is an in-place update;
  removing a task's targets plans max_concurrency/max_errors null;
- a window deleted outside Terraform: plan recreates the window, its targets and
  its tasks;
- import of a target and of a task by <window_id>/<id>, then no diff; malformed
  and unknown import IDs;
- many targets created, read and destroyed from parallel threads.

Run: /usr/bin/python3 -m pytest tests/e2e/test_target_task.py
(needs build/terraform-provider-ssmpatch, or SSMPATCH_PROVIDER).
"""
import base64
import threading

import pytest

from harness import cty
from harness.errors import ImportFailed, OperationFailed
from harness.stack import Ref, Stack

TAG_KEY = "PatchWindowTaskAM2"
TARGET = "ssmpatch_window_target"
TASK = "ssmpatch_window_task"


# ---------------------------------------------------------------- endpoint access

def ssm(ep, op, body):
    """An SSM call made outside Terraform."""
    return ep.call(op, body)


# ---------------------------------------------------------------- configs

def window_cfg(ep):
    """The AM2 window, named with the run's prefix."""
    return {"name": ep.name("patch-window-am2"), "schedule": "cron(00 17 * * ? *)", "duration": 1,
            "cutoff": 0, "allow_unassociated_targets": True}


def target_cfg(value, window_id):
    return {"window_id": window_id, "name": "PatchingTarget%s" % value.title(),
            "resource_type": "INSTANCE",
            "targets": [{"key": "tag:" + TAG_KEY, "values": [value]}]}


def run_command_task(window_id, target_id, operation="Scan", params_reversed=False):
    params = [{"name": "Operation", "values": [operation]},
              {"name": "RebootOption", "values": ["NoReboot"]}]
    if params_reversed:
        params = params[::-1]
    return {"window_id": window_id, "name": "PatchingTask" + operation,
            "task_type": "RUN_COMMAND", "task_arn": "AWS-RunPatchBaseline", "priority": 1,
            "max_concurrency": "50%", "max_errors": "50%",
            "targets": [{"key": "WindowTargetIds", "values": [target_id]}],
            "task_invocation_parameters": [{"run_command_parameters": [{
                "timeout_seconds": 1800, "output_s3_bucket": "patch-logs",
                "output_s3_key_prefix": "patch/window/%s/" % operation.lower(),
                "parameter": params}]}]}


def window_stack(p, ep, tasks=("scan",)):
    s = Stack(p)
    s.add("window", "ssmpatch_maintenance_window", window_cfg(ep))
    s.add("target_scan", TARGET, target_cfg("SCAN", Ref("window", "id")))
    s.add("target_install", TARGET, target_cfg("INSTALL", Ref("window", "id")))
    for t in tasks:
        s.add("task_" + t, TASK, run_command_task(Ref("window", "id"), Ref("target_" + t, "id"),
                                                  t.title()))
    return s


def applied_window_stack(p, ep, tasks):
    """window_stack(p, ep, tasks) applied: (the Stack, its states by name)."""
    s = window_stack(p, ep, tasks)
    return s, s.apply()


def changed_attrs(p, plan):
    if plan.action is None:
        return "errors: %r" % (plan.diagnostics,)
    ty = p.block(plan.type_name).implied_type()
    return sorted(n for n, t in ty.attrs.items()
                  if not cty.raw_equals(t, plan.prior.get(n), plan.planned.get(n)))


def assert_noop(p, type_name, cfg, state):
    """A later `terraform plan`: refresh, then plan against the config."""
    pl = p.refresh_and_plan(type_name, cfg, state)
    assert pl.refreshed is not None, "%s vanished" % type_name
    assert pl.action == "noop", "%s: %s, changed %s" % (type_name, pl.action, changed_attrs(p, pl))
    return pl.refreshed


def api_task(ep, st):
    return ssm(ep, "GetMaintenanceWindowTask", {"WindowId": st["window_id"], "WindowTaskId": st["id"]})


# ---------------------------------------------------------------- (b) variants

def variant_cfgs(ep, wid, target_id):
    region, account = ep.region, ep.account
    """Every task_invocation_parameters variant, each as full as the API allows."""
    return {
        "run_command": {
            "window_id": wid, "task_type": "RUN_COMMAND", "task_arn": "AWS-RunShellScript",
            "name": "all-run-command", "description": "every Run Command setting",
            "cutoff_behavior": "CANCEL_TASK", "max_concurrency": "2", "max_errors": "1",
            "service_role_arn": "arn:aws:iam::%s:role/mw-task-role" % account,
            "targets": [{"key": "WindowTargetIds", "values": [target_id]}],
            "task_invocation_parameters": [{"run_command_parameters": [{
                "comment": "patch run", "document_version": "$LATEST",
                "document_hash": "a" * 64, "document_hash_type": "Sha256",
                "output_s3_bucket": "logs", "output_s3_key_prefix": "rc/",
                "service_role_arn": "arn:aws:iam::%s:role/sns-role" % account,
                "timeout_seconds": 600,
                "notification_config": [{
                    "notification_arn": "arn:aws:sns:%s:%s:patching" % (region, account),
                    "notification_events": ["Success", "Failed"],
                    "notification_type": "Command"}],
                "cloudwatch_config": [{"cloudwatch_log_group_name": "/ssm/patching",
                                       "cloudwatch_output_enabled": True}],
                "parameter": [{"name": "commands", "values": ["yum -y update", "uptime"]},
                              {"name": "workingDirectory", "values": ["/tmp"]}]}]}]},
        "automation": {
            "window_id": wid, "task_type": "AUTOMATION", "task_arn": "AWS-RestartEC2Instance",
            "name": "automation", "priority": 5,
            "task_invocation_parameters": [{"automation_parameters": [{
                "document_version": "$DEFAULT",
                "parameter": [{"name": "InstanceId", "values": ["i-0123456789abcdef0"]}]}]}]},
        "lambda": {
            "window_id": wid, "task_type": "LAMBDA",
            "task_arn": "arn:aws:lambda:%s:%s:function:patch-hook" % (region, account),
            "task_invocation_parameters": [{"lambda_parameters": [{
                "client_context": base64.b64encode(b'{"custom":{"env":"stg"}}').decode(),
                "payload": '{"operation": "scan", "note": "plain text, not base64"}',
                "qualifier": "$LATEST"}]}]},
        "step_functions": {
            "window_id": wid, "task_type": "STEP_FUNCTIONS",
            "task_arn": "arn:aws:states:%s:%s:stateMachine:patching" % (region, account),
            "max_concurrency": "1", "max_errors": "0",
            "targets": [{"key": "WindowTargetIds", "values": [target_id]}],
            "task_invocation_parameters": [{"step_functions_parameters": [{
                "input": '{"window": "am2"}', "name": "patch-execution"}]}]},
    }


def test_task_variants_round_trip(provider, ep):
    s, st = applied_window_stack(provider, ep, ())
    wid, tid = st["window"]["id"], st["target_scan"]["id"]
    for name, cfg in variant_cfgs(ep, wid, tid).items():
        state = provider.apply(TASK, cfg)
        assert state["id"] and state["arn"].endswith("windowtask/" + state["id"]), name
        refreshed = assert_noop(provider, TASK, cfg, state)
        assert cty.raw_equals(provider.block(TASK).implied_type(), dict(refreshed), dict(state)), name
        api = api_task(ep, state)
        tip = api["TaskInvocationParameters"]
        if name == "lambda":
            # The user's plain text travels as the blob it is.
            payload = tip["Lambda"]["Payload"]
            if isinstance(payload, (bytes, bytearray)):
                payload = payload.decode()
            assert payload == cfg["task_invocation_parameters"][0]["lambda_parameters"][0]["payload"]
            assert state["max_concurrency"] is None and state["max_errors"] is None
            assert "Targets" not in api or not api["Targets"]
        if name == "run_command":
            rc = tip["RunCommand"]
            assert rc["Parameters"] == {"commands": ["yum -y update", "uptime"],
                                        "workingDirectory": ["/tmp"]}
            assert rc["NotificationConfig"]["NotificationEvents"] == ["Success", "Failed"]
            assert rc["CloudWatchOutputConfig"]["CloudWatchOutputEnabled"] is True
            assert api["CutoffBehavior"] == "CANCEL_TASK"
        if name == "automation":
            assert state["priority"] == 5
            assert tip["Automation"]["Parameters"] == {"InstanceId": ["i-0123456789abcdef0"]}
        if name == "step_functions":
            assert tip["StepFunctions"] == {"Input": '{"window": "am2"}', "Name": "patch-execution"}
        provider.destroy(TASK, refreshed)
    s.destroy()
    ep.assert_clean()


def test_parameter_order_and_retarget(provider, ep):
    s, st = applied_window_stack(provider, ep, ("scan",))
    wid = st["window"]["id"]
    task = st["task_scan"]

    # The same parameters in another order: nothing to do.
    cfg = run_command_task(wid, st["target_scan"]["id"], "Scan", params_reversed=True)
    task = assert_noop(provider, TASK, cfg, task)

    # Point the task at the INSTALL target: an in-place update, same task ID.
    cfg = run_command_task(wid, st["target_install"]["id"], "Scan")
    pl = provider.refresh_and_plan(TASK, cfg, task)
    assert pl.action == "update" and changed_attrs(provider, pl) == ["targets"]
    assert not pl.requires_replace
    new = provider.apply(TASK, cfg, pl.refreshed, plan=pl)
    assert new["id"] == task["id"]
    assert api_task(ep, new)["Targets"] == [{"Key": "WindowTargetIds",
                                             "Values": [st["target_install"]["id"]]}]
    new = assert_noop(provider, TASK, cfg, new)

    # Changing the task type is a replacement (force new).
    cfg2 = dict(cfg, task_type="AUTOMATION", task_arn="AWS-RestartEC2Instance",
                task_invocation_parameters=[])
    pl = provider.refresh_and_plan(TASK, cfg2, new)
    assert pl.action == "replace"
    assert any("task_type" in str(rp) for rp in pl.replace_paths), pl.replace_paths

    s.states["task_scan"] = new
    s.destroy()
    ep.assert_clean()


def test_targets_removed_plans_limits_null(provider, ep):
    s, st = applied_window_stack(provider, ep, ())
    wid, tid = st["window"]["id"], st["target_scan"]["id"]
    cfg = {"window_id": wid, "task_type": "AUTOMATION", "task_arn": "AWS-RestartEC2Instance",
           "max_concurrency": "2", "max_errors": "1",
           "targets": [{"key": "WindowTargetIds", "values": [tid]}]}
    state = provider.apply(TASK, cfg)
    # Left to the API (priority, service role): filled in, and kept by the next plan.
    assert state["priority"] == 1 and state["service_role_arn"]
    state = assert_noop(provider, TASK, cfg, state)

    # The limits left out of the config now: O+C, so the prior values stay.
    cfg = {k: v for k, v in cfg.items() if k not in ("max_concurrency", "max_errors")}
    state = assert_noop(provider, TASK, cfg, state)
    assert (state["max_concurrency"], state["max_errors"]) == ("2", "1")

    # No more targets: the limits go too (the API refuses them on a targetless task).
    cfg = dict(cfg, targets=[])
    pl = provider.refresh_and_plan(TASK, cfg, state)
    assert pl.action == "update"
    assert pl.planned["max_concurrency"] is None and pl.planned["max_errors"] is None
    state = provider.apply(TASK, cfg, pl.refreshed, plan=pl)
    assert "Targets" not in api_task(ep, state) or not api_task(ep, state)["Targets"]
    state = assert_noop(provider, TASK, cfg, state)

    # Targets back: the limits are unknown until the API answers.
    cfg = dict(cfg, targets=[{"key": "WindowTargetIds", "values": [tid]}],
               max_concurrency="3", max_errors="1")
    state = provider.apply(TASK, cfg, state)
    assert (state["max_concurrency"], state["max_errors"]) == ("3", "1")
    state = assert_noop(provider, TASK, cfg, state)
    provider.destroy(TASK, state)
    s.destroy()


def test_target_replaced_while_a_task_uses_it(provider, ep):
    """A force-new change of a target the task references: Terraform destroys the
    target, creates the new one, then updates the task to the new ID."""
    s, st = applied_window_stack(provider, ep, ("scan",))
    old = st["target_scan"]["id"]
    s.configs["target_scan"] = {
        "window_id": Ref("window", "id"), "name": "PatchingTargetScan",
        "resource_type": "RESOURCE_GROUP",
        "targets": [{"key": "resource-groups:Name", "values": ["patch-scan-group"]}]}
    plans = s.refresh_and_plan()
    assert plans["target_scan"].action == "replace"
    assert any("resource_type" in str(rp) for rp in plans["target_scan"].replace_paths)
    assert plans["task_scan"].action == "update"
    for n, pl in plans.items():
        s.states[n] = pl.refreshed
    s.plans = plans
    st = s.apply()
    new = st["target_scan"]["id"]
    assert new != old
    assert api_task(ep, st["task_scan"])["Targets"] == [{"Key": "WindowTargetIds", "Values": [new]}]
    targets = ep.objects()["maintenance_windows"][st["window"]["id"]]["Targets"]
    assert old not in targets and targets[new]["ResourceType"] == "RESOURCE_GROUP"
    for n, pl in s.refresh_and_plan().items():
        assert pl.action == "noop", (n, pl.action)
    s.destroy()
    ep.assert_clean()


# ---------------------------------------------------------------- (c) window deleted outside

def test_window_deleted_outside_terraform(provider, ep):
    s, st = applied_window_stack(provider, ep, ("scan", "install"))
    ssm(ep, "DeleteMaintenanceWindow", {"WindowId": st["window"]["id"]})

    plans = s.refresh_and_plan()
    for n, pl in plans.items():
        assert pl.refreshed is None, "%s still read as existing" % n
        assert pl.action == "create", "%s: %s" % (n, pl.action)
    assert cty.is_unknown(plans["target_scan"].planned["window_id"])
    assert cty.is_unknown(plans["task_install"].planned["window_id"])

    # Apply recreates the whole window, then a plan is clean again.
    for n in s.order:
        s.states[n] = None
    s.plans = plans
    st = s.apply()
    inv = ep.objects()
    w = inv["maintenance_windows"][st["window"]["id"]]
    assert len(w["Targets"]) == 2 and len(w["Tasks"]) == 2
    for n, pl in s.refresh_and_plan().items():
        assert pl.action == "noop", n

    # Destroying a task whose window is gone is not an error either.
    ssm(ep, "DeleteMaintenanceWindow", {"WindowId": st["window"]["id"]})
    for n in ("task_scan", "target_install"):
        provider.destroy(s.types[n], s.states.pop(n))
    s.destroy()
    ep.assert_clean()


# ---------------------------------------------------------------- (d) import

def test_import_target_and_task(provider, ep):
    s, st = applied_window_stack(provider, ep, ("scan",))
    wid = st["window"]["id"]
    ty_target = provider.block(TARGET).implied_type()
    ty_task = provider.block(TASK).implied_type()

    got = provider.import_state(TARGET, "%s/%s" % (wid, st["target_scan"]["id"]))
    assert cty.raw_equals(ty_target, dict(got), dict(st["target_scan"])), (dict(got), dict(st["target_scan"]))
    assert_noop(provider, TARGET, target_cfg("SCAN", wid), got)

    got = provider.import_state(TASK, "%s/%s" % (wid, st["task_scan"]["id"]))
    assert cty.raw_equals(ty_task, dict(got), dict(st["task_scan"])), (dict(got), dict(st["task_scan"]))
    assert_noop(provider, TASK, run_command_task(wid, st["target_scan"]["id"], "Scan"), got)

    # A malformed ID: the diagnostic shows the format.
    for type_name, fmt in ((TARGET, "<window_id>/<window_target_id>"),
                           (TASK, "<window_id>/<window_task_id>")):
        with pytest.raises(OperationFailed) as e:
            provider.import_state(type_name, st["task_scan"]["id"])
        assert any(fmt in (d.detail or "") for d in e.value.diagnostics), e.value.diagnostics
        # Well formed but not there: Terraform's "Cannot import non-existent remote object".
        with pytest.raises(ImportFailed):
            provider.import_state(type_name, "%s/00000000-0000-4000-8000-000000000000" % wid)
    s.destroy()


# ---------------------------------------------------------------- (e) concurrency

def test_many_targets_in_parallel(provider, ep):
    n = 24
    window = provider.apply("ssmpatch_maintenance_window", window_cfg(ep))
    wid = window["id"]
    cfgs = [{"window_id": wid, "name": "target-%02d" % i, "resource_type": "INSTANCE",
             "owner_information": "owner-%d" % i,
             "targets": [{"key": "tag:Slot", "values": ["slot-%d" % i]}]} for i in range(n)]
    states, errors = [None] * n, []

    def run(fn):
        threads = [threading.Thread(target=fn, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, errors[:3]

    def create(i):
        try:
            states[i] = provider.apply(TARGET, cfgs[i])
        except Exception as e:  # noqa: BLE001 - reported by run()
            errors.append((i, repr(e)))

    def read(i):
        try:
            for _ in range(3):
                got = provider.read(TARGET, states[i])
                assert got is not None and got["id"] == states[i]["id"]
                assert got["name"] == "target-%02d" % i
                assert got["targets"] == [{"key": "tag:Slot", "values": ["slot-%d" % i]}]
                pl = provider.plan(TARGET, cfgs[i], got)
                assert pl.action == "noop", (i, pl.action)
        except Exception as e:  # noqa: BLE001
            errors.append((i, repr(e)))

    def destroy(i):
        try:
            provider.destroy(TARGET, states[i])
        except Exception as e:  # noqa: BLE001
            errors.append((i, repr(e)))

    run(create)
    assert len({s["id"] for s in states}) == n
    assert len(ep.objects()["maintenance_windows"][wid]["Targets"]) == n
    run(read)
    run(destroy)
    assert ep.objects()["maintenance_windows"][wid]["Targets"] == {}
    provider.destroy("ssmpatch_maintenance_window", window)
    ep.assert_clean()

"""The seed scenario (shared/seed/ssm-maintenance-window-patching.ja.txt) as
harness configs: STG and PRD Amazon Linux 2 baselines, the maintenance window
``patch-window-am2`` (cron(00 17 * * ? *), 1 h, cutoff 0), two targets by tag
PatchWindowTaskAM2=SCAN/INSTALL and two AWS-RunPatchBaseline tasks
(Operation=Scan/Install, RebootOption=NoReboot, 50 %/50 %, 1800 s, S3 output).

``seed_stack(provider, bucket=..., prefix="")`` returns a ``Stack`` with the
seven objects in dependency order; names get ``prefix`` so several runs can
share an account.
"""

from .stack import Ref, Stack


def _rules(days):
    def rule(level, severity):
        return {"approve_after_days": days, "compliance_level": level, "enable_non_security": False,
                "patch_filter": [{"key": "CLASSIFICATION", "values": ["Security"]},
                                 {"key": "SEVERITY", "values": [severity]}]}
    return [rule("CRITICAL", "Critical"), rule("HIGH", "Important")]


def baseline(env, days, prefix=""):
    return {"name": "%s%s-AL2Baseline" % (prefix, env), "operating_system": "AMAZON_LINUX_2",
            "patch_groups": [env], "approval_rule": _rules(days)}


def window(prefix=""):
    return {"name": prefix + "patch-window-am2", "allow_unassociated_targets": True, "cutoff": 0,
            "duration": 1, "schedule": "cron(00 17 * * ? *)"}


def target(op, window_id, prefix=""):
    return {"name": prefix + "PatchingTarget" + op.capitalize(), "resource_type": "INSTANCE",
            "targets": [{"key": "tag:PatchWindowTaskAM2", "values": [op.upper()]}],
            "window_id": window_id}


def task(op, window_id, target_id, bucket, prefix=""):
    return {"name": prefix + "PatchingTask" + op.capitalize(), "max_concurrency": "50%", "max_errors": "50%",
            "priority": 1, "targets": [{"key": "WindowTargetIds", "values": [target_id]}],
            "task_arn": "AWS-RunPatchBaseline", "task_type": "RUN_COMMAND", "window_id": window_id,
            "task_invocation_parameters": [{"run_command_parameters": [{
                "timeout_seconds": 1800,
                "parameter": [{"name": "Operation", "values": [op.capitalize()]},
                              {"name": "RebootOption", "values": ["NoReboot"]}],
                "output_s3_bucket": bucket,
                "output_s3_key_prefix": "patch/window/%s/" % op.lower()}]}]}


def seed_stack(provider, bucket="ssmpatch-seed-output", prefix=""):
    s = Stack(provider)
    s.add("stg_baseline", "ssmpatch_patch_baseline", baseline("STG", 1, prefix))
    s.add("prd_baseline", "ssmpatch_patch_baseline", baseline("PRD", 31, prefix))
    s.add("window", "ssmpatch_maintenance_window", window(prefix))
    for op in ("scan", "install"):
        s.add("target_" + op, "ssmpatch_window_target", target(op, Ref("window", "id"), prefix))
        s.add("task_" + op, "ssmpatch_window_task",
              task(op, Ref("window", "id"), Ref("target_" + op, "id"), bucket, prefix))
    return s

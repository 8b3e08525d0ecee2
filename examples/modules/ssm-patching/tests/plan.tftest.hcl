# Plan-only tests of the module (terraform test, Terraform 1.6+ / OpenTofu 1.6+):
# what the seed design promises - names, the daily 02:00 JST window, the patch
# group the baseline is bound to, SCAN/INSTALL targets and tasks wired to the
# window, and the outputs - checked on the plan, so no SSM endpoint is called.
#
#   terraform init && terraform test -filter=tests/plan.tftest.hcl

provider "ssmpatch" {
  # Never contacted by a plan of new objects; credentials are looked up lazily.
  region     = "ap-northeast-1"
  access_key = "AKIAIOSFODNN7EXAMPLE"
  secret_key = "plan-only"
}

variables {
  environment        = "STG"
  approve_after_days = 1
  output_s3_bucket   = "example-patch-logs"
}

run "stg_names_and_schedule" {
  command = plan

  assert {
    condition     = ssmpatch_patch_baseline.this.name == "STG-AL2Baseline"
    error_message = "baseline name: ${ssmpatch_patch_baseline.this.name}"
  }
  assert {
    condition     = ssmpatch_patch_baseline.this.operating_system == "AMAZON_LINUX_2"
    error_message = "baseline OS defaults to AMAZON_LINUX_2"
  }
  assert {
    condition     = ssmpatch_maintenance_window.this.name == "patch-window-am2-stg"
    error_message = "window name: ${ssmpatch_maintenance_window.this.name}"
  }
  assert {
    # 17:00 UTC every day = 02:00 JST.
    condition     = ssmpatch_maintenance_window.this.schedule == "cron(00 17 * * ? *)"
    error_message = "window schedule: ${ssmpatch_maintenance_window.this.schedule}"
  }
  assert {
    condition     = ssmpatch_maintenance_window.this.schedule_timezone == null
    error_message = "the default schedule is in UTC"
  }
  assert {
    condition     = ssmpatch_maintenance_window.this.duration == 1 && ssmpatch_maintenance_window.this.cutoff == 0
    error_message = "window duration 1 h, cutoff 0"
  }
  assert {
    condition     = ssmpatch_maintenance_window.this.allow_unassociated_targets == true
    error_message = "the window must allow unassociated targets"
  }
}

run "stg_patch_group_and_approval" {
  command = plan

  assert {
    # Instances tagged "Patch Group = STG" get this baseline.
    condition     = toset(ssmpatch_patch_baseline.this.patch_groups) == toset(["STG"])
    error_message = "patch groups: ${jsonencode(ssmpatch_patch_baseline.this.patch_groups)}"
  }
  assert {
    condition     = length(ssmpatch_patch_baseline.this.approval_rule) == 2
    error_message = "two approval rules (Critical and Important)"
  }
  assert {
    condition     = toset([for r in ssmpatch_patch_baseline.this.approval_rule : r.compliance_level]) == toset(["CRITICAL", "HIGH"])
    error_message = "compliance levels CRITICAL and HIGH"
  }
  assert {
    condition     = alltrue([for r in ssmpatch_patch_baseline.this.approval_rule : r.approve_after_days == 1])
    error_message = "STG approves after 1 day"
  }
  assert {
    condition = toset(flatten([
      for r in ssmpatch_patch_baseline.this.approval_rule :
      [for f in r.patch_filter : "${f.key}=${join(",", f.values)}"]
    ])) == toset(["CLASSIFICATION=Security", "SEVERITY=Critical", "SEVERITY=Important"])
    error_message = "approval filters: Security classification, Critical and Important severities"
  }
}

run "stg_targets_and_tasks" {
  command = plan

  assert {
    condition     = toset(keys(ssmpatch_window_target.this)) == toset(["scan", "install"])
    error_message = "one SCAN and one INSTALL target"
  }
  assert {
    condition = alltrue([
      for k, t in ssmpatch_window_target.this :
      t.resource_type == "INSTANCE" && t.targets[0].key == "tag:PatchWindowTaskAM2" && t.targets[0].values == tolist([upper(k)])
    ])
    error_message = "targets pick instances by tag PatchWindowTaskAM2 = SCAN / INSTALL"
  }
  assert {
    condition     = ssmpatch_window_target.this["scan"].name == "PatchingTargetScan" && ssmpatch_window_target.this["install"].name == "PatchingTargetInstall"
    error_message = "target names"
  }
  assert {
    condition = alltrue([
      for k, t in ssmpatch_window_task.this :
      t.task_type == "RUN_COMMAND" && t.task_arn == "AWS-RunPatchBaseline" && t.max_concurrency == "50%" && t.max_errors == "50%"
    ])
    error_message = "both tasks run AWS-RunPatchBaseline with 50% concurrency and errors"
  }
  assert {
    condition = alltrue([
      for k, t in ssmpatch_window_task.this :
      toset([for p in t.task_invocation_parameters[0].run_command_parameters[0].parameter : "${p.name}=${join(",", p.values)}"]) ==
      toset(["Operation=${k == "scan" ? "Scan" : "Install"}", "RebootOption=NoReboot"])
    ])
    error_message = "the scan task scans, the install task installs, neither reboots"
  }
  assert {
    condition = alltrue([
      for k, t in ssmpatch_window_task.this :
      t.task_invocation_parameters[0].run_command_parameters[0].output_s3_bucket == "example-patch-logs" &&
      t.task_invocation_parameters[0].run_command_parameters[0].output_s3_key_prefix == "patch/window/${k}/"
    ])
    error_message = "task output goes to the bucket under patch/window/scan/ and patch/window/install/"
  }
  assert {
    condition     = toset(keys(output.target_ids)) == toset(["scan", "install"]) && toset(keys(output.task_ids)) == toset(["scan", "install"])
    error_message = "outputs target_ids and task_ids are keyed by operation"
  }
}

run "prd_settings" {
  command = plan

  variables {
    environment        = "PRD"
    approve_after_days = 31
    schedule           = "cron(00 02 ? * SUN *)"
    schedule_timezone  = "Asia/Tokyo"
    tags               = { Environment = "PRD" }
  }

  assert {
    condition     = ssmpatch_patch_baseline.this.name == "PRD-AL2Baseline" && toset(ssmpatch_patch_baseline.this.patch_groups) == toset(["PRD"])
    error_message = "PRD baseline bound to patch group PRD"
  }
  assert {
    condition     = alltrue([for r in ssmpatch_patch_baseline.this.approval_rule : r.approve_after_days == 31])
    error_message = "PRD approves after 31 days"
  }
  assert {
    condition     = ssmpatch_maintenance_window.this.name == "patch-window-am2-prd"
    error_message = "window name: ${ssmpatch_maintenance_window.this.name}"
  }
  assert {
    condition     = ssmpatch_maintenance_window.this.schedule == "cron(00 02 ? * SUN *)" && ssmpatch_maintenance_window.this.schedule_timezone == "Asia/Tokyo"
    error_message = "schedule and time zone are passed through"
  }
  assert {
    condition     = ssmpatch_patch_baseline.this.tags == tomap({ Environment = "PRD" }) && ssmpatch_maintenance_window.this.tags == tomap({ Environment = "PRD" })
    error_message = "tags on the baseline and the window"
  }
}

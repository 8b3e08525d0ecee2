# The design of the seed article as one reusable module: a patch baseline bound to
# the environment's Patch Group, a daily maintenance window, a SCAN and an INSTALL
# target picked by an instance tag, and the two AWS-RunPatchBaseline tasks.

locals {
  severities = {
    CRITICAL = "Critical"
    HIGH     = "Important"
  }
  operations = {
    scan    = { tag_value = "SCAN", operation = "Scan", prefix = var.output_s3_prefix_scan }
    install = { tag_value = "INSTALL", operation = "Install", prefix = var.output_s3_prefix_install }
  }
}

resource "ssmpatch_patch_baseline" "this" {
  name             = "${var.environment}-AL2Baseline"
  description      = "${var.environment}: Security Critical/Important patches ${var.approve_after_days} days after release"
  operating_system = var.operating_system
  region           = var.region
  patch_groups     = [var.environment]

  dynamic "approval_rule" {
    for_each = local.severities
    content {
      approve_after_days  = var.approve_after_days
      compliance_level    = approval_rule.key
      enable_non_security = false

      patch_filter {
        key    = "CLASSIFICATION"
        values = ["Security"]
      }
      patch_filter {
        key    = "SEVERITY"
        values = [approval_rule.value]
      }
    }
  }

  tags = var.tags
}

resource "ssmpatch_maintenance_window" "this" {
  name                       = "${var.window_name}-${lower(var.environment)}"
  region                     = var.region
  schedule                   = var.schedule
  schedule_timezone          = var.schedule_timezone
  duration                   = var.duration
  cutoff                     = var.cutoff
  allow_unassociated_targets = true
  tags                       = var.tags
}

resource "ssmpatch_window_target" "this" {
  for_each = local.operations

  window_id     = ssmpatch_maintenance_window.this.id
  name          = "PatchingTarget${title(each.key)}"
  region        = var.region
  resource_type = "INSTANCE"

  targets {
    key    = "tag:${var.target_tag_key}"
    values = [each.value.tag_value]
  }
}

resource "ssmpatch_window_task" "this" {
  for_each = local.operations

  window_id       = ssmpatch_maintenance_window.this.id
  name            = "PatchingTask${title(each.key)}"
  region          = var.region
  task_type       = "RUN_COMMAND"
  task_arn        = "AWS-RunPatchBaseline"
  priority        = 1
  max_concurrency = "50%"
  max_errors      = "50%"

  targets {
    key    = "WindowTargetIds"
    values = [ssmpatch_window_target.this[each.key].id]
  }

  task_invocation_parameters {
    run_command_parameters {
      timeout_seconds      = var.timeout_seconds
      output_s3_bucket     = var.output_s3_bucket
      output_s3_key_prefix = each.value.prefix

      parameter {
        name   = "Operation"
        values = [each.value.operation]
      }
      parameter {
        name   = "RebootOption"
        values = ["NoReboot"]
      }
    }
  }
}

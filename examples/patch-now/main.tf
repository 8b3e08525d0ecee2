# Patch now, outside the maintenance window: the action ssmpatch_patch_now runs
# AWS-RunPatchBaseline on the instances selected and reports each one as it
# finishes. Needs Terraform 1.14+.
#
#   terraform apply -invoke=action.ssmpatch_patch_now.stg          # scan STG now
#   terraform apply -invoke=action.ssmpatch_patch_now.stg_install  # patch STG's INSTALL instances
#
# and the STG baseline re-scans STG by itself whenever its rules change (its
# lifecycle action_trigger), so compliance always reflects the current rules.

terraform {
  required_version = ">= 1.14"
  required_providers {
    ssmpatch = {
      source = "ssmpatch/ssmpatch"
    }
  }
}

variable "name_prefix" {
  description = "Prefix of the baseline's name and of the patch group (keeps test runs in a shared account apart)."
  type        = string
  default     = ""
}

variable "approve_after_days" {
  description = "Days after release before a Critical or Important security patch is approved for STG."
  type        = number
  default     = 1
}

variable "output_s3_bucket" {
  description = "Bucket for the instances' output (null: none)."
  type        = string
  default     = null
}

variable "endpoint" {
  description = "URL of the SSM-compatible endpoint (the local emulator)."
  type        = string
  default     = "http://127.0.0.1:4566"
}

variable "sts_endpoint" {
  description = "URL of the STS endpoint; null uses `endpoint` (the emulator serves both), \"\" AWS's own."
  type        = string
  default     = null
}

variable "region" {
  description = "AWS region of the instances."
  type        = string
  default     = "ap-northeast-1"
}

variable "access_key" {
  description = "Access key (the emulator accepts this test key)."
  type        = string
  default     = "AKIAIOSFODNN7EXAMPLE"
}

variable "secret_key" {
  description = "Secret key (the emulator's test key)."
  type        = string
  default     = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
}

provider "ssmpatch" {
  region     = var.region
  access_key = var.access_key
  secret_key = var.secret_key

  endpoints {
    ssm = var.endpoint
    sts = var.sts_endpoint != null ? var.sts_endpoint : var.endpoint
  }
}

locals {
  group = "${var.name_prefix}STG"
}

# The STG baseline; a change to its rules re-scans the STG instances.
resource "ssmpatch_patch_baseline" "stg" {
  name             = "${var.name_prefix}STG-AL2Baseline"
  operating_system = "AMAZON_LINUX_2"
  patch_groups     = [local.group]

  dynamic "approval_rule" {
    for_each = { CRITICAL = "Critical", HIGH = "Important" }
    content {
      approve_after_days = var.approve_after_days
      compliance_level   = approval_rule.key
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

  lifecycle {
    action_trigger {
      events  = [after_update]
      actions = [action.ssmpatch_patch_now.stg]
    }
  }
}

# Scan every STG instance: what is missing under the current rules.
action "ssmpatch_patch_now" "stg" {
  config {
    operation        = "Scan"
    patch_group      = local.group
    output_s3_bucket = var.output_s3_bucket
  }
}

# Install on the STG instances tagged for installation, one at a time, stopping
# at the first failure; they reboot later, in their maintenance window.
action "ssmpatch_patch_now" "stg_install" {
  config {
    operation       = "Install"
    reboot_option   = "NoReboot"
    patch_group     = local.group
    max_concurrency = "1"
    max_errors      = "0"

    tag {
      key    = "PatchWindowTaskAM2"
      values = ["INSTALL"]
    }

    output_s3_bucket = var.output_s3_bucket
  }
}

# Verification as code: the seed article's "確認" step, in `terraform plan`.
#
# The seed checks, a day after the maintenance window ran, the window's execution
# history and the Run Command logs in the console and in S3. Here the same
# questions are data sources and `check` blocks (Terraform 1.5+), so
#
#   terraform plan
#
# warns when the last execution of a patching window did not succeed (naming the
# window, the failed instances and where their Run Command output is in S3), and
# when a patch group has instances whose patch install failed, or that are still
# critically non-compliant after an install beyond what a reboot will fix. Pending
# reboots are expected with RebootOption=NoReboot and are only reported
# (output `pending_reboots`). The output `next_install` lists what the next Install
# run of one patch group (STG) will apply: the patches missing on its instances.
# Checks warn; they never fail a plan.
#
# It only reads (the SSM Describe*/Get*/List* calls of the data sources), so it runs
# with read-only credentials in each account (the provider's usual credential chain;
# add `assume_role` for the STG and PRD accounts). Outputs are values in the state:
# `terraform apply` records them (there is nothing else to apply), after which
# `terraform plan -detailed-exitcode` exits 0 unless they changed; the checks only
# ever warn:
#
#   terraform init && terraform apply && terraform plan -detailed-exitcode
#
# Against the local emulator (tests/emulator; tests/datasources/test_ds_verify_example.py
# runs this against the seed's simulated fleet):
#
#   terraform plan -var endpoint=http://127.0.0.1:4566 \
#     -var access_key=AKIAIOSFODNN7EXAMPLE -var secret_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

terraform {
  required_version = ">= 1.5"
  required_providers {
    ssmpatch = {
      source = "ssmpatch/ssmpatch"
    }
  }
}

variable "window_name_prefix" {
  description = "The patching windows to check: every window whose name starts with this."
  type        = string
  default     = "patch-window-am2"
}

variable "patch_groups" {
  description = "The patch groups (`Patch Group` tag values) to check."
  type        = list(string)
  default     = ["STG", "PRD"]
}

variable "next_install_group" {
  description = "The patch group whose next Install run `next_install` previews."
  type        = string
  default     = "STG"
}

variable "region" {
  description = "AWS region of the fleet."
  type        = string
  default     = "ap-northeast-1"
}

variable "endpoint" {
  description = "URL of an SSM-compatible endpoint (the local emulator: http://127.0.0.1:4566); null for AWS's own."
  type        = string
  default     = null
}

variable "sts_endpoint" {
  description = "URL of the STS endpoint; null uses `endpoint` (the emulator serves both), \"\" AWS's own."
  type        = string
  default     = null
}

variable "access_key" {
  description = "Access key (the emulator's: AKIAIOSFODNN7EXAMPLE); null for the usual credential chain."
  type        = string
  default     = null
}

variable "secret_key" {
  description = "Secret key (the emulator's: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY)."
  type        = string
  default     = null
  sensitive   = true
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

# ---- the windows and their last execution

data "ssmpatch_maintenance_windows" "patching" {
  name_prefix = var.window_name_prefix
}

data "ssmpatch_window_executions" "last" {
  for_each = { for w in data.ssmpatch_maintenance_windows.patching.windows : "${w.name} (${w.id})" => w.id }

  window_id   = each.value
  max_results = 1
}

locals {
  # "name (ID)" => the last execution, of the windows whose last execution did not succeed
  failed_executions = {
    for name, d in data.ssmpatch_window_executions.last : name => d.executions[0]
    if length(d.executions) > 0 && d.executions[0].status != "SUCCESS"
  }
  failed_invocations = {
    for name, e in local.failed_executions : name => flatten([
      for t in e.tasks : [
        for i in t.invocations : "${coalesce(i.target_id, i.invocation_id)} ${i.status} (output: ${coalesce(i.output_s3_uri, "not in S3")})"
        if i.status != "SUCCESS"
      ]
    ])
  }
}

check "last_window_execution" {
  assert {
    condition = length(local.failed_executions) == 0
    error_message = join("\n", [
      for name, e in local.failed_executions :
      "Maintenance window ${name}: the last execution (${e.start_time}) ended ${e.status}: ${coalesce(e.status_details, "-")} ${join("; ", local.failed_invocations[name])}"
    ])
  }
}

# ---- the patch groups

data "ssmpatch_patch_group_compliance" "group" {
  for_each = toset(var.patch_groups)

  patch_group             = each.key
  include_missing_patches = each.key == var.next_install_group
}

locals {
  # patch group => instances whose patch install failed
  failed_installs = {
    for g, c in data.ssmpatch_patch_group_compliance.group : g => c.failed_instance_ids
    if length(c.failed_instance_ids) > 0
  }
  # patch group => instances still critically non-compliant after an install, beyond
  # the patches waiting for a reboot (NoReboot leaves those non-compliant by design)
  critical_after_install = {
    for g, c in data.ssmpatch_patch_group_compliance.group : g => [
      for i in c.instances : i.instance_id
      if i.operation == "Install" && i.critical_non_compliant_count > i.installed_pending_reboot_count
    ]
  }
}

check "patch_group_compliance" {
  assert {
    condition = length(local.failed_installs) == 0
    error_message = join("\n", [
      for g, ids in local.failed_installs : "Patch group ${g}: patch install failed on ${join(", ", ids)}"
    ])
  }
  assert {
    condition = alltrue([for g, ids in local.critical_after_install : length(ids) == 0])
    error_message = join("\n", [
      for g, ids in local.critical_after_install :
      "Patch group ${g}: critical patches still missing after an install on ${join(", ", ids)}"
      if length(ids) > 0
    ])
  }
}

output "next_install" {
  description = "What the next Install run of var.next_install_group will apply: each missing patch and on how many instances."
  value = [
    for p in data.ssmpatch_patch_group_compliance.group[var.next_install_group].missing_patches : {
      title          = p.title
      classification = p.classification
      severity       = p.severity
      cve_ids        = p.cve_ids
      instances      = p.instance_count
    }
  ]
}

output "pending_reboots" {
  description = "Instances per patch group whose installed patches wait for a reboot."
  value       = { for g, c in data.ssmpatch_patch_group_compliance.group : g => c.pending_reboot_instance_ids }
}

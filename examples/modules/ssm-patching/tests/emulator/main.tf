# Fixture for emulator.tftest.hcl: the module under test with its provider
# pointed at the SSM endpoint in var.endpoint (the local emulator by default).
# A root module of its own, so that the endpoint is an ordinary input
# variable: `terraform test -var endpoint=...` sets it with every client
# (test files' own provider blocks cannot read variables in OpenTofu 1.6, and
# Terraform gives test-file variables precedence over -var).

terraform {
  required_providers {
    ssmpatch = {
      source = "ssmpatch/ssmpatch"
    }
  }
}

variable "endpoint" {
  description = "SSM (and STS) endpoint URL; the emulator: /usr/bin/python3 tests/emulator/server.py --port 4566."
  type        = string
  default     = "http://127.0.0.1:4566"
}

variable "sts_endpoint" {
  description = "STS endpoint URL; null uses var.endpoint (the emulator serves both), \"\" AWS's own."
  type        = string
  default     = null
}

variable "region" {
  type    = string
  default = "ap-northeast-1"
}

variable "access_key" {
  description = "The emulator's static test key (tests/emulator/README.md)."
  type        = string
  default     = "AKIAIOSFODNN7EXAMPLE"
}

variable "secret_key" {
  type      = string
  default   = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  sensitive = true
}

variable "environment" {
  description = "Environment name, also the patch group; prefix it to keep runs apart on a shared endpoint."
  type        = string
  default     = "TFTEST"
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

module "patching" {
  source             = "../.."
  environment        = var.environment
  approve_after_days = 7
  output_s3_bucket   = "example-patch-logs"
}

output "baseline_id" {
  value = module.patching.baseline_id
}

output "window_id" {
  value = module.patching.window_id
}

output "target_ids" {
  value = module.patching.target_ids
}

output "task_ids" {
  value = module.patching.task_ids
}

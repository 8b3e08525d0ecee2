# Quickstart: the seed scenario (STG and PRD) against the local SSM emulator.
#
#   /usr/bin/python3 tests/emulator/server.py --port 4566 &   # or all in one: scripts/quickstart.sh
#   terraform init && terraform apply
#
# Both environments live in one emulated account here; examples/stg and
# examples/prd show the same module applied to two real accounts.

terraform {
  required_version = ">= 0.13"
  required_providers {
    ssmpatch = {
      source = "ssmpatch/ssmpatch"
    }
  }
}

variable "endpoint" {
  description = "URL of the SSM-compatible endpoint (the local emulator). \"\" leaves the endpoints block out: AWS_ENDPOINT_URL_SSM and AWS_ENDPOINT_URL_STS (or AWS_ENDPOINT_URL, or the config file's services section) then choose, as in every AWS SDK."
  type        = string
  default     = "http://127.0.0.1:4566"
}

variable "name_prefix" {
  description = "Prefix for every name and patch group (keeps test runs in a shared account apart)."
  type        = string
  default     = ""
}

variable "sts_endpoint" {
  description = "URL of the STS endpoint; null uses `endpoint` (the emulator serves both), \"\" AWS's own."
  type        = string
  default     = null
}

variable "region" {
  description = "AWS region the endpoint serves."
  type        = string
  default     = "ap-northeast-1"
}

variable "access_key" {
  description = "Access key for the endpoint (the emulator accepts this test key)."
  type        = string
  default     = "AKIAIOSFODNN7EXAMPLE"
}

variable "secret_key" {
  description = "Secret key for the endpoint (the emulator's test key)."
  type        = string
  default     = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
}

provider "ssmpatch" {
  region     = var.region
  access_key = var.access_key
  secret_key = var.secret_key

  dynamic "endpoints" {
    for_each = var.endpoint == "" ? [] : [var.endpoint]
    content {
      ssm = endpoints.value
      sts = var.sts_endpoint != null ? var.sts_endpoint : endpoints.value
    }
  }

  default_tags {
    tags = {
      ManagedBy = "terraform"
    }
  }
}

module "stg" {
  source             = "../modules/ssm-patching"
  environment        = "${var.name_prefix}STG"
  approve_after_days = 1
  output_s3_bucket   = "example-patch-logs"
  tags               = { Environment = "STG" }
}

module "prd" {
  source             = "../modules/ssm-patching"
  environment        = "${var.name_prefix}PRD"
  approve_after_days = 31
  output_s3_bucket   = "example-patch-logs"
  tags               = { Environment = "PRD" }
}

output "stg" {
  value = {
    baseline = module.stg.baseline_id
    window   = module.stg.window_id
    targets  = module.stg.target_ids
    tasks    = module.stg.task_ids
  }
}

output "prd" {
  value = {
    baseline = module.prd.baseline_id
    window   = module.prd.window_id
    targets  = module.prd.target_ids
    tasks    = module.prd.task_ids
  }
}

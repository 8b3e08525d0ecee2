# PRD account: the shared module applied with PRD's settings. Credentials
# come from the named profile, then the role below is assumed in the PRD account,
# so the same module is applied to each account with only these lines changed.

terraform {
  required_version = ">= 0.13"
  required_providers {
    ssmpatch = {
      source = "ssmpatch/ssmpatch"
    }
  }
}

variable "account_id" {
  description = "The PRD AWS account ID."
  type        = string
}

variable "output_s3_bucket" {
  description = "Bucket in the PRD account for patch task output."
  type        = string
}

provider "ssmpatch" {
  region  = "ap-northeast-1"
  profile = "ops"

  assume_role {
    role_arn     = "arn:aws:iam::${var.account_id}:role/PatchingAdmin"
    session_name = "terraform-ssmpatch-prd"
    duration     = "1h"
  }

  default_tags {
    tags = {
      Environment = "PRD"
      ManagedBy   = "terraform"
    }
  }
}

module "patching" {
  source             = "../modules/ssm-patching"
  environment        = "PRD"
  approve_after_days = 31
  output_s3_bucket   = var.output_s3_bucket
}

output "patching" {
  value = {
    baseline = module.patching.baseline_id
    window   = module.patching.window_id
    targets  = module.patching.target_ids
    tasks    = module.patching.task_ids
  }
}

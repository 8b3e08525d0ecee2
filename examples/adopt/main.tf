# Adopt patching that was set up outside Terraform (CloudFormation, the console,
# scripts): `terraform query` finds the baselines, windows, targets and tasks,
# and writes the configuration that imports them. Needs Terraform 1.14+.
#
#   terraform init
#   terraform query                                  # what is there
#   terraform query -generate-config-out=adopted.tf  # resource + import blocks
#   terraform apply                                  # N imported, 0 added, 0 changed
#   terraform plan                                   # No changes.
#
# adopt.tfquery.hcl holds the list blocks. Against the local emulator (the
# default endpoint below) run scripts/quickstart.sh's emulator first.

terraform {
  required_version = ">= 1.14"
  required_providers {
    ssmpatch = {
      source = "ssmpatch/ssmpatch"
    }
  }
}

variable "name_prefix" {
  description = "Only adopt baselines and windows whose name starts with this (null: all of them)."
  type        = string
  default     = null
}

variable "endpoint" {
  description = "URL of the SSM-compatible endpoint (the local emulator); null for AWS's own."
  type        = string
  default     = "http://127.0.0.1:4566"
}

variable "sts_endpoint" {
  description = "URL of the STS endpoint; null uses `endpoint` (the emulator serves both), \"\" AWS's own."
  type        = string
  default     = null
}

variable "region" {
  description = "AWS region to look in."
  type        = string
  default     = "ap-northeast-1"
}

variable "access_key" {
  description = "Access key (the emulator accepts this test key); null for the usual credential chain."
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

variable "environment" {
  description = "Environment name (STG, PRD, ...). Used as the Patch Group tag value and in names."
  type        = string
}

variable "operating_system" {
  description = "Operating system of the fleet."
  type        = string
  default     = "AMAZON_LINUX_2"
}

variable "approve_after_days" {
  description = "Days after release before Security Critical/Important patches are approved (STG 1, PRD 31)."
  type        = number
}

variable "schedule" {
  description = "Maintenance window schedule (UTC unless schedule_timezone is set). Default: daily 02:00 JST."
  type        = string
  default     = "cron(00 17 * * ? *)"
}

variable "schedule_timezone" {
  description = "IANA time zone of the schedule, or null for UTC."
  type        = string
  default     = null
}

variable "duration" {
  description = "Window length in hours."
  type        = number
  default     = 1
}

variable "cutoff" {
  description = "Hours before the end of the window when no new task starts."
  type        = number
  default     = 0
}

variable "window_name" {
  description = "Maintenance window name."
  type        = string
  default     = "patch-window-am2"
}

variable "target_tag_key" {
  description = "Instance tag whose value (SCAN or INSTALL) picks the window task."
  type        = string
  default     = "PatchWindowTaskAM2"
}

variable "output_s3_bucket" {
  description = "S3 bucket for the Run Command output of the patch tasks."
  type        = string
}

variable "output_s3_prefix_scan" {
  description = "S3 key prefix for the Scan task output."
  type        = string
  default     = "patch/window/scan/"
}

variable "output_s3_prefix_install" {
  description = "S3 key prefix for the Install task output."
  type        = string
  default     = "patch/window/install/"
}

variable "timeout_seconds" {
  description = "Run Command timeout of each task."
  type        = number
  default     = 1800
}

variable "tags" {
  description = "Tags for the baseline and the window (merged over the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "region" {
  description = "AWS region of every object of the module; null (the default) is the provider's region. One provider block per account can apply the module to several regions this way."
  type        = string
  default     = null
}

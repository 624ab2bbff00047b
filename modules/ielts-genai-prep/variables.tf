# Inputs of the IELTS family alone; the inputs every family shares are in variables-common.tf.

variable "enable_phantom_tables" {
  description = "Also create ielts-ai-safety-logs and ielts-content-reports: documented in seed 001 but absent from AWS (audit 003). Off unless a feature really needs them."
  type        = bool
  default     = false
}

variable "backup_enabled" {
  description = "AWS Backup for every table of the family: a vault, a daily plan keeping recovery points 35 days, and a selection by the tag Backup = \"daily-35d\" (prod)."
  type        = bool
  default     = false
}


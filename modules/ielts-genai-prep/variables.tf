# Common inputs of every table family (docs/architecture.md), then the IELTS-specific ones.

variable "environment" {
  description = "Environment name: local, dev or prod. Goes into the Environment tag of every table."
  type        = string

  validation {
    condition     = contains(["local", "dev", "prod"], var.environment)
    error_message = "The environment must be one of local, dev, prod."
  }
}

variable "name_prefix" {
  description = "Prepended to every table name. Dev only (e.g. \"dev-\"); local and prod must keep the contract names, so leave it \"\" there."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{0,32}$", var.name_prefix))
    error_message = "The name_prefix may hold only a-z, A-Z, 0-9, _ . - and at most 32 characters (e.g. \"dev-\")."
  }
}

variable "tags" {
  description = "Extra tags for every resource. Project and Environment are always set by the module."
  type        = map(string)
  default     = {}
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key ARN for server-side encryption (prod). null = the AWS-managed key."
  type        = string
  default     = null
}

variable "point_in_time_recovery" {
  description = "Point-in-time recovery on every table (seed 001: enabled on all tables)."
  type        = bool
  default     = true
}

variable "alarms_enabled" {
  description = "Create the generic module's CloudWatch alarms for every table."
  type        = bool
  default     = false
}

variable "alarm_actions" {
  description = "SNS topic ARNs notified when an alarm fires or recovers."
  type        = list(string)
  default     = []
}

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

# --- current-provider table settings (hashicorp/aws 6.x), passed to every table of the family ---

variable "deletion_protection_enabled" {
  description = "Deletion protection on every table (and replica): DynamoDB refuses to delete them until an apply switches it off. true in dev and prod, false in local (teardown)."
  type        = bool
  default     = true
}

variable "point_in_time_recovery_period_days" {
  description = "Days point-in-time recovery can restore back (1-35) on every table; null keeps DynamoDB's default of 35."
  type        = number
  default     = null
}

variable "table_class" {
  description = "Table class of every table: STANDARD or STANDARD_INFREQUENT_ACCESS."
  type        = string
  default     = "STANDARD"
}

variable "on_demand_throughput" {
  description = "{ max_read_request_units, max_write_request_units } caps for every on-demand table (a cost guard); null: no caps."
  type        = any
  default     = null
}

variable "import_tables" {
  description = "Real table name => import_table settings of the generic module (create that table from data in S3); tables not listed start empty."
  type        = any
  default     = {}
}

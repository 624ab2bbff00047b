variable "environment" {
  description = "Environment name (local, dev or prod); goes into every Environment tag."
  type        = string

  validation {
    condition     = contains(["local", "dev", "prod"], var.environment)
    error_message = "The environment must be one of local, dev, prod."
  }
}

variable "name_prefix" {
  description = "Prefix for every table name. Keep \"\" wherever application code runs with the contract names (local, prod); dev may use e.g. \"dev-\"."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{0,32}$", var.name_prefix))
    error_message = "The name_prefix may hold only a-z, A-Z, 0-9, _ . - and at most 32 characters (e.g. \"dev-\")."
  }
}

variable "tags" {
  description = "Tags added to every resource of every family."
  type        = map(string)
  default     = {}
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key ARN (modules/kms-key) for the SSE of every table and of the stream processor's DLQ, and for the IELTS backup vault. Required: every environment encrypts with its own key."
  type        = string

  validation {
    condition     = var.kms_key_arn != null
    error_message = "The estate needs kms_key_arn: every environment encrypts its tables with a customer-managed key; pass module.kms.arn from a modules/kms-key block in the env."
  }
}

variable "point_in_time_recovery" {
  description = "Point-in-time recovery on every table."
  type        = bool
  default     = true
}

variable "alarms_enabled" {
  description = "CloudWatch alarms (throttles, errors, latency, stream processor) on every family."
  type        = bool
  default     = false
}

variable "alarm_actions" {
  description = "SNS topic ARNs notified by every alarm."
  type        = list(string)
  default     = []
}

variable "backup_enabled" {
  description = "AWS Backup plan (daily, 35-day retention) for the IELTS tables, selected by tag."
  type        = bool
  default     = false
}

variable "enable_ielts_phantom_tables" {
  description = "Create ielts-ai-safety-logs and ielts-content-reports, which code references but AWS does not have (audit 003)."
  type        = bool
  default     = false
}

variable "lambda_zip_path" {
  description = "Path of the university stream-processor zip (built by `tablekit` under build/lambda/)."
  type        = string
}

variable "lambda_runtime" {
  description = "Lambda runtime of the stream processor (a current Python; runs on the offline double get the newest runtime hashicorp/aws 3.39 accepts from the harness: tablekit.staging.compat.PINNED_VARIABLES)."
  type        = string
}

variable "replica_regions" {
  description = "Regions for global-table replicas of the university table (prod). Never set on the local endpoint."
  type        = list(string)
  default     = []
}

variable "replica_kms_key_arns" {
  description = "Replica region => customer-managed KMS key ARN in that region (required by AWS when the table uses a CMK)."
  type        = map(string)
  default     = {}
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
  description = "Real table name => import_table settings of the generic module for any table of any family (create it from data in S3); tables not listed start empty."
  type        = any
  default     = {}
}

variable "replica_point_in_time_recovery" {
  description = "Point-in-time recovery on the university replicas; null: the same as point_in_time_recovery."
  type        = bool
  default     = null
}

variable "replica_propagate_tags" {
  description = "Copy the university table's tags to its replicas."
  type        = bool
  default     = true
}

# Inputs every table family shares (modules/bandup, aitutor, ielts-genai-prep, university).
#
# This file is byte-identical in each family module (tests/families/test_family_contracts.py keeps
# it so): edit it in one family, then copy it to the other three. Envs and the estate module pass
# these the same way to every family; what a family adds lives in its own variables.tf, and what
# an input means for one family in particular is said in that family's README.

variable "environment" {
  description = "Environment name: local, dev or prod. Goes into the Environment tag of every resource."
  type        = string

  validation {
    condition     = contains(["local", "dev", "prod"], var.environment)
    error_message = "The environment must be one of local, dev, prod."
  }
}

variable "name_prefix" {
  description = "Prepended to every table name (and to the family's other named resources). Dev only (e.g. \"dev-\"); local and prod must keep the contract names, so leave it \"\" there."
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
  description = "Customer-managed KMS key ARN for server-side encryption of every table (and of the family's queue or backup vault, where it has one; the key policy must delegate to IAM). null = the AWS-managed key."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/.+$", var.kms_key_arn))
    error_message = "The kms_key_arn must be a KMS key or alias ARN such as arn:aws:kms:eu-west-1:123456789012:key/<key-id>, or null."
  }
}

variable "point_in_time_recovery" {
  description = "Point-in-time recovery on every table of the family."
  type        = bool
  default     = true
}

variable "alarms_enabled" {
  description = "Create the family's CloudWatch alarms: the generic module's for every table (throttles, system errors) and the family's own, which its README lists."
  type        = bool
  default     = false
}

variable "alarm_actions" {
  description = "SNS topic ARNs notified when an alarm fires or recovers."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.alarm_actions : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$", a))])
    error_message = "The alarm_actions must be SNS topic ARNs such as arn:aws:sns:eu-west-1:123456789012:dynamodb-alerts."
  }
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

# Common inputs of every table family (docs/architecture.md), then the BandUp-specific ones.

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
  description = "Point-in-time recovery on every table (the seed enables it on both)."
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

variable "attach_to_role_name" {
  description = "Name of an existing IAM role (e.g. the evaluators' Lambda role) to attach the access policy to as an inline policy. null = only output the policy JSON."
  type        = string
  default     = null
}

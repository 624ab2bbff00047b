variable "region" {
  description = "AWS region of the environment."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "The region must look like us-east-1."
  }
}

variable "lambda_zip_path" {
  description = "Path of the university stream-processor zip (tablekit builds it under build/lambda/)."
  type        = string
}

variable "lambda_runtime" {
  description = "Lambda runtime of the stream processor. Runs on the offline double (hashicorp/aws 3.39) get the newest runtime that provider accepts from the harness (tablekit.staging.compat.PINNED_VARIABLES); a real account runs this value."
  type        = string
  default     = "python3.13"
}

variable "alarm_sns_topic_arn" {
  description = "SNS topic notified by every prod alarm."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-zA-Z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", var.alarm_sns_topic_arn))
    error_message = "The alarm_sns_topic_arn must be an SNS topic ARN like arn:aws:sns:us-east-1:123456789012:oncall."
  }
}

variable "replica_region" {
  description = "Region holding the global-table replica of the university table (its own KMS key lives there)."
  type        = string
  default     = "us-west-2"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.replica_region))
    error_message = "The replica_region must look like us-west-2."
  }
}

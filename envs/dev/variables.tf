variable "region" {
  description = "AWS region of the environment."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "The region must look like us-east-1."
  }
}

variable "name_prefix" {
  description = "Prefix for every table name in dev (\"\" keeps the contract names; e.g. \"dev-\" when dev shares an account with prod)."
  type        = string
  default     = ""
}

variable "lambda_zip_path" {
  description = "Path of the university stream-processor zip (tablekit builds it under build/lambda/)."
  type        = string
}

variable "lambda_runtime" {
  description = "Lambda runtime of the stream processor. Offline runs on the pinned hashicorp/aws 3.39 get python3.8 from the harness (tablekit.compat.PINNED_VARIABLES), the newest that provider accepts."
  type        = string
  default     = "python3.13"
}

variable "alarm_sns_topic_arn" {
  description = "SNS topic for alarms; null leaves alarms without actions."
  type        = string
  default     = null
}

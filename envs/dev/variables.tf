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
  description = "Lambda runtime of the stream processor. Runs on the offline double (hashicorp/aws 3.39) get the newest runtime that provider accepts from the harness (tablekit.staging.compat.PINNED_VARIABLES); a real account runs this value."
  type        = string
  default     = "python3.13"
}

variable "alarm_sns_topic_arn" {
  description = "SNS topic for alarms; null leaves alarms without actions."
  type        = string
  default     = null
}

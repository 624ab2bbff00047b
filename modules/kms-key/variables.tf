variable "alias_name" {
  description = "Alias of the key, with the \"alias/\" prefix, e.g. \"alias/tablekit-prod-tables\". Unique per account and region."
  type        = string

  validation {
    condition     = can(regex("^alias/[a-zA-Z0-9/_-]{1,250}$", var.alias_name)) && !can(regex("^alias/aws/", var.alias_name))
    error_message = "The alias_name must look like alias/tablekit-prod-tables: \"alias/\" then 1-250 characters from [a-zA-Z0-9/_-], not starting with alias/aws/ (reserved for AWS-managed keys)."
  }
}

variable "description" {
  description = "Description of the key (shown in the KMS console)."
  type        = string
  default     = "SSE of the DynamoDB table families"
}

variable "deletion_window_in_days" {
  description = "Days between `terraform destroy` and the key's deletion (7-30); data encrypted with it is unreadable once it is gone."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "The deletion_window_in_days must be between 7 and 30."
  }
}

variable "via_services" {
  description = "Services through which principals of this account may use the key (kms:ViaService in the key's region), e.g. [\"dynamodb\", \"sqs\", \"backup\"]."
  type        = list(string)
  default     = ["dynamodb", "sqs"]

  validation {
    condition     = length(var.via_services) > 0 && alltrue([for s in var.via_services : can(regex("^[a-z0-9-]+$", s))])
    error_message = "The via_services must be a non-empty list of service endpoint prefixes such as \"dynamodb\" or \"sqs\"."
  }
}

variable "tags" {
  description = "Tags of the key (ManagedBy = terraform is added)."
  type        = map(string)
  default     = {}
}

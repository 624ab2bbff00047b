variable "bucket_name" {
  description = "Name of the S3 bucket that holds the Terraform state of every env (globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name)) && !can(regex("\\.\\.|^\\d+\\.\\d+\\.\\d+\\.\\d+$", var.bucket_name))
    error_message = "The bucket_name must be 3-63 characters of a-z, 0-9, '.' and '-', start and end with a letter or digit, and not look like an IP address (e.g. \"my-org-tablekit-state\")."
  }
}

variable "lock_table_name" {
  description = "Name of the DynamoDB table Terraform uses for state locks (hash key LockID)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.lock_table_name))
    error_message = "The lock_table_name must be 3-255 characters of a-z, A-Z, 0-9, '_', '.' and '-' (e.g. \"tablekit-terraform-locks\")."
  }
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key ARN for the bucket (aws:kms) and the lock table; null = AES256 on the bucket and the AWS-owned key on the table."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-zA-Z-]*:kms:", var.kms_key_arn))
    error_message = "The kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID) or null for AES256."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days an overwritten state version is kept before S3 deletes it (the window to roll a bad state back)."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "The noncurrent_version_expiration_days must be a whole number of days >= 1 (e.g. 90)."
  }
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after which S3 drops the parts of an interrupted upload."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_multipart_upload_days >= 1 && floor(var.abort_incomplete_multipart_upload_days) == var.abort_incomplete_multipart_upload_days
    error_message = "The abort_incomplete_multipart_upload_days must be a whole number of days >= 1 (e.g. 7)."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the bucket with every state version in it. Keep false anywhere real state lives."
  type        = bool
  default     = false
}

variable "state_keys" {
  description = "Env name => object key of its state file; one ready backend.hcl text is output per entry."
  type        = map(string)
  default = {
    dev  = "dev/terraform.tfstate"
    prod = "prod/terraform.tfstate"
  }

  validation {
    condition     = alltrue([for key in values(var.state_keys) : can(regex("^[^/].*[^/]$", key))])
    error_message = "Every state_keys value must be an object key without a leading or trailing '/' (e.g. \"dev/terraform.tfstate\")."
  }
}

variable "enforce_tls" {
  description = "Deny every request to the bucket that does not use TLS (aws:SecureTransport = false). Set false only for a local endpoint without TLS: moto ignores the condition and would deny every request."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags on the bucket and the lock table."
  type        = map(string)
  default     = {}
}

# Smallest useful table: on-demand, composite key, TTL, PITR (module defaults) and SSE with a
# customer-managed key created here. Run: terraform init && terraform apply -var region=eu-west-1

terraform {
  # >= 1.1: every address change inside a module ships as a `moved` block (docs/architecture.md);
  # the offline double (1.0.3) runs a relaxed staged copy (tablekit.staging.compat). A new major may change
  # the language, so < 2.0.
  required_version = ">= 1.1.0, < 2.0.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # >= 6.0: written and schema-checked for hashicorp/aws 6.x (6.66.0). Every argument used here
      # exists since 6.0 (the newest, PITR recovery_period_in_days, arrived in 5.x), and 6.0 is the
      # major whose breaking changes (e.g. data.aws_region) the code follows. < 7.0: a new major
      # may remove what 6.x deprecates.
      version = ">= 6.0, < 7.0"
    }
  }
}

variable "region" {
  description = "AWS region to create the example table in."
  type        = string
  default     = "eu-west-1"
}

provider "aws" {
  region = var.region
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

# A customer-managed key with rotation. Its policy is the default key policy: the account
# administers the key and IAM policies decide who may use it (DynamoDB uses it on behalf of the
# callers of the table). The collection's envs use modules/kms-key, which also limits use to
# chosen services.
resource "aws_kms_key" "table" {
  description             = "SSE of the example-sessions table"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AccountAdministersThroughIAM"
      Effect    = "Allow"
      Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

module "sessions" {
  source = "../../"

  name = "example-sessions"
  schema = {
    hash_key      = { name = "userID", type = "S" }
    range_key     = { name = "sessionID", type = "S" }
    ttl_attribute = "expiresAt"
  }
  sse_kms_key_arn = aws_kms_key.table.arn
  tags            = { Environment = "example" }
  # An example is made to be destroyed again; tables that hold data keep the default (true).
  deletion_protection_enabled = false
}

output "key_schema" {
  description = "Key schema of the example table (the shape tooling reads)."
  value       = module.sessions.key_schema
}

output "table_arn" {
  description = "ARN of the example table."
  value       = module.sessions.arn
}

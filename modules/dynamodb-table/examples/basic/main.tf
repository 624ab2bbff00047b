# Smallest useful table: on-demand, composite key, TTL, PITR and SSE with the AWS-managed key
# (module defaults). Run: terraform init && terraform apply -var region=eu-west-1

terraform {
  required_version = ">= 1.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 3.39"
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

module "sessions" {
  source = "../../"

  name = "example-sessions"
  schema = {
    hash_key      = { name = "userID", type = "S" }
    range_key     = { name = "sessionID", type = "S" }
    ttl_attribute = "expiresAt"
  }
  tags = { Environment = "example" }
}

output "key_schema" {
  description = "Key schema of the example table (the shape tooling reads)."
  value       = module.sessions.key_schema
}

output "table_arn" {
  description = "ARN of the example table."
  value       = module.sessions.arn
}

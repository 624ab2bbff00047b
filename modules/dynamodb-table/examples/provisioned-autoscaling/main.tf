# Provisioned capacity with target-tracking autoscaling for the table and its GSI, a stream, and
# throttle/system-error alarms notifying an encrypted SNS topic. One customer-managed key encrypts
# the table and the topic.
# Run: terraform init && terraform apply -var region=eu-west-1

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
  description = "AWS region to create the example resources in."
  type        = string
  default     = "eu-west-1"
}

provider "aws" {
  region = var.region
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

# CloudWatch alarms can publish to an encrypted topic only if the topic's key lets CloudWatch
# use it. The policy of the AWS-managed SNS key (alias/aws/sns) cannot be changed to allow that,
# so alarm notifications to a topic encrypted with it fail: the topic needs a customer-managed key.
resource "aws_kms_key" "orders" {
  description             = "SSE of the example-orders table and its alarm topic"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministersThroughIAM"
        Effect    = "Allow"
        Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchAlarmsPublishToTheTopic"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        # Only alarms of this account (no confused deputy).
        Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
      },
    ]
  })
}

resource "aws_sns_topic" "alerts" {
  name              = "example-orders-alerts"
  kms_master_key_id = aws_kms_key.orders.arn
}

module "orders" {
  source = "../../"

  name = "example-orders"
  schema = {
    hash_key  = { name = "orderID", type = "S" }
    range_key = { name = "createdAt", type = "N" }
    global_secondary_indexes = [
      {
        name      = "by-customer"
        hash_key  = { name = "customerID", type = "S" }
        range_key = { name = "createdAt", type = "N" }
      },
    ]
  }
  billing = {
    mode               = "PROVISIONED"
    read               = { min = 5, max = 100 }
    write              = { min = 5, max = 50 }
    target_utilization = 70
  }
  stream_view_type = "NEW_IMAGE"
  sse_kms_key_arn  = aws_kms_key.orders.arn
  alarms = {
    enabled = true
    actions = [aws_sns_topic.alerts.arn]
  }
  tags = { Environment = "example" }
  # An example is made to be destroyed again; tables that hold data keep the default (true).
  deletion_protection_enabled = false
}

output "index_arns" {
  description = "ARNs of the example table's indexes."
  value       = module.orders.index_arns
}

output "alarm_arns" {
  description = "Alarm name => ARN of the example alarms."
  value       = module.orders.alarm_arns
}

output "stream_arn" {
  description = "ARN of the example table's stream."
  value       = module.orders.stream_arn
}

# Provisioned capacity with target-tracking autoscaling for the table and its GSI, a stream, and
# throttle/system-error alarms notifying an SNS topic.
# Run: terraform init && terraform apply -var region=eu-west-1

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
  description = "AWS region to create the example resources in."
  type        = string
  default     = "eu-west-1"
}

provider "aws" {
  region = var.region
}

resource "aws_sns_topic" "alerts" {
  name = "example-orders-alerts"
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
  alarms = {
    enabled = true
    actions = [aws_sns_topic.alerts.arn]
  }
  tags = { Environment = "example" }
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

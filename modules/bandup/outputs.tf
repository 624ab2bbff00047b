# The family contract (docs/architecture.md) plus the BandUp IAM policy and Lambda environment.

output "tables" {
  description = "Real table name => key schema (the generic module's key_schema); the seed loader reads it."
  value       = { for key, table in module.table : table.name => table.key_schema }
}

output "table_names" {
  description = "Logical key (evaluations, flashcard_sets) => real table name."
  value       = { for key, table in module.table : key => table.name }
}

output "table_arns" {
  description = "Real table name => table ARN."
  value       = { for key, table in module.table : table.name => table.arn }
}

output "stream_arns" {
  description = "Real table name => stream ARN, for tables with a stream (none in BandUp: the map is empty)."
  value       = { for key, table in module.table : table.name => table.stream_arn if local.tables[key].stream_view_type != null }
}

output "app_config" {
  description = "Environment variable => table name: DYNAMODB_ + the upper-case logical key (DYNAMODB_EVALUATIONS, DYNAMODB_FLASHCARD_SETS), as the seed's Lambda functions read them."
  value       = local.app_config
}

output "lambda_environment" {
  description = "The Lambda environment map of the seed (DYNAMODB_EVALUATIONS, DYNAMODB_FLASHCARD_SETS); same as app_config."
  value       = local.app_config
}

output "iam_policy_json" {
  description = "IAM policy document (JSON): PutItem, GetItem, UpdateItem, Query on both tables and their indexes."
  value       = data.aws_iam_policy_document.access.json
}

output "iam_resource_arns" {
  description = "Every ARN the policy grants: both table ARNs and every index ARN."
  value       = local.iam_resource_arns
}

output "iam_role_policy_name" {
  description = "Name of the inline policy attached to attach_to_role_name, or null when not attached."
  value       = one(aws_iam_role_policy.access[*].name)
}

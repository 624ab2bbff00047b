# The family contract (docs/architecture.md) plus the stream processor's identifiers.

output "tables" {
  description = "Real table name => key schema (the generic module's key_schema); the seed loader reads it."
  value       = { (local.table.name) = local.table.key_schema }
}

output "table_names" {
  description = "Logical key (university) => real table name."
  value       = { university = local.table.name }
}

output "table_arns" {
  description = "Real table name => table ARN."
  value       = { (local.table.name) = local.table.arn }
}

output "stream_arns" {
  description = "Real table name => stream ARN (NEW_AND_OLD_IMAGES); {} while stream_enabled = false."
  value       = { for name, arn in { (local.table.name) = local.table.stream_arn } : name => arn if var.stream_enabled }
}

output "app_config" {
  description = "Environment variable => table name: DYNAMODB_UNIVERSITY."
  value       = local.app_config
}

output "index_arns" {
  description = "GSI name => ARN (studentID-index, entityType-courseDate-index)."
  value       = local.table.index_arns
}

output "replica_regions" {
  description = "Regions holding a global-table replica (empty unless set, e.g. in prod)."
  value       = var.replica_regions
}

output "stream_processor_function_name" {
  description = "Stream processor function name, or null when stream_processor_enabled = false."
  value       = one(aws_lambda_function.processor[*].function_name)
}

output "stream_processor_function_arn" {
  description = "Stream processor function ARN, or null."
  value       = one(aws_lambda_function.processor[*].arn)
}

output "stream_processor_role_arn" {
  description = "Execution role ARN of the processor, or null."
  value       = one(aws_iam_role.processor[*].arn)
}

output "dlq_arn" {
  description = "ARN of the SQS queue receiving failed-batch metadata (on-failure destination), or null."
  value       = one(aws_sqs_queue.dlq[*].arn)
}

output "dlq_url" {
  description = "URL of the DLQ (pass it to tablekit.stream.drain(dlq_url=...) locally), or null."
  value       = one(aws_sqs_queue.dlq[*].id)
}

output "event_source_mapping_uuid" {
  description = "UUID of the stream => processor mapping, or null where none is created (local)."
  value       = one(aws_lambda_event_source_mapping.stream[*].uuid)
}

output "processor_iam_policy_json" {
  description = "The processor's policy except the stream statement (aggregate items, DLQ, logs, X-Ray), as planned; null without the processor."
  value       = one(data.aws_iam_policy_document.processor[*].json)
}

output "alarm_arns" {
  description = "Alarm name => ARN: table/GSI alarms of the generic module plus the processor alarms ({} while alarms are off)."
  value = merge(
    local.table.alarm_arns,
    { for a in aws_cloudwatch_metric_alarm.processor : a.alarm_name => a.arn },
  )
}

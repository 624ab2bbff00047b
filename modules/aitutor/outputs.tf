# The family contract (docs/architecture.md).

output "tables" {
  description = "Real table name => key schema (the generic module's key_schema); the seed loader reads it."
  value       = { for key, table in module.table : table.name => table.key_schema }
}

output "table_names" {
  description = "Logical key (users, modules, chat_messages...) => real table name."
  value       = { for key, table in module.table : key => table.name }
}

output "table_arns" {
  description = "Real table name => table ARN."
  value       = { for key, table in module.table : table.name => table.arn }
}

output "stream_arns" {
  description = "Real table name => stream ARN (every AI Tutor table streams NEW_AND_OLD_IMAGES)."
  value       = { for key, table in module.table : table.name => table.stream_arn }
}

output "app_config" {
  description = "Environment variable => table name: AITUTOR_ + the upper-case logical key + _TABLE (AITUTOR_USERS_TABLE, AITUTOR_CHAT_MESSAGES_TABLE...)."
  value       = local.app_config
}

output "alarm_arns" {
  description = "Real table name => the generic module's alarm_arns for that table (empty when alarms_enabled is false)."
  value       = { for key, table in module.table : table.name => table.alarm_arns }
}

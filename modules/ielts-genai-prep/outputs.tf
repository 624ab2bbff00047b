# The family contract (docs/architecture.md) plus the backup plan.

output "tables" {
  description = "Real table name => key schema (the generic module's key_schema); the seed loader reads it."
  value       = { for key, table in module.table : table.name => table.key_schema }
}

output "table_names" {
  description = "Logical key (users, sessions, rubrics...) => real table name."
  value       = { for key, table in module.table : key => table.name }
}

output "table_arns" {
  description = "Real table name => table ARN."
  value       = { for key, table in module.table : table.name => table.arn }
}

output "stream_arns" {
  description = "Real table name => stream ARN, for tables with a stream (none in this family: the map is empty)."
  value       = { for key, table in module.table : table.name => table.stream_arn if try(local.tables[key].stream_view_type, null) != null }
}

output "app_config" {
  description = "Environment variable => table name: the upper-case logical key + _TABLE (USERS_TABLE, SESSIONS_TABLE, RUBRICS_TABLE...)."
  value       = local.app_config
}

output "backup_plan_arn" {
  description = "ARN of the daily 35-day AWS Backup plan, or null when backup_enabled is false."
  value       = one(aws_backup_plan.this[*].arn)
}

output "backup_vault_name" {
  description = "Name of the backup vault, or null when backup_enabled is false."
  value       = one(aws_backup_vault.this[*].name)
}

output "backup_selection_tag" {
  description = "The tag (key => value) that puts a resource in the backup plan; set on every table when backup_enabled."
  value       = local.backup_tag
}

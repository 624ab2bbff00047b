output "tables" {
  description = "Every table of the estate: real name => key schema (read by the seed loader)."
  value       = local.table_names_unique ? local.all_tables : {}
}

output "app_config" {
  description = "Environment-variable name => table name for application code, across all families."
  value       = merge([for family in values(local.families) : family.app_config]...)
}

output "table_arns" {
  description = "Real table name => table ARN."
  value       = merge([for family in values(local.families) : family.table_arns]...)
}

output "stream_arns" {
  description = "Real table name => stream ARN, for tables with streams on."
  value       = merge([for family in values(local.families) : family.stream_arns]...)
}

output "families" {
  description = "Family name => list of its real table names."
  value       = { for name, family in local.families : name => sort(keys(family.tables)) }
}

output "university" {
  description = "Stream-processor wiring of the university family (function, DLQ, table)."
  value = {
    table_name    = module.university.table_names["university"]
    function_name = module.university.stream_processor_function_name
    dlq_url       = module.university.dlq_url
  }
}

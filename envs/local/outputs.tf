output "tables" {
  description = "Every table of the estate: real name => key schema (read by the seed loader)."
  value       = module.estate.tables
}

output "app_config" {
  description = "Environment-variable name => table name, for application code."
  value       = module.estate.app_config
}

output "table_arns" {
  description = "Real table name => ARN."
  value       = module.estate.table_arns
}

output "stream_arns" {
  description = "Real table name => stream ARN, for tables with streams on."
  value       = module.estate.stream_arns
}

output "families" {
  description = "Family name => its real table names."
  value       = module.estate.families
}

output "university" {
  description = "Stream-processor wiring of the university family."
  value       = module.estate.university
}

output "table_name" {
  description = "The table the items were written to."
  value       = var.table_name
}

output "item_keys" {
  description = "Stable keys of the managed items, sorted."
  value       = sort(keys(aws_dynamodb_table_item.this))
}

output "items" {
  description = "Stable key => the DynamoDB JSON written for that item (what the plan shows)."
  value       = { for key, item in aws_dynamodb_table_item.this : key => item.item }
}

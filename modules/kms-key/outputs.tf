output "arn" {
  description = "ARN of the key: pass it as kms_key_arn (tables, queues, backup vaults)."
  value       = aws_kms_key.this.arn
}

output "key_id" {
  description = "Key ID."
  value       = aws_kms_key.this.key_id
}

output "alias_name" {
  description = "Alias of the key (\"alias/...\")."
  value       = aws_kms_alias.this.name
}

output "alias_arn" {
  description = "ARN of the alias."
  value       = aws_kms_alias.this.arn
}

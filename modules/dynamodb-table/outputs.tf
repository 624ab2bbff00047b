output "name" {
  description = "Table name."
  value       = aws_dynamodb_table.this.name
}

output "arn" {
  description = "Table ARN."
  value       = aws_dynamodb_table.this.arn
}

output "id" {
  description = "Terraform ID of the table (equal to its name)."
  value       = aws_dynamodb_table.this.id
}

output "stream_arn" {
  description = "ARN of the latest DynamoDB stream, or null while stream_view_type is null."
  value       = local.stream_enabled ? aws_dynamodb_table.this.stream_arn : null
}

output "stream_label" {
  description = "Timestamp label of the latest DynamoDB stream, or null while stream_view_type is null."
  value       = local.stream_enabled ? aws_dynamodb_table.this.stream_label : null
}

output "index_arns" {
  description = "Map of index name => index ARN for every global and local secondary index."
  value       = { for n in concat(local.gsi_names, [for l in local.lsis : l.name]) : n => "${aws_dynamodb_table.this.arn}/index/${n}" }
}

output "iam_resource_arns" {
  description = "Table ARN followed by every index ARN (sorted by index name), ready for the Resource list of an IAM policy statement."
  value       = concat([aws_dynamodb_table.this.arn], [for n in sort(concat(local.gsi_names, [for l in local.lsis : l.name])) : "${aws_dynamodb_table.this.arn}/index/${n}"])
}

output "alarm_arns" {
  description = "Map of alarm name => CloudWatch alarm ARN ({} while alarms are disabled)."
  value       = { for a in aws_cloudwatch_metric_alarm.this : a.alarm_name => a.arn }
}

output "key_schema" {
  description = "Key schema for tooling (the seed loader validates rows against it; DynamoDB Local tables are created from it): name, hash_key and range_key ({ name, type } or null), attributes (name => type), indexes (name => { hash_key, range_key, kind = GSI|LSI, projection_type, non_key_attributes }), ttl_attribute and stream_view_type (null when unset). Known at plan time."
  value = {
    name       = var.name
    hash_key   = local.hash_key
    range_key  = local.range_key
    attributes = local.attributes
    indexes = merge(
      { for g in local.gsis : g.name => { hash_key = g.hash_key.name, range_key = g.range_key == null ? null : g.range_key.name, kind = "GSI", projection_type = g.projection_type, non_key_attributes = g.non_key_attributes } },
      { for l in local.lsis : l.name => { hash_key = local.hash_key.name, range_key = l.range_key.name, kind = "LSI", projection_type = l.projection_type, non_key_attributes = l.non_key_attributes } },
    )
    ttl_attribute    = local.ttl_attribute
    stream_view_type = var.stream_view_type
  }
}

output "replicas" {
  description = "Map of replica Region => { arn, stream_arn } of every global-table replica ({} without replicas). Known after apply; null attributes on the offline 3.39 double, whose replicas have neither."
  value       = { for r in aws_dynamodb_table.this.replica : r.region_name => { arn = try(r.arn, null), stream_arn = try(r.stream_arn, null) } }
}

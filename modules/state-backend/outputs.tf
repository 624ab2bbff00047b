output "bucket_name" {
  description = "Name of the state bucket."
  value       = aws_s3_bucket.state.id
}

output "bucket_arn" {
  description = "ARN of the state bucket (for IAM policies of CI roles)."
  value       = aws_s3_bucket.state.arn
}

output "lock_table_name" {
  description = "Name of the DynamoDB lock table."
  value       = aws_dynamodb_table.lock.name
}

output "lock_table_arn" {
  description = "ARN of the DynamoDB lock table (for IAM policies of CI roles)."
  value       = aws_dynamodb_table.lock.arn
}

output "region" {
  description = "Region of the bucket and the lock table."
  value       = data.aws_region.current.id
}

output "backend_hcl" {
  description = "Env name => ready text of envs/<env>/backend.hcl (partial S3 backend configuration)."
  value = {
    for env, key in var.state_keys : env => "${join("\n", compact([
      "# Generated from modules/state-backend; used with `terraform init -backend-config=backend.hcl`.",
      "bucket         = \"${aws_s3_bucket.state.id}\"",
      "key            = \"${key}\"",
      "region         = \"${data.aws_region.current.id}\"",
      "dynamodb_table = \"${aws_dynamodb_table.lock.name}\"",
      "encrypt        = true",
      local.kms ? "kms_key_id     = \"${var.kms_key_arn}\"" : "",
    ]))}\n"
  }
}

# dev: the full estate in real AWS with alarms on. Table names keep the contract names unless
# name_prefix is set (when dev shares an account with prod).

# Every env encrypts its tables (and the stream processor's DLQ) with a customer-managed key.
module "kms" {
  source      = "../../modules/kms-key"
  alias_name  = "alias/${var.name_prefix}tablekit-dev-tables"
  description = "SSE for the DynamoDB table families (dev)"
  tags        = { Environment = "dev", Owner = "platform" }
}

module "estate" {
  source          = "../../modules/estate"
  environment     = "dev"
  name_prefix     = var.name_prefix
  tags            = { Owner = "platform" }
  kms_key_arn     = module.kms.arn
  alarms_enabled  = true
  alarm_actions   = var.alarm_sns_topic_arn == null ? [] : [var.alarm_sns_topic_arn]
  lambda_zip_path = var.lambda_zip_path
  lambda_runtime  = var.lambda_runtime
  # DynamoDB refuses to delete a protected table: a destroy must first apply this as false.
  deletion_protection_enabled = true
}

# prod: the full estate with customer-managed KMS keys (rotation on), AWS Backup for the IELTS
# tables, alarms to the on-call SNS topic and a global-table replica of the university table.

# Customer-managed keys (modules/kms-key: rotation, 30-day deletion window, key policy, alias).
# The tables key also encrypts the stream processor's DLQ and the IELTS backup vault.
module "kms" {
  source       = "../../modules/kms-key"
  alias_name   = "alias/tablekit-prod-tables"
  description  = "SSE for the DynamoDB table families (prod)"
  via_services = ["dynamodb", "sqs", "backup"]
  tags         = { Environment = "prod", Owner = "platform" }
}

# A global-table replica encrypted with a customer-managed key needs a key in its own region.
module "kms_replica" {
  source = "../../modules/kms-key"
  providers = {
    aws = aws.replica
  }
  alias_name  = "alias/tablekit-prod-tables"
  description = "SSE for the university table replica in ${var.replica_region} (prod)"
  tags        = { Environment = "prod", Owner = "platform" }
}

module "estate" {
  source               = "../../modules/estate"
  environment          = "prod"
  tags                 = { Owner = "platform" }
  kms_key_arn          = module.kms.arn
  alarms_enabled       = true
  alarm_actions        = [var.alarm_sns_topic_arn]
  backup_enabled       = true
  replica_regions      = [var.replica_region]
  replica_kms_key_arns = { (var.replica_region) = module.kms_replica.arn }
  lambda_zip_path      = var.lambda_zip_path
  lambda_runtime       = var.lambda_runtime
  # DynamoDB refuses to delete a protected table (and its replica): a destroy must first apply
  # this as false. 35 days is DynamoDB's maximum PITR window, stated so a review sees it.
  deletion_protection_enabled        = true
  point_in_time_recovery_period_days = 35
}

# prod: the full estate with a customer-managed KMS key (rotation on), AWS Backup for the IELTS
# tables, alarms to the on-call SNS topic and global-table replicas of the university table.

resource "aws_kms_key" "tables" {
  description             = "SSE for the DynamoDB table families (prod)"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  tags                    = { Environment = "prod", ManagedBy = "terraform" }
}

resource "aws_kms_alias" "tables" {
  name          = "alias/tablekit-prod-tables"
  target_key_id = aws_kms_key.tables.key_id
}

module "estate" {
  source          = "../../modules/estate"
  environment     = "prod"
  tags            = { Owner = "platform" }
  kms_key_arn     = aws_kms_key.tables.arn
  alarms_enabled  = true
  alarm_actions   = [var.alarm_sns_topic_arn]
  backup_enabled  = true
  replica_regions = var.replica_regions
  lambda_zip_path = var.lambda_zip_path
  lambda_runtime  = var.lambda_runtime
}

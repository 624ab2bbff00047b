# prod: the full estate with customer-managed KMS keys (rotation on), AWS Backup for the IELTS
# tables, alarms to the on-call SNS topic and a global-table replica of the university table.

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "table_key" {
  # The account administers the key through IAM; DynamoDB may use it only on behalf of callers in
  # this account (kms:ViaService), which is what table SSE needs.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "DynamoDBUsesKey"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:CallerAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
    condition {
      test     = "StringLike"
      variable = "kms:ViaService"
      values   = ["dynamodb.*.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "tables" {
  description             = "SSE for the DynamoDB table families (prod)"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.table_key.json
  tags                    = { Environment = "prod", ManagedBy = "terraform" }
}

resource "aws_kms_alias" "tables" {
  name          = "alias/tablekit-prod-tables"
  target_key_id = aws_kms_key.tables.key_id
}

resource "aws_kms_key" "replica" {
  provider                = aws.replica
  description             = "SSE for the university table replica in ${var.replica_region} (prod)"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.table_key.json
  tags                    = { Environment = "prod", ManagedBy = "terraform" }
}

module "estate" {
  source               = "../../modules/estate"
  environment          = "prod"
  tags                 = { Owner = "platform" }
  kms_key_arn          = aws_kms_key.tables.arn
  alarms_enabled       = true
  alarm_actions        = [var.alarm_sns_topic_arn]
  backup_enabled       = true
  replica_regions      = [var.replica_region]
  replica_kms_key_arns = { (var.replica_region) = aws_kms_key.replica.arn }
  lambda_zip_path      = var.lambda_zip_path
  lambda_runtime       = var.lambda_runtime
}

# Remote state for envs/dev and envs/prod: one versioned, encrypted, private S3 bucket and one
# DynamoDB lock table. The bucket's own state stays local (bootstrap problem); `tablekit state
# bootstrap` keeps it under build/state-backend/.
#
# versioning, server_side_encryption_configuration and lifecycle_rule are inline blocks because
# hashicorp/aws 3.39 (the offline provider) has no aws_s3_bucket_versioning & co. Providers 4.x and
# 5.x still accept them with deprecation warnings; see README.md.

data "aws_region" "current" {}

locals {
  kms           = var.kms_key_arn != null
  sse_algorithm = local.kms ? "aws:kms" : "AES256"
  tags          = merge({ Purpose = "terraform-state", ManagedBy = "terraform" }, var.tags)
}

resource "aws_s3_bucket" "state" {
  #checkov:skip=CKV_AWS_18:Access logs would need a second bucket whose state is again local; CloudTrail data events are the audit trail for state reads/writes.
  #checkov:skip=CKV_AWS_144:Cross-region replication of state is a per-organisation DR decision; versioning plus the lifecycle window covers accidental overwrites.
  #checkov:skip=CKV2_AWS_62:Nothing consumes state-change events; Terraform reads the bucket directly.
  #checkov:skip=CKV_AWS_145:AES256 is the default so the module works without a KMS key; pass kms_key_arn for aws:kms with a customer-managed key.
  bucket        = var.bucket_name
  force_destroy = var.force_destroy
  tags          = local.tags

  versioning {
    enabled = true
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm     = local.sse_algorithm
        kms_master_key_id = var.kms_key_arn
      }
    }
  }

  lifecycle_rule {
    id                                     = "expire-noncurrent-state-versions"
    enabled                                = true
    abort_incomplete_multipart_upload_days = var.abort_incomplete_multipart_upload_days

    noncurrent_version_expiration {
      days = var.noncurrent_version_expiration_days
    }
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

data "aws_iam_policy_document" "tls_only" {
  count = var.enforce_tls ? 1 : 0

  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.state.arn,
      "${aws_s3_bucket.state.arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "tls_only" {
  count = var.enforce_tls ? 1 : 0

  bucket = aws_s3_bucket.state.id
  policy = data.aws_iam_policy_document.tls_only[0].json

  # S3 rejects a policy and a public access block written at the same time (OperationAborted).
  depends_on = [aws_s3_bucket_public_access_block.state]
}

resource "aws_dynamodb_table" "lock" {
  #checkov:skip=CKV_AWS_119:The lock table holds only lock IDs and state digests; it uses the customer-managed key whenever kms_key_arn is set.
  name         = var.lock_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "LockID"
  tags         = local.tags

  attribute {
    name = "LockID"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }
}

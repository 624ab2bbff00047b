# One customer-managed KMS key for the table families of an environment: rotation on, a deletion
# window, a key policy and an alias. Envs create one per region that holds tables (prod: the
# primary region and the replica region, each with its own provider).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account = data.aws_caller_identity.current.account_id
  # kms:ViaService values: the services may use the key only in the key's own region.
  via_services = [for s in var.via_services : "${s}.${data.aws_region.current.id}.${data.aws_partition.current.dns_suffix}"]
}

data "aws_iam_policy_document" "kms_key_policy" {
  # In a key policy, "*" as resource means "this key" (a key policy is attached to one key).
  #checkov:skip=CKV_AWS_109:Key policy, not an IAM policy: resources "*" means this key only, and the account root must administer it or the key becomes unmanageable.
  #checkov:skip=CKV_AWS_111:Key policy, not an IAM policy: resources "*" means this key only; write access is limited to the account (root delegates to IAM) and to the listed services via kms:ViaService + kms:CallerAccount.
  #checkov:skip=CKV_AWS_356:Key policy, not an IAM policy: resources "*" means this key only (a key policy cannot name other resources).

  # The account administers and uses the key through IAM policies (the default key policy):
  # without this statement nobody could change the key policy again.
  statement {
    sid       = "AccountAdministersThroughIAM"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${local.account}:root"]
    }
  }

  # Principals of this account may use the key only through the listed services (table SSE,
  # queue SSE, ...), which is what server-side encryption needs; direct kms:Decrypt calls still
  # need an IAM permission.
  statement {
    sid    = "AccountUsesKeyViaServices"
    effect = "Allow"
    actions = [
      "kms:CreateGrant",
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:GenerateDataKey*",
      "kms:ReEncrypt*",
    ]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:CallerAccount"
      values   = [local.account]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = local.via_services
    }
  }
}

resource "aws_kms_key" "this" {
  description             = var.description
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = data.aws_iam_policy_document.kms_key_policy.json
  tags                    = merge(var.tags, { ManagedBy = "terraform" })
}

resource "aws_kms_alias" "this" {
  name          = var.alias_name
  target_key_id = aws_kms_key.this.key_id
}

# IELTS GenAI Prep: the tables of tables.tf, and (backup_enabled) an AWS Backup plan for them.

locals {
  project = "ielts-genai-prep"

  # Terraform 1.0 validation blocks cannot compare two variables, so the rule "only dev gets a
  # prefix" is enforced here; the plan stops with this message instead of renaming prod tables.
  name_prefix = var.name_prefix == "" || var.environment == "dev" ? var.name_prefix : tobool(
    "ERROR: name_prefix is for dev only; local and prod keep the contract table names. Set name_prefix = \"\" for ${var.environment}."
  )

  # Tables carrying this tag are what the backup selection picks up.
  backup_tag = { Backup = "daily-35d" }
  tags = merge(
    var.tags,
    { Project = local.project, Environment = var.environment },
    var.backup_enabled ? local.backup_tag : {},
  )

  # Environment variable => table name. Scheme: <LOGICAL_KEY>_TABLE (USERS_TABLE, SESSIONS_TABLE,
  # RUBRICS_TABLE...), matching SESSIONS_TABLE that lambda_speaking_handler already reads.
  app_config = { for key, table in module.table : "${upper(key)}_TABLE" => table.name }
}

module "table" {
  source   = "../dynamodb-table"
  for_each = local.tables

  name                               = "${local.name_prefix}${each.value.name}"
  schema                             = each.value.schema
  ttl_enabled                        = try(each.value.schema.ttl_attribute, null) != null
  billing                            = { mode = "PAY_PER_REQUEST" }
  point_in_time_recovery             = var.point_in_time_recovery
  sse_enabled                        = true
  sse_kms_key_arn                    = var.kms_key_arn
  stream_view_type                   = try(each.value.stream_view_type, null) # seed silent: no streams
  tags                               = local.tags
  alarms                             = { enabled = var.alarms_enabled, actions = var.alarm_actions }
  deletion_protection_enabled        = var.deletion_protection_enabled
  point_in_time_recovery_period_days = var.point_in_time_recovery_period_days
  table_class                        = var.table_class
  on_demand_throughput               = var.on_demand_throughput
  import_table                       = try(var.import_tables["${local.name_prefix}${each.value.name}"], null)
}

# --- AWS Backup (seed 001: daily backups, 35-day retention) --------------------------------------
# PITR covers the last 35 days to the second; the daily recovery points survive a table deletion
# and can be copied or locked, which PITR cannot.

resource "aws_backup_vault" "this" {
  count = var.backup_enabled ? 1 : 0

  name        = "${local.name_prefix}${local.project}"
  kms_key_arn = var.kms_key_arn
  tags        = merge(var.tags, { Project = local.project, Environment = var.environment })
}

resource "aws_backup_plan" "this" {
  count = var.backup_enabled ? 1 : 0

  name = "${local.name_prefix}${local.project}-daily-35d"
  tags = merge(var.tags, { Project = local.project, Environment = var.environment })

  rule {
    rule_name         = "daily"
    target_vault_name = aws_backup_vault.this[0].name
    schedule          = "cron(0 3 * * ? *)" # 03:00 UTC
    start_window      = 60
    completion_window = 360

    lifecycle {
      delete_after = 35
    }
  }
}

data "aws_partition" "current" {}

data "aws_iam_policy_document" "backup_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["backup.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "backup" {
  count = var.backup_enabled ? 1 : 0

  name               = "${local.name_prefix}${local.project}-backup"
  assume_role_policy = data.aws_iam_policy_document.backup_assume.json
  tags               = merge(var.tags, { Project = local.project, Environment = var.environment })
}

resource "aws_iam_role_policy_attachment" "backup" {
  count = var.backup_enabled ? 1 : 0

  role       = aws_iam_role.backup[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
}

resource "aws_backup_selection" "tables" {
  count = var.backup_enabled ? 1 : 0

  name         = "${local.name_prefix}${local.project}-tables"
  plan_id      = aws_backup_plan.this[0].id
  iam_role_arn = aws_iam_role.backup[0].arn

  selection_tag {
    type  = "STRINGEQUALS"
    key   = keys(local.backup_tag)[0]
    value = values(local.backup_tag)[0]
  }
}

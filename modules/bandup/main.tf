# BandUp: the two result tables of the evaluator and flashcard Lambdas, their access policy and
# the Lambda environment map. The tables themselves are declared in tables.tf.

locals {
  project = "bandup"

  # Terraform 1.0 validation blocks cannot compare two variables, so the rule "only dev gets a
  # prefix" is enforced here; the plan stops with this message instead of renaming prod tables.
  name_prefix = var.name_prefix == "" || var.environment == "dev" ? var.name_prefix : tobool(
    "ERROR: name_prefix is for dev only; local and prod keep the contract table names. Set name_prefix = \"\" for ${var.environment}."
  )

  tags = merge(var.tags, { Project = local.project, Environment = var.environment })

  # Environment variable => table name. Scheme: DYNAMODB_<LOGICAL_KEY>, the seed's Lambda variables.
  app_config = { for key, table in module.table : "DYNAMODB_${upper(key)}" => table.name }

  iam_resource_arns = flatten([for key in sort(keys(local.tables)) : module.table[key].iam_resource_arns])
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
  stream_view_type                   = each.value.stream_view_type
  tags                               = local.tags
  alarms                             = { enabled = var.alarms_enabled, actions = var.alarm_actions }
  deletion_protection_enabled        = var.deletion_protection_enabled
  point_in_time_recovery_period_days = var.point_in_time_recovery_period_days
  table_class                        = var.table_class
  on_demand_throughput               = var.on_demand_throughput
  import_table                       = try(var.import_tables["${local.name_prefix}${each.value.name}"], null)
}

# The seed's "IAM Policy for Lambda Access", scoped to both tables and, because the history
# queries go through user_id-created_at-index, to their index ARNs too. The data source renders
# JSON locally; it makes no AWS API call.
data "aws_iam_policy_document" "access" {
  statement {
    sid    = "DynamoDBAccess"
    effect = "Allow"
    actions = [
      "dynamodb:PutItem",
      "dynamodb:GetItem",
      "dynamodb:UpdateItem",
      "dynamodb:Query",
    ]
    resources = local.iam_resource_arns
  }
}

resource "aws_iam_role_policy" "access" {
  count = var.attach_to_role_name == null ? 0 : 1

  name   = "${local.name_prefix}bandup-dynamodb-access"
  role   = var.attach_to_role_name
  policy = data.aws_iam_policy_document.access.json
}

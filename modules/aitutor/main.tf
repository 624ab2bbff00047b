# AI Tutor: the twelve aitutor_* tables of tables.tf, each with a NEW_AND_OLD_IMAGES stream and
# (alarms_enabled) the seed's "Alarms to Set": high throttling, elevated errors, elevated latency.

locals {
  project = "aitutor"

  # Terraform 1.0 validation blocks cannot compare two variables, so the rule "only dev gets a
  # prefix" is enforced here; the plan stops with this message instead of renaming prod tables.
  name_prefix = var.name_prefix == "" || var.environment == "dev" ? var.name_prefix : tobool(
    "ERROR: name_prefix is for dev only; local and prod keep the contract table names. Set name_prefix = \"\" for ${var.environment}."
  )

  tags = merge(var.tags, { Project = local.project, Environment = var.environment })

  # Environment variable => table name. Scheme: AITUTOR_<LOGICAL_KEY>_TABLE (AITUTOR_USERS_TABLE...),
  # prefixed because "users" and "sessions" also exist in other families.
  app_config = { for key, table in module.table : "AITUTOR_${upper(key)}_TABLE" => table.name }

  # The seed's "Alarms to Set", per table through the generic module:
  #  - high throttling: any read/write throttle event of the table or a GSI in 5 minutes;
  #  - elevated errors: any SystemErrors in 5 minutes (UserErrors is one account-wide metric,
  #    not per table, so twelve copies of it would only page twelve times);
  #  - elevated latency: p99 SuccessfulRequestLatency above 100 ms for GetItem/Query/PutItem/UpdateItem
  #    (single-digit ms is normal for DynamoDB; 100 ms at p99 means something is wrong).
  alarms = {
    enabled                 = var.alarms_enabled
    actions                 = var.alarm_actions
    period                  = 300
    throttle_threshold      = 1
    system_errors_threshold = 1
    latency_threshold_ms    = 100
    latency_statistic       = "p99"
  }
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
  stream_view_type                   = local.stream_view_type
  tags                               = local.tags
  alarms                             = local.alarms
  deletion_protection_enabled        = var.deletion_protection_enabled
  point_in_time_recovery_period_days = var.point_in_time_recovery_period_days
  table_class                        = var.table_class
  on_demand_throughput               = var.on_demand_throughput
  import_table                       = try(var.import_tables["${local.name_prefix}${each.value.name}"], null)
}

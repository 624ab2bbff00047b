# University: the single-table `university` (tables.tf) and its stream processor (lambda.tf,
# alarms.tf). The table comes from the generic module; everything here is family wiring.

locals {
  project = "university"

  # Terraform 1.0 validation blocks cannot compare two variables, so cross-variable rules are
  # enforced here; the plan stops with the message instead of doing the wrong thing.
  name_prefix = var.name_prefix == "" || var.environment == "dev" ? var.name_prefix : tobool(
    "ERROR: name_prefix is for dev only; local and prod keep the contract table names. Set name_prefix = \"\" for ${var.environment}."
  )
  # The processor consumes the stream: turning the stream off needs the processor off too.
  stream_needed = var.stream_enabled || !var.stream_processor_enabled ? true : tobool(
    "ERROR: stream_enabled = false needs stream_processor_enabled = false: the stream processor reads the table's stream. Set both, or keep the stream on."
  )
  zip_given = !var.stream_processor_enabled || var.lambda_zip_path != null ? true : tobool(
    "ERROR: stream_processor_enabled = true needs lambda_zip_path: build it with `just build-lambda` (build/lambda/university-stream.zip) or set stream_processor_enabled = false."
  )
  replicas_allowed = length(var.replica_regions) == 0 || var.environment != "local" ? true : tobool(
    "ERROR: replica_regions must be empty in the local environment: the local endpoint cannot create global-table replicas (apply would hang)."
  )

  tags = merge(var.tags, { Project = local.project, Environment = var.environment })

  table_name = "${local.name_prefix}${local.tables.university.name}"
  table      = module.table["university"]

  # Environment variable => table name, as application code reads it.
  app_config = { DYNAMODB_UNIVERSITY = local.table.name }
}

module "table" {
  source   = "../dynamodb-table"
  for_each = local.replicas_allowed ? local.tables : {}

  name                   = "${local.name_prefix}${each.value.name}"
  schema                 = each.value.schema
  ttl_enabled            = true
  billing                = { mode = "PAY_PER_REQUEST" }
  point_in_time_recovery = var.point_in_time_recovery
  sse_enabled            = true
  sse_kms_key_arn        = var.kms_key_arn
  stream_view_type       = var.stream_enabled && local.stream_needed ? each.value.stream_view_type : null
  replica_regions        = var.replica_regions
  replica_kms_key_arns   = var.replica_kms_key_arns
  tags                   = local.tags
  # Throttle alarms on the table and on each GSI come from the generic module.
  alarms                             = { enabled = var.alarms_enabled, actions = var.alarm_actions }
  deletion_protection_enabled        = var.deletion_protection_enabled
  point_in_time_recovery_period_days = var.point_in_time_recovery_period_days
  table_class                        = var.table_class
  on_demand_throughput               = var.on_demand_throughput
  import_table                       = try(var.import_tables["${local.name_prefix}${each.value.name}"], null)
  replica_point_in_time_recovery     = var.replica_point_in_time_recovery
  replica_propagate_tags             = var.replica_propagate_tags
}

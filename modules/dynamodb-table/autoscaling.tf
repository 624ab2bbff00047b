# Application Auto Scaling target tracking for PROVISIONED tables: read and write capacity of the
# table and of every GSI. Created only in PROVISIONED mode; the table resource ignores capacity
# drift so scaling and Terraform do not fight.

locals {
  scaling_dimensions = {
    read  = { unit = "ReadCapacityUnits", metric = "DynamoDBReadCapacityUtilization" }
    write = { unit = "WriteCapacityUnits", metric = "DynamoDBWriteCapacityUtilization" }
  }

  # key => what to scale. Keys depend only on inputs, so for_each is known at plan time.
  scaling_targets = local.provisioned ? merge(
    {
      for dim, d in local.scaling_dimensions : "table:${dim}" => {
        dim       = dim
        index     = null
        dimension = "dynamodb:table:${d.unit}"
        metric    = d.metric
        min       = local.capacity[dim].min
        max       = local.capacity[dim].max
      }
    },
    {
      for pair in setproduct(distinct(local.gsi_names), keys(local.scaling_dimensions)) : "index:${pair[0]}:${pair[1]}" => {
        dim       = pair[1]
        index     = pair[0]
        dimension = "dynamodb:index:${local.scaling_dimensions[pair[1]].unit}"
        metric    = local.scaling_dimensions[pair[1]].metric
        min       = local.capacity[pair[1]].min
        max       = local.capacity[pair[1]].max
      }
    },
  ) : {}

  # Policy names are "<resource id with / as ->-<dim>-target-tracking", as they always were; names
  # over the 255 characters AWS accepts (long table and index names) keep their head and tail around
  # a hash of the full name. Names that fit never change (a new name replaces the policy).
  policy_full_names = {
    for key, t in local.scaling_targets : key => "${t.index == null ? "table-${var.name}" : "table-${var.name}-index-${t.index}"}-${t.dim}-target-tracking"
  }
  policy_names = {
    for key, name in local.policy_full_names : key => length(name) <= 255 ? name : "${substr(name, 0, 199)}-${substr(sha1(name), 0, 8)}-${substr(name, length(name) - 46, 46)}"
  }
}

resource "aws_appautoscaling_target" "this" {
  for_each = local.scaling_targets

  service_namespace = "dynamodb"
  # Referencing the table orders creation after a switch to PROVISIONED has been applied.
  resource_id        = each.value.index == null ? "table/${aws_dynamodb_table.this.name}" : "table/${aws_dynamodb_table.this.name}/index/${each.value.index}"
  scalable_dimension = each.value.dimension
  min_capacity       = each.value.min
  max_capacity       = each.value.max
}

resource "aws_appautoscaling_policy" "this" {
  for_each = local.scaling_targets

  name               = local.policy_names[each.key]
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.this[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.this[each.key].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = local.billing.target_utilization
    scale_in_cooldown  = local.billing.scale_in_cooldown
    scale_out_cooldown = local.billing.scale_out_cooldown

    predefined_metric_specification {
      predefined_metric_type = each.value.metric
    }
  }
}

# --- Autoscaling owns GSI capacity too (README "Autoscaling owns capacity") ----------------------
# The provider models GSIs as a set, so ignore_changes cannot reach one GSI's capacity. Instead the
# module writes back what the GSI has now: it reads the live table and plans each existing GSI at
# its live capacity (kept within billing min..max), and a new GSI at min. A plan therefore never
# undoes autoscaling, while adding, removing or changing a GSI still shows in the plan as before.
# Only PROVISIONED tables with GSIs read anything; on-demand tables plan exactly as before.

locals {
  follow_live_capacity = local.provisioned && length(local.gsis) > 0
}

# Does the table exist yet? ListTables (hashicorp/aws 6.x data source), skipped when the caller
# says which tables exist. On the offline 3.39 double the type is unknown: staging drops the block
# and the list reads as [] (every GSI plans at min, as before), unless existing_table_names is set.
data "aws_dynamodb_tables" "existing" {
  count = local.follow_live_capacity && var.existing_table_names == null ? 1 : 0
}

locals {
  existing_tables = var.existing_table_names != null ? var.existing_table_names : flatten([for l in data.aws_dynamodb_tables.existing : l.names])
}

# DescribeTable of the live table (both providers have this data source): its GSIs' capacity now.
data "aws_dynamodb_table" "live" {
  count = local.follow_live_capacity && contains(local.existing_tables, var.name) ? 1 : 0
  name  = var.name
}

locals {
  live_gsis = merge({}, [for t in data.aws_dynamodb_table.live : { for g in t.global_secondary_index : g.name => g }]...)
  # index name => { read, write } to plan: live capacity within min..max, min for a new GSI.
  gsi_capacity = {
    for g in local.gsis : g.name => {
      for dim in ["read", "write"] : dim => min(local.capacity[dim].max, max(local.capacity[dim].min, try(local.live_gsis[g.name]["${dim}_capacity"], 0)))
    } if local.provisioned
  }
}

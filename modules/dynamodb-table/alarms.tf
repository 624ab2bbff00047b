# CloudWatch alarms for one table: throttling of the table and of every GSI, system errors summed
# over the main operations (metric math, as SystemErrors is only published per operation), and
# optional user-error and latency alarms. One resource with for_each over alarm specs, so adding a
# GSI adds its alarms without touching the others.

locals {
  alarm_defaults = {
    enabled                  = false
    actions                  = []
    period                   = 300
    evaluation_periods       = 1
    throttle_threshold       = 1
    system_errors_threshold  = 1
    system_errors_operations = ["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems"]
    user_errors_threshold    = null
    latency_threshold_ms     = null
    latency_operations       = ["GetItem", "Query", "PutItem", "UpdateItem"]
    latency_statistic        = "Average"
    treat_missing_data       = "notBreaching"
  }
  alarm_settings = merge(local.alarm_defaults, var.alarms)
  alarms_enabled = local.alarm_settings.enabled == null ? false : tobool(local.alarm_settings.enabled)
  alarm_actions  = [for a in flatten([local.alarm_settings.actions]) : tostring(a) if a != null]

  # Every spec has the same attributes; `queries` is only non-empty for metric-math alarms.
  throttle_alarms = merge(
    {
      for op in ["Read", "Write"] : "${var.name}-${lower(op)}-throttles" => {
        description        = "${op} requests to table ${var.name} are being throttled."
        metric_name        = "${op}ThrottleEvents"
        dimensions         = { TableName = var.name }
        statistic          = "Sum"
        extended_statistic = null
        threshold          = local.alarm_settings.throttle_threshold
        comparison         = "GreaterThanOrEqualToThreshold"
        queries            = []
      }
    },
    {
      for pair in setproduct(distinct(local.gsi_names), ["Read", "Write"]) : "${var.name}-${pair[0]}-${lower(pair[1])}-throttles" => {
        description        = "${pair[1]} requests to index ${pair[0]} of table ${var.name} are being throttled."
        metric_name        = "${pair[1]}ThrottleEvents"
        dimensions         = { TableName = var.name, GlobalSecondaryIndexName = pair[0] }
        statistic          = "Sum"
        extended_statistic = null
        threshold          = local.alarm_settings.throttle_threshold
        comparison         = "GreaterThanOrEqualToThreshold"
        queries            = []
      }
    },
  )

  system_error_alarms = {
    "${var.name}-system-errors" = {
      description        = "DynamoDB returns HTTP 500 errors for table ${var.name}."
      metric_name        = null
      dimensions         = null
      statistic          = null
      extended_statistic = null
      threshold          = local.alarm_settings.system_errors_threshold
      comparison         = "GreaterThanOrEqualToThreshold"
      queries = concat(
        [{
          id          = "errors"
          expression  = "SUM([${join(",", [for i, op in local.alarm_settings.system_errors_operations : "m${i}"])}])"
          label       = "SystemErrors of ${var.name}"
          return_data = true
          metric_name = null
          dimensions  = null
        }],
        [for i, op in local.alarm_settings.system_errors_operations : {
          id          = "m${i}"
          expression  = null
          label       = null
          return_data = false
          metric_name = "SystemErrors"
          dimensions  = { TableName = var.name, Operation = op }
        }],
      )
    }
  }

  # UserErrors is published per account and region only (no table dimension).
  user_error_alarms = {
    "${var.name}-user-errors" = {
      description        = "Requests in this account and region fail with HTTP 400 errors (alarm owned by table ${var.name})."
      metric_name        = "UserErrors"
      dimensions         = null
      statistic          = "Sum"
      extended_statistic = null
      threshold          = local.alarm_settings.user_errors_threshold
      comparison         = "GreaterThanOrEqualToThreshold"
      queries            = []
    }
  }

  latency_percentile = can(regex("^p", local.alarm_settings.latency_statistic))
  latency_alarms = {
    for op in local.alarm_settings.latency_operations : "${var.name}-${lower(op)}-latency" => {
      description        = "${op} latency of table ${var.name} is above ${local.alarm_settings.latency_threshold_ms == null ? 0 : local.alarm_settings.latency_threshold_ms} ms."
      metric_name        = "SuccessfulRequestLatency"
      dimensions         = { TableName = var.name, Operation = op }
      statistic          = local.latency_percentile ? null : local.alarm_settings.latency_statistic
      extended_statistic = local.latency_percentile ? local.alarm_settings.latency_statistic : null
      threshold          = local.alarm_settings.latency_threshold_ms
      comparison         = "GreaterThanThreshold"
      queries            = []
    }
  }

  # Filters instead of conditionals: `cond ? {} : {...}` fails when the object types differ.
  alarm_specs = merge(
    { for k, v in local.throttle_alarms : k => v if local.alarms_enabled && local.alarm_settings.throttle_threshold != null },
    { for k, v in local.system_error_alarms : k => v if local.alarms_enabled && local.alarm_settings.system_errors_threshold != null },
    { for k, v in local.user_error_alarms : k => v if local.alarms_enabled && local.alarm_settings.user_errors_threshold != null },
    { for k, v in local.latency_alarms : k => v if local.alarms_enabled && local.alarm_settings.latency_threshold_ms != null },
  )

  # CloudWatch alarm names are at most 255 characters, and "<table>-<index>-read-throttles" of long
  # table and index names is more. Names that fit stay exactly as they are (a changed name is a new
  # alarm on AWS); longer ones keep their head and tail around a hash of the full name, so they stay
  # unique and readable. The for_each keys stay the full names: no resource address ever changes.
  alarm_names = {
    for k in keys(local.alarm_specs) : k => length(k) <= 255 ? k : "${substr(k, 0, 199)}-${substr(sha1(k), 0, 8)}-${substr(k, length(k) - 46, 46)}"
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarm_specs

  alarm_name          = local.alarm_names[each.key]
  alarm_description   = each.value.description
  comparison_operator = each.value.comparison
  threshold           = each.value.threshold
  evaluation_periods  = local.alarm_settings.evaluation_periods
  treat_missing_data  = local.alarm_settings.treat_missing_data

  # Plain metric alarms; all null for metric-math alarms, which describe metrics in metric_query.
  namespace          = each.value.metric_name == null ? null : "AWS/DynamoDB"
  metric_name        = each.value.metric_name
  dimensions         = each.value.dimensions
  statistic          = each.value.statistic
  extended_statistic = each.value.extended_statistic
  period             = each.value.metric_name == null ? null : local.alarm_settings.period

  dynamic "metric_query" {
    for_each = each.value.queries
    content {
      id          = metric_query.value.id
      expression  = metric_query.value.expression
      label       = metric_query.value.label
      return_data = metric_query.value.return_data

      dynamic "metric" {
        for_each = metric_query.value.metric_name == null ? [] : [metric_query.value]
        content {
          namespace   = "AWS/DynamoDB"
          metric_name = metric.value.metric_name
          dimensions  = metric.value.dimensions
          period      = local.alarm_settings.period
          stat        = "Sum"
        }
      }
    }
  }

  actions_enabled = true
  alarm_actions   = local.alarm_actions
  ok_actions      = local.alarm_actions

  tags = local.tags

  # Alarms watch the table's metrics; creating them after the table keeps the order obvious.
  depends_on = [aws_dynamodb_table.this]
}

# Processor alarms (table and GSI throttle alarms come from the generic module via `alarms`).
# All notify alarm_actions on ALARM and on OK; missing data (no traffic) is not an alarm.
# One resource for all of them: the alarms differ only in the values below.

locals {
  processor_alarm_specs = {
    errors = {
      alarm_name          = "${local.function_name}-errors"
      description         = "The university stream processor failed invocations: a poison record is being bisected/retried (see the DLQ) or the function is broken."
      namespace           = "AWS/Lambda"
      metric_name         = "Errors"
      dimensions          = { FunctionName = local.function_name }
      statistic           = "Sum"
      period              = 300
      evaluation_periods  = 1
      datapoints_to_alarm = null
      comparison_operator = "GreaterThanOrEqualToThreshold"
      threshold           = 1
    }
    iterator-age = {
      alarm_name          = "${local.function_name}-iterator-age"
      description         = "The university stream processor lags the stream by more than ${var.iterator_age_alarm_threshold_ms} ms: aggregates are stale, and records near the 24 h retention may be lost."
      namespace           = "AWS/Lambda"
      metric_name         = "IteratorAge"
      dimensions          = { FunctionName = local.function_name }
      statistic           = "Maximum"
      period              = 60
      evaluation_periods  = 5
      datapoints_to_alarm = 3
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.iterator_age_alarm_threshold_ms
    }
    dlq-depth = {
      alarm_name          = "${local.dlq_name}-depth"
      description         = "Stream records the university processor gave up on: invalid items are left out of the aggregates until someone repairs them (README: Operating the DLQ)."
      namespace           = "AWS/SQS"
      metric_name         = "ApproximateNumberOfMessagesVisible"
      dimensions          = { QueueName = local.dlq_name }
      statistic           = "Maximum"
      period              = 300
      evaluation_periods  = 1
      datapoints_to_alarm = null
      comparison_operator = "GreaterThanOrEqualToThreshold"
      threshold           = 1
    }
  }
  processor_alarms = { for name, spec in local.processor_alarm_specs : name => spec if local.processor_enabled && var.alarms_enabled }
}

resource "aws_cloudwatch_metric_alarm" "processor" {
  for_each = local.processor_alarms

  alarm_name          = each.value.alarm_name
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = each.value.period
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.datapoints_to_alarm
  comparison_operator = each.value.comparison_operator
  threshold           = each.value.threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = local.tags
}

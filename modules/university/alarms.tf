# Processor alarms (table and GSI throttle alarms come from the generic module via `alarms`).
# All notify alarm_actions on ALARM and on OK; missing data (no traffic) is not an alarm.

locals {
  processor_alarms = local.processor_enabled && var.alarms_enabled
}

resource "aws_cloudwatch_metric_alarm" "processor_errors" {
  count = local.processor_alarms ? 1 : 0

  alarm_name          = "${local.function_name}-errors"
  alarm_description   = "The university stream processor failed invocations: a poison record is being bisected/retried (see the DLQ) or the function is broken."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = local.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "iterator_age" {
  count = local.processor_alarms ? 1 : 0

  alarm_name          = "${local.function_name}-iterator-age"
  alarm_description   = "The university stream processor lags the stream by more than ${var.iterator_age_alarm_threshold_ms} ms: aggregates are stale, and records near the 24 h retention may be lost."
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = local.function_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.iterator_age_alarm_threshold_ms
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  count = local.processor_alarms ? 1 : 0

  alarm_name          = "${local.dlq_name}-depth"
  alarm_description   = "Stream records the university processor gave up on: invalid items are left out of the aggregates until someone repairs them (README: Operating the DLQ)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = local.dlq_name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = local.tags
}

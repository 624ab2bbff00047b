# dev: the full estate in real AWS with alarms on. Table names keep the contract names unless
# name_prefix is set (when dev shares an account with prod).

module "estate" {
  source          = "../../modules/estate"
  environment     = "dev"
  name_prefix     = var.name_prefix
  tags            = { Owner = "platform" }
  alarms_enabled  = true
  alarm_actions   = var.alarm_sns_topic_arn == null ? [] : [var.alarm_sns_topic_arn]
  lambda_zip_path = var.lambda_zip_path
  lambda_runtime  = var.lambda_runtime
}

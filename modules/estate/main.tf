# The whole estate of one environment: the four table families with shared settings. Envs add
# only what differs between them (provider, backend, KMS key, alarm topic, replicas).

module "bandup" {
  source                             = "../bandup"
  environment                        = var.environment
  name_prefix                        = var.name_prefix
  tags                               = var.tags
  kms_key_arn                        = var.kms_key_arn
  point_in_time_recovery             = var.point_in_time_recovery
  alarms_enabled                     = var.alarms_enabled
  alarm_actions                      = var.alarm_actions
  deletion_protection_enabled        = var.deletion_protection_enabled
  point_in_time_recovery_period_days = var.point_in_time_recovery_period_days
  table_class                        = var.table_class
  on_demand_throughput               = var.on_demand_throughput
  import_tables                      = var.import_tables
}

module "ielts_genai_prep" {
  source                             = "../ielts-genai-prep"
  environment                        = var.environment
  name_prefix                        = var.name_prefix
  tags                               = var.tags
  kms_key_arn                        = var.kms_key_arn
  point_in_time_recovery             = var.point_in_time_recovery
  alarms_enabled                     = var.alarms_enabled
  alarm_actions                      = var.alarm_actions
  backup_enabled                     = var.backup_enabled
  enable_phantom_tables              = var.enable_ielts_phantom_tables
  deletion_protection_enabled        = var.deletion_protection_enabled
  point_in_time_recovery_period_days = var.point_in_time_recovery_period_days
  table_class                        = var.table_class
  on_demand_throughput               = var.on_demand_throughput
  import_tables                      = var.import_tables
}

module "aitutor" {
  source                             = "../aitutor"
  environment                        = var.environment
  name_prefix                        = var.name_prefix
  tags                               = var.tags
  kms_key_arn                        = var.kms_key_arn
  point_in_time_recovery             = var.point_in_time_recovery
  alarms_enabled                     = var.alarms_enabled
  alarm_actions                      = var.alarm_actions
  deletion_protection_enabled        = var.deletion_protection_enabled
  point_in_time_recovery_period_days = var.point_in_time_recovery_period_days
  table_class                        = var.table_class
  on_demand_throughput               = var.on_demand_throughput
  import_tables                      = var.import_tables
}

module "university" {
  source                             = "../university"
  environment                        = var.environment
  name_prefix                        = var.name_prefix
  tags                               = var.tags
  kms_key_arn                        = var.kms_key_arn
  point_in_time_recovery             = var.point_in_time_recovery
  alarms_enabled                     = var.alarms_enabled
  alarm_actions                      = var.alarm_actions
  lambda_zip_path                    = var.lambda_zip_path
  lambda_runtime                     = var.lambda_runtime
  replica_regions                    = var.replica_regions
  replica_kms_key_arns               = var.replica_kms_key_arns
  deletion_protection_enabled        = var.deletion_protection_enabled
  point_in_time_recovery_period_days = var.point_in_time_recovery_period_days
  table_class                        = var.table_class
  on_demand_throughput               = var.on_demand_throughput
  import_tables                      = var.import_tables
  replica_point_in_time_recovery     = var.replica_point_in_time_recovery
  replica_propagate_tags             = var.replica_propagate_tags
}

locals {
  families = {
    bandup           = module.bandup
    ielts-genai-prep = module.ielts_genai_prep
    aitutor          = module.aitutor
    university       = module.university
  }
  family_tables = [for family in values(local.families) : family.tables]
  all_tables    = merge(local.family_tables...)

  # merge() would silently let one family's table overwrite another's with the same name.
  # Terraform 1.0 has no preconditions, so fail on purpose with a message naming the problem.
  table_names_unique = length(local.all_tables) == sum([for tables in local.family_tables : length(tables)]) ? true : tobool(
    "ERROR: two table families declare the same table name; give each table a unique name (or a different name_prefix)."
  )
}

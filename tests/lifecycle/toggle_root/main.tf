# The university family alone, against the local endpoint, with every documented toggle of its
# README as a variable (tests/lifecycle/test_toggles.py checks them against the README and walks
# stream_enabled; the other toggles walk with every family's in test_family_toggles.py).

module "kms" {
  source                  = "../../modules/kms-key"
  alias_name              = "alias/tablekit-toggle-test"
  description             = "SSE for the toggle test (local)"
  deletion_window_in_days = 7
  tags                    = { Environment = "local", Owner = "platform" }
}

module "university" {
  source                      = "../../modules/university"
  environment                 = "local"
  tags                        = { Owner = "platform" }
  kms_key_arn                 = module.kms.arn
  lambda_zip_path             = var.lambda_zip_path
  lambda_runtime              = var.lambda_runtime
  deletion_protection_enabled = var.deletion_protection_enabled
  point_in_time_recovery      = var.point_in_time_recovery
  alarms_enabled              = var.alarms_enabled
  stream_enabled              = var.stream_enabled
  stream_processor_enabled    = var.stream_processor_enabled
}

output "tables" {
  description = "Real table name => key schema (read by the seed loader)."
  value       = module.university.tables
}

output "families" {
  description = "Family name => its real table names (setup seeds these families only)."
  value       = { university = keys(module.university.tables) }
}

output "university" {
  description = "Stream-processor wiring (setup drains the stream with it)."
  value = {
    table_name    = module.university.table_names["university"]
    function_name = module.university.stream_processor_function_name
    dlq_url       = module.university.dlq_url
  }
}

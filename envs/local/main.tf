# The whole local estate against the local endpoint, with the exact table names application code
# uses. Alarms stay off (nobody watches them locally), PITR stays on so local behaves like prod,
# and replicas are never created here (the local endpoint cannot).

# Every env encrypts its tables (and the stream processor's DLQ) with a customer-managed key, so
# local exercises the same wiring as prod. The local endpoint implements KMS keys, aliases and
# tables encrypted with them; the short deletion window only matters there on teardown.
module "kms" {
  source                  = "../../modules/kms-key"
  alias_name              = "alias/tablekit-local-tables"
  description             = "SSE for the DynamoDB table families (local)"
  deletion_window_in_days = 7
  tags                    = { Environment = "local", Owner = "platform" }
}

module "estate" {
  source          = "../../modules/estate"
  environment     = "local"
  tags            = { Owner = "platform" }
  kms_key_arn     = module.kms.arn
  lambda_zip_path = var.lambda_zip_path
  lambda_runtime  = var.lambda_runtime
  # Off here so teardown can delete the tables; dev and prod keep the module default (on).
  deletion_protection_enabled = false
}

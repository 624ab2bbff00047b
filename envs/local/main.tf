# The whole local estate against the local endpoint, with the exact table names application code
# uses. Alarms stay off (nobody watches them locally), PITR stays on so local behaves like prod,
# and replicas are never created here (the local endpoint cannot).

module "estate" {
  source          = "../../modules/estate"
  environment     = "local"
  tags            = { Owner = "platform" }
  lambda_zip_path = var.lambda_zip_path
  lambda_runtime  = var.lambda_runtime
}

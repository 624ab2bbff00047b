# Every service the families use points at the local endpoint (moto's server). The skip_* flags
# stop the provider from probing EC2/STS/IMDS at start-up, which costs ~22 s per provider start.
provider "aws" {
  region                      = var.region
  access_key                  = "test"
  secret_key                  = "test"
  s3_force_path_style         = true
  skip_credentials_validation = true
  skip_get_ec2_platforms      = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = true

  endpoints {
    dynamodb               = var.endpoint_url
    iam                    = var.endpoint_url
    lambda                 = var.endpoint_url
    sqs                    = var.endpoint_url
    sns                    = var.endpoint_url
    cloudwatch             = var.endpoint_url
    cloudwatchlogs         = var.endpoint_url
    kms                    = var.endpoint_url
    sts                    = var.endpoint_url
    s3                     = var.endpoint_url
    applicationautoscaling = var.endpoint_url
    backup                 = var.endpoint_url
  }
}

terraform {
  required_version = ">= 1.0"

  # Partial S3 backend: bucket, key, region and lock table come from backend.hcl
  # (copy backend.hcl.example; `just bootstrap-state` creates the bucket and table).
  backend "s3" {}

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 3.39"
    }
  }
}

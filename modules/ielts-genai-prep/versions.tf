terraform {
  # Terraform 1.0 language only (no optional(), no moved/import/check blocks), so the module runs on
  # the pinned offline toolchain (1.0.3 + hashicorp/aws 3.39) and on current releases alike.
  required_version = ">= 1.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 3.39.0"
    }
  }
}

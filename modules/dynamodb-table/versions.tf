terraform {
  # Terraform 1.0 language only: no optional() attributes, no moved/import/check blocks and no
  # preconditions, so the module works with the pinned offline toolchain and with newer releases.
  required_version = ">= 1.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 3.39"
    }
  }
}

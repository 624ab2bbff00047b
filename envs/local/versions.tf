terraform {
  required_version = ">= 1.0"

  # State of the local estate stays on this machine; tablekit passes the path
  # (build/envs/local/terraform.tfstate) with -backend-config.
  backend "local" {}

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 3.39"
    }
  }
}

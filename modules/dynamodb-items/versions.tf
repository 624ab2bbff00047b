terraform {
  # 1.0 is the floor the collection is tested with; nothing here needs newer language features.
  required_version = ">= 1.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 3.39"
    }
  }
}

terraform {
  # >= 1.1: every address change inside a module ships as a `moved` block (docs/architecture.md);
  # the offline double (1.0.3) runs a relaxed staged copy (tablekit.staging.compat). A new major may change
  # the language, so < 2.0.
  required_version = ">= 1.1.0, < 2.0.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # >= 6.0: written and schema-checked for hashicorp/aws 6.x (6.66.0). Every argument used here
      # exists since 6.0 (the newest, PITR recovery_period_in_days, arrived in 5.x), and 6.0 is the
      # major whose breaking changes (e.g. data.aws_region) the code follows. < 7.0: a new major
      # may remove what 6.x deprecates.
      version = ">= 6.0, < 7.0"
    }
  }
}

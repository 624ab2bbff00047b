provider "aws" {
  region = var.region
}

# Global-table replicas encrypted with a customer-managed key need a key in the replica's own
# region, so prod has a second provider for that region.
provider "aws" {
  alias  = "replica"
  region = var.replica_region
}

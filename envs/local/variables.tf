variable "endpoint_url" {
  description = "URL of the local AWS endpoint (moto server) every service is pointed at."
  type        = string
  default     = "http://127.0.0.1:4566"

  validation {
    condition     = can(regex("^https?://[^/]+$", var.endpoint_url))
    error_message = "The endpoint_url must look like http://127.0.0.1:4566 (scheme, host, port, no path): start the endpoint with `just up` and pass its URL."
  }
}

variable "region" {
  description = "Region the local estate pretends to live in."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "The region must look like us-east-1."
  }
}

variable "lambda_zip_path" {
  description = "Path of the university stream-processor zip; tablekit builds it under build/lambda/ before apply."
  type        = string
}

variable "lambda_runtime" {
  description = "Lambda runtime of the stream processor. Runs on the offline double (hashicorp/aws 3.39) get the newest runtime that provider accepts from the harness (tablekit.staging.compat.PINNED_VARIABLES); a real account runs this value."
  type        = string
  default     = "python3.13"
}

"""tablekit: the Python harness and CLI of the DynamoDB table-family Terraform collection."""

__version__ = "0.1.0"

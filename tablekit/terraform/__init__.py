"""Running Terraform: the binary a command gets, the runner that drives it, and the plan it returns.

Owns the toolchain choice (the offline double or a current Terraform from PATH), the process
runner (timeouts, interrupts, process groups), the `terraform show -json` plan model and the
HCL scanner that reads committed `.tf` files without a Terraform binary.

May import: the shared leaves (`tablekit.errors`, `tablekit.paths`). `plan` and `hclscan` are
standard-library only, so CI's renderer can load them without the project's dependencies.
"""

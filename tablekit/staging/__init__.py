"""The copy Terraform runs on: staged trees, and their adaptation to the offline double.

Owns staging (`copies`: the repository's modules and a root, copied where Terraform may write),
the adaptation of a staged copy to the pinned provider (`compat`, checked against its schema in
`schemas` and against the current provider's reference package), the provider blocks aimed at
an endpoint, the overrides for what the double can only plan (`planned_only`), and the stream
processor's zip.

May import: `tablekit.terraform` and the shared leaves.
"""

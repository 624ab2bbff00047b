"""Operations on an existing estate: audit, adopt, app config and the modules' generated docs.

Owns checking application code's table names against an env (`audit`), importing tables that
exist outside Terraform (`adopt`), the table-name map application code reads (`appconfig`), and
the input/output sections of each module README (`module_docs`).

May import: `tablekit.envs`, `tablekit.terraform`, `tablekit.queries`, `tablekit.upgrade.releases`
and the shared leaves.
"""

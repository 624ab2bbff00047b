"""Upgrades: what a release does to an applied estate, before anyone applies it.

Owns `upgrade-check` (apply a ref, plan this tree against it, judge every replacement and destroy
against the allow-list), releases and their tags, state migrations between module versions,
snapshots of the data an upgrade must keep, and the git plumbing they share.

May import: `tablekit.envs`, `tablekit.endpoint`, `tablekit.terraform`, `tablekit.staging`,
`tablekit.seed` and the shared leaves.
"""

"""The local environment's life: setup, teardown and everything that makes them resumable.

Owns `setup` and `teardown` of `local` (`local_env`), reconciling what an interrupted run left
(`converge`), the limits the local endpoint enforces (`local_limits`), the apply log, progress
steps and the resume hint when the endpoint goes away, and `plan local --base REF`.

May import: `tablekit.envs`, `tablekit.endpoint`, `tablekit.terraform`, `tablekit.staging`,
`tablekit.seed`, `tablekit.stream`, `tablekit.operations.appconfig` and the shared leaves.
"""

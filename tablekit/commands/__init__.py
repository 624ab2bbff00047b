"""Sub-commands of the tablekit CLI; every module here exposes `register(subparsers)`."""

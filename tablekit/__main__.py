"""`python -m tablekit` runs the CLI."""

import sys

from tablekit.cli import main

sys.exit(main())

"""``python -m adapter`` runs the ``smt`` command."""

import sys

from adapter.cli import main

sys.exit(main())

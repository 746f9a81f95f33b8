"""``python -m fes_docs`` runs the CLI."""

import sys

from .cli import main

sys.exit(main())

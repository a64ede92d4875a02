"""``python -m potash`` runs the command-line interface."""

from potash.pipeline.cli import main

raise SystemExit(main())

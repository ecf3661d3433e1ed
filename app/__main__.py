"""``python -m app serve`` / ``python -m app db upgrade``."""

from app.cli import main

raise SystemExit(main())

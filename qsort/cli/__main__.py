"""``python -m qsort.cli``: the ``qsort`` command."""

from qsort.cli import main

raise SystemExit(main())

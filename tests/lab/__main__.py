"""`python -m tests.lab {build,up,down,status}`: see tests/lab/__init__.py."""

from tests.lab.cli import main

raise SystemExit(main())

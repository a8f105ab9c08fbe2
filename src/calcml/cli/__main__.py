"""``python -m calcml.cli``."""
from calcml.cli import main

raise SystemExit(main())

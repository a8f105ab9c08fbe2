"""The ``calcml`` command."""
from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``calcml`` console script (minimal until the CLI lands)."""
    import calcml

    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("--version", "-V"):
        print(f"calcml {calcml.__version__}")
        return 0
    if args and args[0] == "tour":
        print("calcml tour: no chapters yet")
        return 0
    print("usage: calcml [--version] | tour")
    return 0 if not args else 2


if __name__ == "__main__":
    raise SystemExit(main())

"""The ``calcml`` command (typer + rich).

``import calcml.cli`` is cheap: the typer application and the libraries each command
needs are imported when the command runs.
"""
from __future__ import annotations

import sys

__all__ = ["main", "get_app"]


def get_app():
    """The :class:`typer.Typer` application (for ``typer.testing.CliRunner``)."""
    from calcml.cli.app import app

    return app


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``calcml`` console script.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 success, 1 a check failed, 2 bad input.
    """
    import os

    os.environ.setdefault("MPLBACKEND", "Agg")
    app = get_app()
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        app(args=args, prog_name="calcml", standalone_mode=True)
    except SystemExit as e:
        code = e.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

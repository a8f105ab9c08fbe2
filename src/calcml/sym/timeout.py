"""Time limits for SymPy calls that can run for ever (integrate, solve, limit, simplify).

The call runs in a daemon worker thread; the caller waits at most ``timeout`` seconds
and then raises :class:`calcml.errors.TimeoutError` saying what could not finish.

Why a thread: ``signal.alarm`` only works in the main thread (not under a web server,
a notebook kernel's executor or pytest-xdist workers), and a forked process would have
to pickle SymPy results and costs tens of milliseconds per call. The price of a thread:
Python cannot kill it, so an abandoned computation keeps running in the background
(holding the GIL part of the time) until SymPy returns; it never blocks the caller or
the interpreter's exit (daemon thread).

>>> run_with_timeout(lambda: 1 + 1, 1.0, "adding")
2
"""
from __future__ import annotations

import threading
from typing import Any, Callable

from calcml.errors import TimeoutError

__all__ = ["run_with_timeout", "DEFAULT_TIMEOUT"]

DEFAULT_TIMEOUT = 10.0  #: seconds allowed to one SymPy computation unless told otherwise


def run_with_timeout(fn: Callable[[], Any], timeout: float | None, what: str) -> Any:
    """Run ``fn()`` and return its value, or raise TimeoutError after ``timeout`` seconds.

    Parameters
    ----------
    fn : callable
        Takes no arguments.
    timeout : float or None
        Seconds to wait; ``None`` waits for ever (no thread is used).
    what : str
        What ``fn`` computes, for the error message (``"integrate(exp(x**2), x)"``).

    Returns
    -------
    object
        ``fn()``; an exception raised by ``fn`` is raised again here.

    Raises
    ------
    calcml.errors.TimeoutError
        When ``fn`` has not finished in time.
    """
    if timeout is None:
        return fn()
    if not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds or None; got {timeout!r}")
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc

    worker = threading.Thread(target=target, name="calcml-sym", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TimeoutError(f"SymPy could not finish {what} within {timeout:g} s; pass a "
                           "larger timeout= (or timeout=None to wait for ever), or simplify "
                           "the expression")
    if "error" in box:
        raise box["error"]
    return box["value"]

"""Time limits for SymPy calls that can run for ever (integrate, solve, limit, simplify).

The call runs in a daemon worker thread; the caller waits at most ``timeout`` seconds,
then stops the worker and raises :class:`calcml.errors.TimeoutError` saying what could
not finish.

Why a thread: ``signal.alarm`` only works in the main thread (not under a web server,
a notebook kernel's executor or pytest-xdist workers), and a forked process would have
to pickle SymPy results and costs tens of milliseconds per call. A thread cannot be
killed, so on timeout the worker is *cancelled* with CPython's
``PyThreadState_SetAsyncExc``: an exception is raised inside it at its next bytecode,
which stops SymPy (pure Python) within milliseconds. A long single C-level operation
(a huge integer product, which the parser's limits prevent) would finish first. On
other Python implementations the abandoned worker runs on in the background; it never
blocks the caller or the interpreter's exit (daemon thread).

>>> run_with_timeout(lambda: 1 + 1, 1.0, "adding")
2
"""
from __future__ import annotations

import ctypes
import threading
from typing import Any, Callable

from calcml.errors import TimeoutError

__all__ = ["run_with_timeout", "DEFAULT_TIMEOUT"]


class _Cancelled(BaseException):
    """Raised inside a worker thread to stop it (not an Exception: SymPy's ``except
    Exception`` clauses must not swallow it)."""


def _cancel(thread: threading.Thread) -> bool:
    """Ask ``thread`` to stop by raising :class:`_Cancelled` in it; True if delivered."""
    try:
        set_async = ctypes.pythonapi.PyThreadState_SetAsyncExc
    except AttributeError:  # pragma: no cover - not CPython
        return False
    done = set_async(ctypes.c_ulong(thread.ident), ctypes.py_object(_Cancelled))
    if done > 1:  # pragma: no cover - would hit several threads: undo
        set_async(ctypes.c_ulong(thread.ident), None)
        return False
    return done == 1

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
        except _Cancelled:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc

    worker = threading.Thread(target=target, name="calcml-sym", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        _cancel(worker)
        raise TimeoutError(f"SymPy could not finish {what} within {timeout:g} s; pass a "
                           "larger timeout= (or timeout=None to wait for ever), or simplify "
                           "the expression")
    if "error" in box:
        raise box["error"]
    return box["value"]

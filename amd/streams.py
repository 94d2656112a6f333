"""Standard output belongs to amd: whatever a solver or library prints goes to standard error.

SPEC §3 promises that ``--json`` writes exactly one JSON document to stdout. HiGHS (from
1.16) prints a banner from C, on file descriptor 1, the moment a ``highspy.Highs`` is made —
before any option can silence it — and with ``output_flag`` its whole log goes there too.
``contextlib.redirect_stdout`` only swaps Python's ``sys.stdout`` and never sees a C write, so
both functions here work on the descriptor itself:

- :func:`claim_stdout` (the command line, once per process): descriptor 1 becomes a copy of
  descriptor 2 for the rest of the process — for every library, every C buffer flushed at exit
  and every forked worker — and ``sys.stdout`` is re-opened on a private copy of the real
  standard output, which only amd writes to.
- :func:`solver_output` (around each HiGHS call, for the library API as well): descriptor 1 goes
  to stderr for the length of the call when the log was asked for, else nowhere, so that neither
  ``amd solve`` nor ``amd.solve`` in a script or a notebook shows the banner. Reference-counted
  rather than locked, so that concurrent solves in threads do not serialize.
"""

from __future__ import annotations

import ctypes
import functools
import io
import os
import sys
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_claimed = False
_depth = 0
_saved: int | None = None


@functools.cache
def _libc():
    """The process's C library, opened once (every HiGHS call flushes through it)."""
    try:
        return ctypes.CDLL(None)
    except (OSError, TypeError):  # no C library to ask (not POSIX)
        return None


def _flush_c_stdio() -> None:
    """Flush C's stdio buffers, so that bytes a library wrote while descriptor 1 pointed at
    stderr are not flushed later onto the real stdout."""
    libc = _libc()
    if libc is not None:
        try:
            libc.fflush(None)
        except AttributeError:
            pass


def claim_stdout() -> None:
    """Keep the process's standard output for amd alone (call once, before any solver runs)."""
    global _claimed
    if _claimed:
        return
    try:
        sys.stdout.flush()
        _flush_c_stdio()
        real = os.dup(1)
        os.dup2(2, 1)
    except (OSError, AttributeError, ValueError):  # no descriptors to move (closed, embedded)
        return
    old = sys.stdout
    sys.stdout = io.TextIOWrapper(
        io.FileIO(real, "w", closefd=True),
        encoding=getattr(old, "encoding", None) or "utf-8",
        errors=getattr(old, "errors", None) or "strict",
        line_buffering=bool(getattr(old, "line_buffering", False)),
    )
    _claimed = True


@contextmanager
def solver_output(show: bool = False):
    """Within this block whatever is written to descriptor 1 goes to standard error (``show``,
    the solver's log under ``--verbose``) or nowhere (HiGHS's start-up banner, by default)."""
    global _depth, _saved
    if show and _claimed:  # the whole process already writes descriptor 1 to stderr
        yield
        return
    with _lock:
        if _depth == 0:
            try:
                sys.stdout.flush()
                _flush_c_stdio()
                _saved = os.dup(1)
                if show:
                    os.dup2(2, 1)
                else:
                    devnull = os.open(os.devnull, os.O_WRONLY)
                    os.dup2(devnull, 1)
                    os.close(devnull)
            except (OSError, AttributeError, ValueError):  # no descriptors to move
                _saved = None
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                _flush_c_stdio()
                os.dup2(_saved, 1)
                os.close(_saved)
                _saved = None

"""Child processes that do not outlive the kg process that started them."""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import sys
from collections.abc import Callable

__all__ = ["die_with_parent"]


def die_with_parent() -> Callable[[], None] | None:
    """A function for a child to run first (between fork and exec, as a worker's initializer,
    or first thing in a spawned process: it can be pickled): SIGKILL me when my parent dies.
    None where the system cannot do it."""
    if not sys.platform.startswith("linux"):
        return None
    return functools.partial(_arm, os.getpid())


def _arm(parent: int) -> None:
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)

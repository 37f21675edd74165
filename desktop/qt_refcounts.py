"""A guard against a reference-count bug of the PySide6 6.12.0 wheels on CPython < 3.12.

Those wheels (abi3, tagged cp310) were built for Python 3.12's immortal singletons: every
binding that returns `None` (any void method: `setText`, `processEvents`, `QThreadPool.start`,
`QObject.parent()` with no parent ...) hands back `Py_None` without a new reference, and
`Signal.emit` does the same with `True`. On 3.12+ that is harmless; on 3.11 each such call
takes one reference away from None (or True) for good. A busy window makes thousands of
these calls a minute, and when None's count reaches zero the process aborts with
"Fatal Python error: none_dealloc" on whichever thread happens to drop None next (seen as
the dashboard bench dying on the DB worker thread during a long count while the GUI thread
polled `processEvents`). PySide6 6.11.3 does not have the bug (measured: 100 void calls
leave None's count unchanged there, and lower it by 100 with 6.12.0).

`guard()` checks the bindings this process loaded: when 64 void calls really cost None 64
references it gives None, True, False, NotImplemented and Ellipsis the same kind of huge
reference count that Python 3.12 gives its immortal objects, so the lost references can
never bring them to zero. It does nothing on Python 3.12+, on PySide6 builds without the
bug, and on interpreters whose object layout it does not know (PyPy, debug builds).
The `desktop` package calls it on import, before any window code runs.
"""

from __future__ import annotations

import ctypes
import sys

PROBE_CALLS = 64
"""How many void calls the probe makes (each costs one reference when the bug is there)."""
ALLOWANCE = 1 << 60
"""The references added to each singleton: at 10**6 lost per second, 36,000 years."""
SINGLETONS: tuple[object, ...] = (None, True, False, NotImplemented, Ellipsis)

_state = {"guarded": False}


def void_call_loses_none() -> bool:
    """Whether a void PySide6 call returns None without a reference (the 6.12.0 bug)."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(PROBE_CALLS):
        probe.setObjectName("")
    lost = before - sys.getrefcount(None)
    return lost >= PROBE_CALLS // 2


def _layout_known() -> bool:
    """CPython release builds keep ob_refcnt as the object's first word before 3.12."""
    return (
        sys.implementation.name == "cpython"
        and sys.version_info < (3, 12)
        and not hasattr(sys, "gettotalrefcount")  # a debug build puts list links first
    )


def guard() -> bool:
    """Make the singletons' reference counts unreachable for the bug, once per process;
    True when it did (the bug is there), False when nothing needed doing."""
    if _state["guarded"]:
        return True
    if not _layout_known() or not void_call_loses_none():
        return False
    for obj in SINGLETONS:
        count = sys.getrefcount(obj)
        ctypes.c_ssize_t.from_address(id(obj)).value += ALLOWANCE
        # another thread may move the count a little meanwhile; a wrong layout moves it
        # by nothing or by everything
        if abs(sys.getrefcount(obj) - count - ALLOWANCE) > 1 << 20:  # not ob_refcnt: undo
            ctypes.c_ssize_t.from_address(id(obj)).value -= ALLOWANCE
            return False
    _state["guarded"] = True
    return True


def guarded() -> bool:
    """Whether `guard()` raised the singletons' counts in this process."""
    return _state["guarded"]

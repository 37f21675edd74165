"""The PySide6 window; the only layer that imports Qt."""

from desktop.qt_refcounts import guard as _guard_refcounts

_guard_refcounts()  # PySide6 6.12.0 on Python < 3.12 drops references to None (see there)

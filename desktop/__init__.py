"""The PySide6 window; the only layer that imports Qt."""

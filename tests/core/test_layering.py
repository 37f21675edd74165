"""One way down (DESIGN.md): importing every module of core pulls in neither Qt nor HTTP,
so the server and the command line can use the domain without them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import importlib, json, pkgutil, sys
import core
names = []
for info in pkgutil.walk_packages(core.__path__, "core."):
    if ".migrations" in info.name:
        continue  # alembic scripts run only inside alembic's environment
    importlib.import_module(info.name)
    names.append(info.name)
print(json.dumps({
    "modules": names,
    "forbidden": sorted(
        m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "httpx")
    ),
}))
"""


def test_core_imports_neither_qt_nor_httpx() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    # the probe really walked the package, modules from every corner of core included
    assert {"core.models", "core.tickets", "core.visibility", "core.read_state"} <= set(
        result["modules"]
    )
    assert result["forbidden"] == []

"""The window survives more PySide6 calls than None and True have references (D7's
"Fatal Python error: none_dealloc" in the dashboard bench; desktop/qt_refcounts.py).

PySide6 6.12.0 on Python < 3.12 takes a reference from None on every void call and from
True on every Signal.emit. The child process below runs real DbRunner jobs returning None
(each one: QRunnable.setAutoDelete, QThreadPool.start, Signal.emit across threads) and then
polls the event loop like the dashboard bench does, more times than None truly has
references: without the guard it dies with none_dealloc or bool_dealloc.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import sessionmaker

    from desktop.qt_refcounts import ALLOWANCE, guarded
    from desktop.runner import DbRunner

    def true_refs(obj: object) -> int:
        return sys.getrefcount(obj) - (ALLOWANCE if guarded() else 0)

    app = QApplication([])
    engine = create_engine(f"sqlite:///{Path(sys.argv[1])}")
    runner = DbRunner(sessionmaker(engine))
    jobs = int(sys.argv[2])
    results = []
    for _ in range(jobs):
        # a job whose answer is None, one whose answer holds None
        runner.submit(lambda s: s.execute(text("select null")).scalar(), results.append)
        runner.submit(lambda s: (None, s.execute(text("select 1")).scalar()), results.append)
    while runner.busy():
        app.processEvents()
    assert results.count(None) == jobs and results.count((None, 1)) == jobs, results[:4]
    # then more void calls than None has references, and more emits than True has
    probe = QObject()
    for _ in range(true_refs(None) + 5_000):
        probe.setObjectName("")
    for _ in range(true_refs(True) + 1_000):
        runner.error_raised.emit(None)
    runner.wait_idle()
    engine.dispose()
    print("alive", guarded(), flush=True)
    """
)


def run_child(tmp_path: Path, jobs: int) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONFAULTHANDLER": "1"}
    root = Path(__file__).resolve().parents[2]
    env["PYTHONPATH"] = os.pathsep.join([str(root), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, str(script), str(tmp_path / "cache.sqlite3"), str(jobs)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=root,
    )


def test_d7_runner_jobs_and_event_polls_outlive_nones_references(tmp_path: Path) -> None:
    done = run_child(tmp_path, jobs=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "alive" in done.stdout


def test_d7_guard_only_acts_where_void_calls_lose_none() -> None:
    from desktop import qt_refcounts

    if sys.version_info >= (3, 12):
        assert not qt_refcounts.guarded()
        pytest.skip("None is immortal here")
    # the package guarded itself on import exactly when the installed PySide6 has the bug
    assert qt_refcounts.guarded() == qt_refcounts.void_call_loses_none()
    if qt_refcounts.guarded():
        assert sys.getrefcount(None) > qt_refcounts.ALLOWANCE // 2
        assert sys.getrefcount(True) > qt_refcounts.ALLOWANCE // 2

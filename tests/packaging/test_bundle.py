"""The installable client (issue 8): the PyInstaller bundle, copied to a temporary folder,
starts offscreen and passes `helpdesk --self-test` in an empty environment (`env -i`: no
venv, no PYTHONPATH, no Python packages), and fails it when a shipped file is missing.

The bundle is built by packaging/build_linux.sh when a source is newer than it (about a
minute here), so these tests are `slow`: `make bundle-check` (and CI, after `make test`)
runs them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist" / "helpdesk"
SCREENSHOTS = ROOT / "build" / "screenshots"
BUILD_TIMEOUT = 1800
RUN_TIMEOUT = 120

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux bundle"),
]

CHECKS = (
    "localization",
    "language",
    "catalogue helpdesk_fa.qm",
    "Qt catalogue qtbase_fa.qm",
    "font",
    "right-to-left",
    "platform",
    "demo cache",
    "migrations",
    "queue rows",
    "queue cell",
    "window title",
    "painted",
    "all checks",
)


@pytest.fixture(scope="module")
def bundle() -> Path:
    """dist/helpdesk, built now unless it is newer than every source."""
    done = subprocess.run(
        ["bash", str(ROOT / "packaging" / "build_linux.sh"), "--if-stale"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert (DIST / "helpdesk").is_file()
    return DIST


@pytest.fixture
def copy(bundle: Path, tmp_path: Path) -> Path:
    """The bundle in a folder of its own, as an agent's desktop would have it."""
    target = tmp_path / "opt" / "helpdesk"
    shutil.copytree(bundle, target, symlinks=True)
    return target


def run_bare(executable: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """Run with `env -i`: PATH to the system's folders only, a new HOME, offscreen Qt."""
    home.mkdir(parents=True, exist_ok=True)
    env = [
        "env",
        "-i",
        "PATH=/usr/bin:/bin",
        f"HOME={home}",
        "QT_QPA_PLATFORM=offscreen",
    ]
    return subprocess.run(
        [*env, str(executable), *args],
        cwd=home,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=RUN_TIMEOUT,
        check=False,
    )


def check_lines(stdout: str) -> dict[str, str]:
    """`self-test: ok     name: detail` lines as {name: status}."""
    found: dict[str, str] = {}
    for line in stdout.splitlines():
        if not line.startswith("self-test: "):
            continue
        status, _, rest = line.removeprefix("self-test: ").partition(" ")
        found[rest.strip().split(":")[0]] = status
    return found


def test_d1_bundle_passes_self_test_with_no_python_around(copy: Path, tmp_path: Path) -> None:
    shot = SCREENSHOTS / "bundle_self_test_fa.png"
    shot.unlink(missing_ok=True)
    home = tmp_path / "h"
    done = run_bare(copy / "helpdesk", "--self-test", "--screenshot", str(shot), home=home)
    report = f"stdout:\n{done.stdout}\nstderr:\n{done.stderr[-3000:]}"
    assert done.returncode == 0, report
    found = check_lines(done.stdout)
    assert {name: found.get(name) for name in CHECKS} == dict.fromkeys(CHECKS, "ok"), report
    assert "FAILED" not in done.stdout
    # the bundle's own files, not the source tree's or the venv's
    assert f"({copy}/_internal/PySide6/Qt/translations)" in done.stdout, report
    assert "Traceback" not in done.stderr, report
    assert shot.is_file() and shot.stat().st_size > 10_000
    # nothing was written into the user's data folder: the cache was temporary
    assert not (home / ".local" / "share" / "Helpdesk" / "cache.sqlite3").exists()


def test_d1_self_test_fails_when_the_font_is_missing(copy: Path, tmp_path: Path) -> None:
    """The self-test can fail: without the bundled Vazirmatn it says so and exits 1."""
    for font in (copy / "_internal" / "desktop" / "resources" / "fonts").glob("*.ttf"):
        font.unlink()
    done = run_bare(copy / "helpdesk", "--self-test", home=tmp_path / "h")
    assert done.returncode == 1, done.stdout + done.stderr
    found = check_lines(done.stdout)
    assert found["font"] == "FAILED"
    assert found["all checks"] == "FAILED"
    assert found["queue rows"] == "ok"  # the rest still ran


def test_self_test_fails_when_the_migrations_are_missing(copy: Path, tmp_path: Path) -> None:
    """The cache migrates itself from the Alembic scripts shipped in the bundle."""
    shutil.rmtree(copy / "_internal" / "core" / "migrations")
    done = run_bare(copy / "helpdesk", "--self-test", home=tmp_path / "h")
    assert done.returncode == 1, done.stdout + done.stderr
    assert check_lines(done.stdout)["demo cache"] == "FAILED"


def test_bundle_leaves_the_server_out_and_refuses_demo(copy: Path, tmp_path: Path) -> None:
    internal = copy / "_internal"
    for package in ("fastapi", "uvicorn", "psycopg", "argon2", "aiosmtpd", "pytest"):
        assert not (internal / package).exists(), package
    assert not list(internal.rglob("libQt6Quick.so*"))  # left with the virtual keyboard
    assert not [p for p in copy.rglob("*") if p.is_symlink() and not p.exists()]
    assert (internal / "PySide6" / "Qt" / "translations" / "qtbase_fa.qm").is_file()
    done = run_bare(copy / "helpdesk", "--demo", home=tmp_path / "h")
    assert done.returncode == 2
    assert "--demo needs the source checkout" in done.stderr


def test_linux_desktop_entry_and_icons_ship_with_the_bundle(copy: Path, tmp_path: Path) -> None:
    """install.sh puts the menu entry (pointing at the installed executable) and icons in
    the user's folders."""
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home)}
    done = subprocess.run(
        ["bash", str(copy / "install.sh")], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    entry = (home / ".local/share/applications/helpdesk.desktop").read_text("utf-8")
    assert f"Exec={home}/.local/opt/helpdesk/helpdesk" in entry
    assert "Name[fa]=میز پشتیبانی" in entry
    assert (home / ".local/share/icons/hicolor/48x48/apps/helpdesk.png").is_file()
    assert (home / ".local/share/icons/hicolor/scalable/apps/helpdesk.svg").is_file()
    assert os.access(home / ".local/opt/helpdesk/helpdesk", os.X_OK)
    removed = subprocess.run(
        ["bash", str(home / ".local/opt/helpdesk/install.sh"), "--uninstall"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert removed.returncode == 0, removed.stderr
    assert not (home / ".local/opt/helpdesk").exists()
    assert not (home / ".local/share/applications/helpdesk.desktop").exists()

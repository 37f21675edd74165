"""Regenerate core/migrations/versions/0001 from the models (allowed until the first release).

Autogenerates against an empty database in a scratch copy of the migrations folder, so
the later hand-written revisions (0002, ...) stay untouched and keep following 0001.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config

from core.db import make_engine

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "core" / "migrations"
TARGET = MIGRATIONS / "versions" / "0001_initial_schema.py"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "migrations"
        shutil.copytree(MIGRATIONS, scratch, ignore=shutil.ignore_patterns("__pycache__"))
        for old in (scratch / "versions").glob("*.py"):
            old.unlink()
        cfg = Config()
        cfg.set_main_option("script_location", str(scratch))
        cfg.attributes["engine"] = make_engine(f"sqlite:///{tmp}/empty.db")
        command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
        shutil.copy(scratch / "versions" / "0001_initial_schema.py", TARGET)
    bin_dir = Path(sys.executable).parent
    subprocess.run([bin_dir / "ruff", "check", "-q", "--fix", str(TARGET)], check=False)
    subprocess.run([bin_dir / "ruff", "format", "-q", str(TARGET)], check=True)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Refresh the Persian catalogue: lupdate over every desktop source, fill entries from the
`fa/*.tsv` files (context, English source, Persian; one line each, `\\n` for a newline),
then lrelease. Each area of the window keeps its own TSV, so several people can add
strings at once without editing the one `.ts` file by hand.

    .venv/bin/python scripts/translations.py          # refresh, fill, compile
    .venv/bin/python scripts/translations.py --check  # also exit 1 if anything is left
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "desktop" / "resources" / "translations"
TS = FOLDER / "helpdesk_fa.ts"
QM = FOLDER / "helpdesk_fa.qm"
TOOLS = Path(sys.executable).parent


def _unescape(text: str) -> str:
    return text.replace("\\n", "\n").replace("\\t", "\t")


def read_tsv(folder: Path) -> dict[tuple[str, str], str]:
    """Every (context, source) -> Persian pair from `folder/*.tsv`; later files win."""
    table: dict[tuple[str, str], str] = {}
    for path in sorted(folder.glob("*.tsv")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                raise SystemExit(f"{path.name}:{number}: want context<TAB>source<TAB>Persian")
            context, source, persian = (_unescape(p) for p in parts)
            table[(context, source)] = persian
    return table


def lupdate() -> None:
    sources = sorted(os.path.relpath(p, FOLDER) for p in (ROOT / "desktop").rglob("*.py"))
    subprocess.run(
        [str(TOOLS / "pyside6-lupdate"), *sources, "-no-obsolete", "-ts", TS.name],
        cwd=FOLDER,
        check=True,
        capture_output=True,
    )


def fill(table: dict[tuple[str, str], str]) -> list[tuple[str, str]]:
    """Write the table's translations into the .ts; returns what is still untranslated."""
    tree = ET.parse(TS)
    missing: list[tuple[str, str]] = []
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            translation = message.find("translation")
            if translation is None:
                translation = ET.SubElement(message, "translation")
            persian = table.get((name, source))
            forms = translation.findall("numerusform")
            if persian is not None and forms:  # %n strings: Persian has one plural form
                translation.text = None
                for form in forms:
                    form.text = persian
                translation.attrib.pop("type", None)
            elif persian is not None:
                translation.text = persian
                translation.attrib.pop("type", None)
            elif translation.get("type") == "unfinished":
                missing.append((name, source))
    tree.write(TS, encoding="utf-8", xml_declaration=True)
    return missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if a string is left")
    args = parser.parse_args()
    lupdate()
    missing = fill(read_tsv(FOLDER / "fa"))
    lupdate()  # back to lupdate's own layout (DOCTYPE, indentation)
    subprocess.run(
        [str(TOOLS / "pyside6-lrelease"), TS.name, "-qm", QM.name],
        cwd=FOLDER,
        check=True,
        capture_output=True,
    )
    for context, source in missing:
        print(f"untranslated: {context}\t{source!r}")
    print(f"{len(missing)} untranslated")
    return 1 if missing and args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())

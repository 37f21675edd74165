"""Entry point of `helpdesk`, the agent's window: parse the command line, set up the
application, then run the start-up flow (desktop/startup.py) on qasync's event loop."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="helpdesk", description="The agent's window.")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start a local demo server with demo data and sign in as a demo agent",
    )
    parser.add_argument("--cache", type=Path, help="cache file to open (default: data folder)")
    parser.add_argument("--lang", choices=["fa", "en"], help="UI language (default: settings)")
    parser.add_argument(
        "--demo-tickets", type=int, default=None, help="tickets in a new demo server"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="start, paint the window once and exit 0"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation (a temporary demo cache, no server), print, exit",
    )
    parser.add_argument("--screenshot", type=Path, help="with --self-test: save the window")
    # Qt's own options (-reverse, -platform ...) pass through to QApplication
    args, _qt_args = parser.parse_known_args(argv)
    return args


def _smoke_offline(cache_path: Path | None, localization: object) -> int:
    """`--smoke` without `--demo`: paint the window over a cache (a new empty one when
    there is none) and exit; no server, no sign-in (a packaging check)."""
    from desktop.app import open_window
    from desktop.i18n import Localization

    assert isinstance(localization, Localization)
    with tempfile.TemporaryDirectory(prefix="helpdesk-smoke-") as temp:
        path = cache_path if cache_path is not None else Path(temp) / "cache.sqlite3"
        opened = open_window(cache_path=path, localization=localization)
        opened.window.resize(1280, 800)
        opened.window.show()
        try:
            from PySide6.QtWidgets import QApplication

            QApplication.processEvents()
            opened.window.grab()
        finally:
            opened.close()
    return 0


LOG_FILE_BYTES = 1_000_000
LOG_FILES_KEPT = 3


def log_to_file() -> Path | None:
    """Warnings and errors to `<data folder>/logs/helpdesk.log` (rotated at 1 MB, three
    kept) as well as stderr: an installed client on Windows has no console to read."""
    import logging
    import logging.handlers

    from core.paths import data_dir

    folder = data_dir() / "logs"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            folder / "helpdesk.log",
            maxBytes=LOG_FILE_BYTES,
            backupCount=LOG_FILES_KEPT,
            encoding="utf-8",
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.WARNING)
    root = logging.getLogger()
    root.addHandler(handler)
    if sys.stderr is not None:
        root.addHandler(logging.StreamHandler())
    root.setLevel(logging.WARNING)
    return folder / "helpdesk.log"


def main(argv: list[str] | None = None) -> int:
    """Start the window; returns the process exit code."""
    raw = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(raw)

    import qasync

    from core.cache import default_cache_path
    from desktop.app import init_application, saved_language, setup_localization
    from desktop.demo import DEMO_TICKETS, demo_folder
    from desktop.i18n import Language
    from desktop.startup import run

    app = init_application([sys.argv[0] if sys.argv else "helpdesk", *raw])
    language = Language(args.lang) if args.lang else saved_language()
    if args.self_test:  # Persian, whatever the settings say: it checks the catalogues
        language = Language.PERSIAN
    localization = setup_localization(app, language)

    if args.self_test:
        from desktop.self_test import run_self_test

        return run_self_test(sys.stdout, args.screenshot)
    if args.demo and getattr(sys, "frozen", False):
        # the installed client has no server in it (packaging/README.md)
        print("helpdesk: --demo needs the source checkout (make run)", file=sys.stderr)
        return 2

    log_to_file()
    cache_path: Path = args.cache or default_cache_path()
    if args.smoke and not args.demo:
        return _smoke_offline(cache_path if cache_path.exists() else None, localization)

    app.setQuitOnLastWindowClosed(False)  # the flow ends the loop, after closing cleanly
    loop = qasync.QEventLoop(app)
    with loop:
        code: int = loop.run_until_complete(
            run(
                localization,
                cache_path=cache_path,
                demo_folder=demo_folder() if args.demo else None,
                demo_tickets=args.demo_tickets or DEMO_TICKETS,
                smoke=args.smoke,
            )
        )
    return code


if __name__ == "__main__":
    raise SystemExit(main())

"""Entry point of `helpdesk`, the agent's window: parse the command line, then hand over
to the composition root (desktop/app.py)."""

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
        help="open the demo cache (made on first use) signed in as a demo agent",
    )
    parser.add_argument("--cache", type=Path, help="cache file to open (default: data folder)")
    parser.add_argument("--lang", choices=["fa", "en"], help="UI language (default: settings)")
    parser.add_argument(
        "--demo-tickets", type=int, default=None, help="tickets in a new demo cache"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="start, paint the window once and exit 0"
    )
    # Qt's own options (-reverse, -platform ...) pass through to QApplication
    args, _qt_args = parser.parse_known_args(argv)
    return args


def main(argv: list[str] | None = None) -> int:
    """Start the window; returns the process exit code."""
    raw = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(raw)

    from core.cache import default_cache_path
    from desktop.app import init_application, open_window, saved_language, setup_localization
    from desktop.demo import DEMO_TICKETS, create_demo_cache, demo_cache_path, first_agent
    from desktop.i18n import Language

    temp: tempfile.TemporaryDirectory[str] | None = None
    if args.demo:
        cache_path: Path = args.cache or demo_cache_path()
    elif args.cache is not None or default_cache_path().exists():
        cache_path = args.cache or default_cache_path()
        if not cache_path.exists():
            print(f"helpdesk: no cache at {cache_path}", file=sys.stderr)
            return 1
    elif args.smoke:
        temp = tempfile.TemporaryDirectory(prefix="helpdesk-smoke-")
        cache_path = Path(temp.name) / "cache.sqlite3"
    else:
        print(
            "helpdesk: no local cache yet and signing in to a server is not available in "
            f"this build.\nRun `helpdesk --demo` to try it with demo data, or pass "
            f"--cache PATH (looked for {default_cache_path()}).",
            file=sys.stderr,
        )
        return 1

    app = init_application([sys.argv[0] if sys.argv else "helpdesk", *raw])
    language = Language(args.lang) if args.lang else saved_language()
    localization = setup_localization(app, language)

    if args.demo and not cache_path.exists():
        create_demo_cache(cache_path, tickets=args.demo_tickets or DEMO_TICKETS)

    from core.cache import open_cache
    from core.db import session_factory

    user_id: str | None = None
    if args.demo:
        engine = open_cache(cache_path)
        with session_factory(engine)() as session:
            agent = first_agent(session)
            user_id = agent.id if agent is not None else None
        engine.dispose()

    opened = open_window(cache_path=cache_path, localization=localization, user_id=user_id)
    opened.window.resize(1280, 800)
    opened.window.show()
    try:
        if args.smoke:
            app.processEvents()
            opened.window.grab()  # paint once: fonts, translations and the model all work
            return 0
        return app.exec()
    finally:
        opened.close()
        if temp is not None:
            temp.cleanup()


if __name__ == "__main__":
    raise SystemExit(main())

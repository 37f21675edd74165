"""Entry point of `helpdesk`, the agent's window."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Start the window (issue 5). Until it lands, say so and fail, so no script mistakes
    this for a working window."""
    print("helpdesk: the window is not yet available in this build.", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())

"""Entry point of `helpdesk-server`."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Start the server (issue 3). Until it lands, say so and fail."""
    print("helpdesk-server: the server is not yet available in this build.", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())

"""Entry point of `helpdesk-cli`, the terminal front end."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run the terminal front end (issue 4). Until it lands, say so and fail."""
    print(
        "helpdesk-cli: the terminal front end is not yet available in this build.", file=sys.stderr
    )
    return 2


if __name__ == "__main__":
    raise SystemExit(main())

"""The bundle's entry script (PyInstaller needs a file): the same `main` as the
`helpdesk` console script of pyproject.toml."""

from desktop.main import main

if __name__ == "__main__":
    raise SystemExit(main())

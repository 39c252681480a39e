"""``python -m minigrad``: the same as the ``minigrad`` command (see :mod:`minigrad.cli`)."""

from minigrad.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

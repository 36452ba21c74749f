"""Run the verifier: ``python -m governance.verify DIR``."""

from governance.verify.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    raise SystemExit(main())

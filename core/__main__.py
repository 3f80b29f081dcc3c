"""``python -m core``: see :mod:`core.cli`."""

from __future__ import annotations

import sys

from core import runtime
from core.cli import main

if __name__ == "__main__":
    runtime.start()
    sys.exit(main())

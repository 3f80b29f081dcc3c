"""``python -m ui.server [streamlit options]``: the app's server, with the presets prepared from the start.

The same as ``streamlit run app.py [options]``, except that the hand-written presets
are prepared in a background thread before the first visitor arrives (see
:func:`ui.resources.warm_up`), so nobody waits for them. ``make run``, ``make serve``,
the browser tests and the benchmarks all start the app this way.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


def main(argv: Sequence[str] | None = None) -> int:
    from streamlit.web import cli

    from core import runtime
    from ui import resources

    runtime.start()
    problems = runtime.configuration_problems()
    for line in problems:  # the pages show the same lines; nothing is prepared with a configuration that is refused
        print(f"configuration error: {line}", file=sys.stderr, flush=True)
    if not problems:
        resources.warm_up()
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())

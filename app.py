"""Signed Affinity Explorer: registers the pages and runs the selected one."""

from __future__ import annotations

from core import runtime
from ui import resources
from ui.navigation import navigation

runtime.start()
page = navigation()
if resources.serving():  # prepare the presets in the background, once per server process (not in AppTest)
    resources.warm_up()
page.run()

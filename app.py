"""Signed Affinity Explorer: registers the pages and runs the selected one."""

from __future__ import annotations

from ui import resources
from ui.navigation import navigation

page = navigation()
resources.warm_up()  # prepare the presets in the background (once per server process)
page.run()

"""A Streamlit visitor without a browser: the websocket and protobuf messages the browser exchanges.

Used by ``bench/classroom.py`` (thirty students on one machine) and the tests of ``scripts/serve.py``
(a session through nginx). It opens a page with a query string, then moves the Explorer's live panel
exactly as the panel's JavaScript does: a fragment rerun carrying the panel's state as JSON.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import time
import urllib.request

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from ui.live import NAME as PANEL
from ui.live import state as live_state

MOVE_TIMEOUT = 30.0
LOAD_TIMEOUT = 300.0


class Client:
    """One visitor's websocket, with the route cookie a proxy gave it (if any)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.ws = None
        self.query = ""
        self.panel_id = self.fragment = None
        self.panel: dict | None = None
        self.progress_fragment = None

    async def connect(self) -> None:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        await asyncio.to_thread(lambda: opener.open(f"{self.url}/", timeout=30).read())  # the proxy's route cookie
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        headers = {"Cookie": cookie} if cookie else None
        ws_url = self.url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = await websockets.connect(
            ws_url, subprotocols=["streamlit"], additional_headers=headers, max_size=2**27, open_timeout=30
        )

    async def rerun(self, query: str, *, fragment: str | None = None, state: dict | None = None) -> None:
        message = BackMsg()
        run = message.rerun_script
        run.query_string, run.page_name = query, "explorer"
        if fragment:
            run.fragment_id = fragment
        if state is not None:
            widget = run.widget_states.widgets.add()
            widget.id, widget.json_value = self.panel_id, json.dumps(state)
        await self.ws.send(message.SerializeToString())

    async def until_finished(self, timeout: float) -> None:
        """Read messages until the run finishes, keeping the live panel's latest payload."""
        async with asyncio.timeout(timeout):
            while True:
                msg = ForwardMsg()
                msg.ParseFromString(await self.ws.recv())
                kind = msg.WhichOneof("type")
                if kind == "page_info_changed":
                    self.query = msg.page_info_changed.query_string
                elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    self._element(msg.delta)
                elif kind == "script_finished":
                    return

    def _element(self, delta) -> None:
        element = delta.new_element
        if element.WhichOneof("type") == "bidi_component" and element.bidi_component.component_name == PANEL:
            self.panel_id, self.fragment = element.bidi_component.id, delta.fragment_id
            self.panel = json.loads(element.bidi_component.json)
        elif element.WhichOneof("type") == "progress":
            self.progress_fragment = delta.fragment_id or self.progress_fragment

    async def open(self, link: str) -> float:
        start = time.perf_counter()
        self.query = link
        await self.rerun(link)
        await self.until_finished(LOAD_TIMEOUT)
        return time.perf_counter() - start

    async def move(self, feature: str, value: float) -> float:
        """One slider move; its latency, or an exception if the panel did not show it."""
        start = time.perf_counter()
        await self.rerun(self.query, fragment=self.fragment, state=live_state({feature: value}))
        await self.until_finished(MOVE_TIMEOUT)
        shown = {f["name"]: f["value"] for f in (self.panel or {}).get("features", [])}
        if shown.get(feature) != value:
            raise AssertionError(f"the panel shows {feature}={shown.get(feature)}, expected {value}")
        return time.perf_counter() - start

    async def grab(self, scores: dict[str, float], feature: str, nonce: int, timeout: float = MOVE_TIMEOUT) -> float:
        """Grab a slider as the panel does: ask for its sweep (with the scores shown now) and ask again every
        0.25 s until the sweep is complete; the time until the whole sweep is in hand."""
        start = time.perf_counter()
        if self.holds(scores, feature):
            return 0.0  # the last panel brought this slider's sweep along: the browser asks nothing
        deadline = start + timeout
        while True:
            state = {**live_state(scores), "sweep": {"feature": feature, "nonce": nonce}}
            await self.rerun(self.query, fragment=self.fragment, state=state)
            await self.until_finished(MOVE_TIMEOUT)
            sweep = (self.panel or {}).get("sweep") or {}
            if sweep.get("feature") == feature and sweep.get("complete"):
                return time.perf_counter() - start
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no complete sweep of {feature} in {timeout:.0f} s")
            nonce += 1
            await asyncio.sleep(0.25)

    def holds(self, scores: dict[str, float], feature: str) -> bool:
        """Whether the last panel carried a complete sweep of ``feature`` from these scores."""
        others = {f: s for f, s in scores.items() if f != feature}
        for sweep in (self.panel or {}).get("sweeps", []):
            if sweep["feature"] == feature and sweep["complete"] and dict(map(tuple, sweep["base"])) == others:
                return True
        return False

    async def release(self, scores: dict[str, float], feature: str) -> float:
        """Let go of a slider: the panel commits every shown score; the time until the panel shows it."""
        start = time.perf_counter()
        await self.rerun(self.query, fragment=self.fragment, state=live_state(scores))
        await self.until_finished(MOVE_TIMEOUT)
        shown = {f["name"]: f["value"] for f in (self.panel or {}).get("features", [])}
        if shown.get(feature) != scores[feature]:
            raise AssertionError(f"the panel shows {feature}={shown.get(feature)}, expected {scores[feature]}")
        return time.perf_counter() - start

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

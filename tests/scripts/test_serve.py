"""``make serve``: replicas behind nginx keep each visitor on one replica, spread a class over all of them,
and carry Streamlit's websocket (a real session moves the live panel through the proxy)."""

from __future__ import annotations

import asyncio
import http.cookiejar
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from scripts.serve import replicas
from scripts.session_client import Client


@pytest.fixture(scope="module")
def proxy() -> str:
    with replicas(2, timeout=300) as (url, pids):
        assert len(pids) == 2
        yield url


def visitor() -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def replica(opener: urllib.request.OpenerDirector, url: str) -> str:
    with opener.open(f"{url}/", timeout=30) as response:
        return response.headers["X-Replica"]


def test_a_visitor_keeps_its_replica(proxy):
    opener, jar = visitor()
    first = replica(opener, proxy)
    assert [cookie.name for cookie in jar] == ["sae_route"]
    assert {replica(opener, proxy) for _ in range(10)} == {first}


def test_a_class_is_spread_over_every_replica(proxy):
    # 30 new visitors all on one of two replicas would happen once in 2**29 runs.
    assert len({replica(visitor()[0], proxy) for _ in range(30)}) == 2


def test_a_session_moves_the_live_panel_through_the_proxy(proxy):
    async def session() -> dict:
        client = Client(proxy)
        await client.connect()
        try:
            await client.open("preset=sign-trap&user=user-a")
            assert client.panel_id is not None, "the Explorer's live panel did not arrive through nginx"
            await client.move("anxiety", 0.35)  # raises unless the redrawn panel shows the new score
            return client.panel
        finally:
            await client.close()

    with ThreadPoolExecutor(1) as pool:  # a thread of its own: the browser tests' Playwright keeps a loop running here
        panel = pool.submit(lambda: asyncio.run(session())).result(timeout=300)
    assert {f["name"]: f["value"] for f in panel["features"]}["anxiety"] == 0.35

"""The dashboards in headless Chromium: the map shows the sensors, a live value changes while
the page is open (event stream and its polling fallback, both fed by the broker's notifications), the station chart zooms, and axe-core finds no serious violations."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.factories import dortmund, schwerte
from tests.portal.dashboards.conftest import CORE, MENGEDE, sensor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _upsert(tenant, entities) -> None:
    from django.conf import settings

    from dos.broker.client import BrokerClient

    async def run() -> None:
        client = BrokerClient.from_config(settings.CONFIG)  # the live server's broker
        try:
            await client.upsert_entities(entities, tenant=tenant, update=True)
        finally:
            await client.aclose()

    # Playwright's sync API runs an event loop in this thread: use a thread of our own.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


def test_map_updates_live_and_is_accessible(live_url, page, axe_violations) -> None:
    dortmund()
    tag = uuid.uuid4().hex[:8]  # the broker store outlives the test database
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    core = sensor("WeatherObserved", f"core-{tag}", *CORE[1:], at=now, temperature=21.5)
    rural = sensor("WeatherObserved", f"rural-{tag}", *MENGEDE[1:], at=now, temperature=18.0)
    _upsert("dortmund", [core, rural])

    page.goto(f"{live_url}/dortmund/dashboard/?layer=temperature&poll=2")
    point = page.locator(f'circle[data-id="{core["id"]}"]')
    assert point.count() == 1
    before = point.get_attribute("fill")
    row = page.locator(f'tr[data-id="{core["id"]}"] [data-value]')
    assert row.inner_text() == "21,5 °C"
    assert page.locator(".sensor-map svg").is_visible()
    assert axe_violations(page) == []

    later = now + dt.timedelta(minutes=5)
    _upsert(
        "dortmund",
        [sensor("WeatherObserved", f"core-{tag}", *CORE[1:], at=later, temperature=33.0)],
    )
    page.wait_for_function(
        "id => document.querySelector(`tr[data-id='${id}'] [data-value]`).textContent === '33,0 °C'",
        arg=core["id"],
        timeout=8000,
    )
    assert point.get_attribute("fill") != before
    page.get_by_role("button", name="Vergrößern").click()
    assert page.locator(".sensor-map").evaluate("el => el.classList.contains('zoomed')")

    # the polling fallback of the event stream reads the same notified values
    page.goto(f"{live_url}/dortmund/dashboard/?layer=temperature&poll=2&live=poll")
    _upsert(
        "dortmund",
        [sensor("WeatherObserved", f"core-{tag}", *CORE[1:], at=later, temperature=35.0)],
    )
    page.wait_for_function(
        "id => document.querySelector(`tr[data-id='${id}'] [data-value]`).textContent === '35,0 °C'",
        arg=core["id"],
        timeout=8000,
    )

    page.goto(f"{live_url}/dashboard/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Stadt auf einen Blick")
    assert axe_violations(page) == []

    page.goto(f"{live_url}/dortmund/dashboard/station/{core['id']}/")
    assert page.locator("svg.ts-chart path.line").count() == 1
    page.get_by_role("link", name="7 Tage").click()
    page.wait_for_url("**range=7d")
    assert page.locator("svg.ts-chart path.line").count() == 1
    assert axe_violations(page) == []

    page.goto(f"{live_url}/dortmund/dashboard/analysen/")
    assert page.get_by_role("heading", name="Wärmeinsel").is_visible()
    assert axe_violations(page) == []


def test_parking_heat_map_is_accessible(live_url, page, axe_violations) -> None:
    schwerte()
    tag = uuid.uuid4().hex[:8]
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for hours, status in ((30, "occupied"), (20, "free"), (3, "occupied")):
        spot = sensor(
            "ParkingSpot",
            f"spot-{tag}",
            51.4436,
            7.5606,
            at=now - dt.timedelta(hours=hours),
            status=status,
            static={"carPark": f"Markt {tag}"},
        )
        _upsert("schwerte", [spot])
    page.goto(f"{live_url}/schwerte/dashboard/analysen/")
    heading = page.get_by_role("heading", name="Typische Belegung nach Wochentag und Stunde")
    assert heading.is_visible()
    table = page.locator("table.heat-table", has_text=f"Markt {tag}")
    assert table.locator("td", has_text="100").count() >= 9  # 10 occupied hours, all of them
    assert axe_violations(page) == []

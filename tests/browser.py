"""Browser test fixtures: the whole DOS ASGI app on a live port, and headless Chromium.

- ``live_url``: base URL of a uvicorn server running :func:`dos.asgi.create_app` in a thread
  of the test process (session-scoped; on a free port, or on ``DOS_TEST_LIVE_PORT`` plus the
  xdist worker number); it uses the test database, so data a test creates
  with the ORM or actions is what the browser sees. Tests using it need ``transactional_db``
  (requesting ``live_url`` pulls it in).
- ``page``: a fresh Playwright page (German locale) in Debian's Chromium.
- ``axe_violations(page)``: axe-core's serious and critical violations on the current page.

Mark browser tests with ``@pytest.mark.browser``.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("DOS_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _free_port() -> int:
    """A free port; with ``DOS_TEST_LIVE_PORT`` set, that port plus the xdist worker number
    (for runs that must keep to a given port range)."""
    base = os.environ.get("DOS_TEST_LIVE_PORT")
    if base:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
        return int(base) + int(worker or 0)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def _live_server(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    import uvicorn
    from django.conf import settings
    from django.core.management import call_command

    from dos.asgi import create_app
    from dos.config import load

    with django_db_blocker.unblock():
        call_command("collectstatic", interactive=False, verbosity=0)
    port = _free_port()
    config = load({**os.environ, "DOS_PORT": str(port)})  # where the broker notifies the portal
    from dos.broker.store import open_store

    store = open_store(config)
    store.migrate()
    store.close()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config),
            host="127.0.0.1",
            port=port,
            log_config=None,
            lifespan="on",
            access_log=False,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    assert settings.STATIC_ROOT
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def live_url(
    _live_server: str,
    django_db_serialized_rollback: None,
    transactional_db: Any,
    django_db_blocker: Any,
) -> str:
    # Serialized rollback restores what data migrations created (reference data such as the
    # SDGs) after each test's flush, so the next browser test finds it again.
    django_db_blocker.unblock()  # the server thread queries the test database
    return _live_server


@pytest.fixture(scope="session")
def _browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("DOS_TEST_REQUIRE_SERVICES") == "1":
            pytest.fail(f"Chromium is required in this run but {CHROMIUM} is missing")
        pytest.skip(f"Chromium not installed ({CHROMIUM}); apt-get install chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are
    # still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(_browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = _browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def axe_violations() -> Callable[[Any], list[dict[str, Any]]]:
    """Run axe-core (shipped in the axe-playwright-python package) on the page."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def run(page: Any) -> list[dict[str, Any]]:
        results = axe.run(page)
        return [
            v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
        ]

    return run

"""Browser journeys: a real Agora server (uvicorn, its own SQLite file, real commits) driven by
Debian's Chromium through Playwright. Screenshots of each journey's end go to tests/artifacts/."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "browser-journey-pass"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("live")
    env = {
        **os.environ,
        "AGORA_ENV": "test",
        "DATABASE_URL": f"sqlite:///{workdir / 'agora.db'}",
        "SECRET_KEY": "browser-tests-secret-key-0123456789abcdef",
        "STORAGE_DIR": str(workdir / "storage"),
    }
    python = sys.executable
    subprocess.run([python, "-m", "app.cli", "db", "upgrade"], env=env, cwd=ROOT, check=True)
    subprocess.run(
        [python, "-m", "tests.browser.prepare", DEMO_PASSWORD], env=env, cwd=ROOT, check=True
    )
    port = _free_port()
    server = subprocess.Popen(
        [python, "-m", "app.cli", "serve", "--port", str(port), "--no-access-log"],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 90  # a loaded machine (CI, parallel work) starts slowly
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("Agora did not start")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = {"serious", "critical"}


def axe_violations(page: Page) -> list[dict[str, object]]:
    """Serious or critical WCAG 2.1 A/AA violations axe-core finds on the current page."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci --prefix tests/browser`")
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]


def transferred_bytes(page: Page, path: str, *, cold: bool) -> int:
    """Bytes that crossed the network (headers and compressed bodies) to load `path`; with
    `cold` the browser cache is emptied first (a first visit), else what it holds is free."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    if cold:
        cdp.send("Network.clearBrowserCache")
    total = 0

    def add(event: dict[str, float]) -> None:
        nonlocal total
        total += int(event["encodedDataLength"])

    cdp.on("Network.loadingFinished", add)
    page.goto(path, wait_until="load")
    page.wait_for_load_state("networkidle")
    cdp.detach()
    return total

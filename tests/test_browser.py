"""What a person opens in a browser renders there: Debian's headless Chromium, offline.

Chromium resolves no host but 127.0.0.1 here (--host-resolver-rules), so a page that
needed a CDN or a web font service would fail to render even on a machine with internet
access. The DOM is read after the page's scripts ran (--dump-dom with a virtual time
budget), and each check looks for elements that only the page's JavaScript creates.
"""

import re
import shutil
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.helpers import ROOT, database_url_for, project_env, render, uv_sync
from tests.test_docs import build_site

STARTUP_TIMEOUT_SECONDS = 60
BROWSER_TIMEOUT_SECONDS = 90
# gunicorn's "Listening at: http://127.0.0.1:40123 (4567)".
LISTENING_LINE = re.compile(r"Listening at: (?P<url>http://[^\s]+) ")


def chromium() -> str:
    """Debian's `chromium` (CI installs it: .ci/run); Chrome where a runner ships that."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    pytest.fail("headless Chromium is required: apt-get install chromium")


def dump_dom(url: str, profile: Path) -> str:
    """The page's DOM after its scripts had 15 s of (virtual) time to run."""
    result = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--virtual-time-budget=15000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=BROWSER_TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@contextmanager
def serving(directory: Path) -> Iterator[str]:
    """A static file server for `directory` on a free loopback port."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_docs_site_renders_navigation_and_content(tmp_path: Path) -> None:
    site = tmp_path / "site"
    built = build_site(ROOT, site)
    assert built.returncode == 0, built.stderr

    with serving(site) as base_url:
        dom = dump_dom(f"{base_url}/deployment/", tmp_path / "profile")

    for title in ("Quickstart", "Questions and options", "Architecture", "FAQ"):
        assert f">{title}<" in dom.replace("\n", "").replace("  ", ""), title
    assert "Scaling out" in dom
    assert "Stateless processes" in dom
    # The theme's JavaScript replaces the "no-js" class it is served with.
    html = re.search(r"<html[^>]*>", dom)
    assert html, dom[:200]
    assert re.search(r'class="[^"]*\bjs\b', html.group(0)), html.group(0)
    assert "no-js" not in html.group(0)


@contextmanager
def production_server(project: Path, log: Path) -> Iterator[str]:
    """The rendered service started with its production command, one worker, docs on."""
    env = project_env(
        # Port 0: the system picks a free one as gunicorn binds, so no other process
        # can take it first; gunicorn logs which.
        BIND="127.0.0.1:0",
        WEB_CONCURRENCY="1",
        APP_ENVIRONMENT="local",
        # The docs pages never query the database; the name only has to be ours.
        DATABASE_NAME=database_url_for("docs_browser").rsplit("/", 1)[1],
        DATABASE_PASSWORD="postgres",  # noqa: S106 - the local trust-auth server
    )
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(project / ".venv/bin/gunicorn"), "--config", "gunicorn.conf.py"],
            cwd=project,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield started_url(log, process)
    finally:
        process.terminate()
        process.wait(timeout=STARTUP_TIMEOUT_SECONDS)


def started_url(log: Path, process: subprocess.Popen[bytes]) -> str:
    """The service's URL once it answers /health: gunicorn logs the port it was given."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while process.poll() is None and time.monotonic() < deadline:
        listening = LISTENING_LINE.search(log.read_text())
        if listening and answers_health(listening["url"]):
            return listening["url"]
        time.sleep(0.2)
    pytest.fail(f"the service did not start:\n{log.read_text()}")


def answers_health(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/health", timeout=2) as response:  # noqa: S310 - loopback
            return bool(response.status == 200)
    except OSError:
        return False


def test_service_api_docs_render_offline(template: Path, tmp_path: Path) -> None:
    project = render(template, tmp_path / "docs-browser", {})
    uv_sync(project, "--no-dev")

    with production_server(project, tmp_path / "server.log") as base_url:
        swagger = dump_dom(f"{base_url}/docs", tmp_path / "profile")
        redoc = dump_dom(f"{base_url}/redoc", tmp_path / "profile")

    # Swagger UI lists each operation once its bundle has loaded the schema.
    assert 'class="swagger-ui' in swagger
    assert 'data-path="/api/v1/items/{item_id}"' in swagger
    assert 'data-path="/health/ready"' in swagger
    # ReDoc renders the title and each operation's summary.
    assert "My Service" in redoc
    assert "Create an item" in redoc
    assert "Readiness probe" in redoc

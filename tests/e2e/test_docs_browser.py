"""/docs and /redoc render in a real browser with no internet: Debian's headless chromium.

The pages' HTML holds no operation at all; the paths below appear in the DOM only once the
Swagger UI or ReDoc JavaScript, served by the app itself, has fetched /openapi.json and
rendered it. Every host but the app's is unresolvable, so a CDN asset could not load.
"""

import os
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.e2e.live_server import serving

CHROMIUM = Path("/usr/bin/chromium")
ENSURE_CHROMIUM = Path(__file__).resolve().parents[2] / "scripts" / "ensure-chromium"


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Installs chromium when missing (root, as on CI); skips only outside CI."""
    if not CHROMIUM.exists():
        installed = subprocess.run([ENSURE_CHROMIUM], capture_output=True, text=True, timeout=600)
        if installed.returncode != 0 and os.environ.get("CI") != "true":
            pytest.skip(f"chromium is not installed: {installed.stderr.strip()}")
        assert installed.returncode == 0, installed.stderr
    return CHROMIUM


def render(chromium: Path, url: str, profile: Path) -> str:
    result = subprocess.run(
        [
            str(chromium),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.parametrize(
    ("page", "rendered"),
    [
        ("/docs", ['class="opblock-summary-method">POST', 'data-path="/items"']),
        ("/redoc", ['operation-type post">post', "/items/{item_id}"]),
    ],
    ids=["swagger-ui", "redoc"],
)
def test_the_docs_render_their_operations_from_local_assets(
    chromium: Path, tmp_path: Path, page: str, rendered: list[str]
) -> None:
    with serving(tmp_path, "memory://") as served:
        html = httpx.get(served.base_url + page).text  # the page before any script ran
        dom = render(chromium, served.base_url + page, tmp_path / "profile")
    assert "/items" not in html
    for fragment in rendered:
        assert fragment in dom, f"{fragment!r} not rendered on {page}"

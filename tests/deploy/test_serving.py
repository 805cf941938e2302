"""nginx as shipped, in front of gunicorn as shipped: headers, caching, gzip, the survey, logs."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup

from generator.site.csp import site_headers
from survey.security import HEADERS
from tests.conftest import require
from tests.deploy.conftest import (
    DEPLOY,
    SERVER_ROOT,
    Server,
    free_port,
    localised,
    nginx_main_config,
    running,
    self_signed,
)
from tests.survey.conftest import ANSWERS

CODE = "K7QX-M9PA-3RTU"
HASHED_CSS = "assets/stylesheets/main.0123abcd.min.css"
PLAIN_CSS = "assets/stylesheets/yiti.css"


def tiny_site(folder: Path) -> Path:
    """A built site in miniature: pages, a hashed and an unhashed stylesheet, a 404 page."""
    site = folder / "site"
    padding = "<p>每月一题</p>" * 200  # over gzip_min_length (1 KiB)
    for page, title in [("index.html", "首页"), ("404.html", "页面不存在")]:
        (site / page).parent.mkdir(parents=True, exist_ok=True)
        (site / page).write_text(f"<!doctype html><h1>{title}</h1>{padding}", encoding="utf-8")
    for sheet in (HASHED_CSS, PLAIN_CSS):
        (site / sheet).parent.mkdir(parents=True, exist_ok=True)
        (site / sheet).write_text("body { margin: 0 }\n" * 100, encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def nginx(
    tmp_path_factory: pytest.TempPathFactory, gunicorn: Server
) -> Iterator[tuple[Server, Server]]:
    """nginx with the shipped site configuration on free ports; (HTTPS server, HTTP server)."""
    require(shutil.which("nginx") is not None, "nginx (Debian package nginx)")
    require(shutil.which("openssl") is not None, "openssl")
    folder = tmp_path_factory.mktemp("nginx")
    certificate = self_signed(folder)
    snippet = folder / "yiti-security-headers.conf"
    shutil.copy(DEPLOY / "nginx" / snippet.name, snippet)
    # Free ports, so never 443 and 80: what an operator on another port does (deploy/README.md).
    https, http = free_port(), free_port()
    upstream = gunicorn.base.removeprefix("http://")
    replacements = {
        "/etc/letsencrypt/live/yiti.example.org": str(folder),
        "/etc/nginx/snippets/yiti-security-headers.conf": str(snippet),
        "/var/log/nginx": str(folder),
        f"root {SERVER_ROOT}/site": f"root {tiny_site(folder)}",
        "server 127.0.0.1:8001;": f"server {upstream};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "listen 80;": f"listen 127.0.0.1:{http};",
        "listen [::]:80;": "",
        "https://$host$request_uri": f"https://$host:{https}$request_uri",
    }
    site = folder / "yiti.conf"
    site.write_text(localised(DEPLOY / "nginx" / "yiti.conf", replacements), encoding="utf-8")
    # Run as root (CI), nginx's workers would switch to nobody, who cannot read tmp_path.
    config = nginx_main_config(folder, site, "user root;" if os.geteuid() == 0 else "")
    server = Server(f"https://127.0.0.1:{https}", folder / "yiti.access.log", str(certificate))
    command = ["nginx", "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(config)]
    for started in running([*command, "-g", "daemon off;"], server, dict(os.environ)):
        yield started, Server(f"http://127.0.0.1:{http}", server.log)


def get(server: Server, path: str, **options: object) -> requests.Response:
    """GET `path` from `server`, trusting its test certificate."""
    return requests.get(f"{server.base}{path}", timeout=10, verify=server.verify, **options)  # type: ignore[arg-type]


def test_static_pages_carry_the_security_headers(nginx: tuple[Server, Server]) -> None:
    for path, status in [("/", 200), (f"/{PLAIN_CSS}", 200), ("/no-such-page/", 404)]:
        page = get(nginx[0], path)
        assert page.status_code == status
        for name, value in site_headers(https=True).items():
            assert page.headers.get(name) == value, f"{path}: {name}"
        assert "nginx/" not in page.headers["Server"]


def test_the_survey_keeps_its_own_headers_through_nginx(nginx: tuple[Server, Server]) -> None:
    form = get(nginx[0], "/survey/privacy/")
    assert form.status_code == 200
    for name, value in HEADERS.items():
        assert form.headers.get(name) == value, name  # requests joins repeated headers with ","


def test_html_revalidates_and_hashed_assets_are_cached_for_a_year(
    nginx: tuple[Server, Server],
) -> None:
    assert get(nginx[0], "/").headers["Cache-Control"] == "no-cache"
    hashed = get(nginx[0], f"/{HASHED_CSS}").headers["Cache-Control"]
    assert hashed == "public, max-age=31536000, immutable"
    assert get(nginx[0], f"/{PLAIN_CSS}").headers["Cache-Control"] == "public, max-age=86400"


def test_text_is_sent_gzipped(nginx: tuple[Server, Server]) -> None:
    for path in ("/", f"/{PLAIN_CSS}"):
        response = get(nginx[0], path, headers={"Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip"


def test_a_missing_page_is_the_sites_404_with_headers(nginx: tuple[Server, Server]) -> None:
    missing = get(nginx[0], "/no-such-page/")
    assert missing.status_code == 404
    assert "页面不存在" in missing.text
    assert "Content-Security-Policy" in missing.headers


def test_plain_http_is_sent_to_https_on_its_port(nginx: tuple[Server, Server]) -> None:
    answer = get(nginx[1], "/topics/?x=1", allow_redirects=False)
    assert answer.status_code == 301
    assert answer.headers["Location"] == f"{nginx[0].base}/topics/?x=1"


def test_a_residents_answer_is_accepted_through_nginx_on_another_port(
    nginx: tuple[Server, Server],
) -> None:
    """The browser's Referer names the port (https://host:18443/…); the app compares it with
    the host nginx forwards, so that must carry the port too, or every form is refused."""
    url = f"{nginx[0].base}/survey/ebike-charging/2026-end/"
    trust = {"verify": nginx[0].verify, "timeout": 10}
    with requests.Session() as browser:  # keeps the session cookie that holds the CSRF token
        form = BeautifulSoup(browser.get(url, **trust).text, "html.parser")  # type: ignore[arg-type]
        hidden = {field["name"]: field["value"] for field in form.select("input[type=hidden]")}
        body = hidden | {"website": ""} | ANSWERS
        referer = {"Referer": url}
        answer = browser.post(url, body, headers=referer, allow_redirects=False, **trust)  # type: ignore[arg-type]
        assert answer.status_code == 303, answer.text
        # A path on the same host and port, wherever the resident reached it.
        thanks = answer.headers["Location"]
        assert thanks.startswith("/survey/ebike-charging/2026-end/thanks/")
        assert browser.get(f"{nginx[0].base}{thanks}", **trust).status_code == 200  # type: ignore[arg-type]


def test_the_survey_is_served_through_nginx_and_no_log_keeps_the_code(
    nginx: tuple[Server, Server], gunicorn: Server
) -> None:
    form = get(nginx[0], f"/survey/ebike-charging/2026-end/?channel=invitation&code={CODE}")
    assert form.status_code == 200
    assert 'action="/survey/ebike-charging/2026-end/' in form.text
    assert get(nginx[0], "/survey", allow_redirects=False).headers["Location"].endswith("/survey/")
    assert "/survey/ebike-charging/2026-end/ 200" in nginx[0].log.read_text()
    for log in (nginx[0].log, gunicorn.log):
        assert CODE not in log.read_text()
        assert "127.0.0.1" not in log.read_text().replace("Listening at: http://127.0.0.1", "")

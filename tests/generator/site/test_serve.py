"""`yiti serve`'s app: the built site at /, the survey under /survey, on one origin."""

from __future__ import annotations

import gc
import gzip
import os
import signal
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.test import Client

from generator.cli import main
from generator.site.serve import background_worker, combined_app, static_site
from tests.conftest import CONTENT


def site(tmp_path: Path) -> Path:
    """A tiny built site."""
    root = tmp_path / "site"
    (root / "topics/x").mkdir(parents=True)
    (root / "index.html").write_text("<h1>home</h1>", encoding="utf-8")
    (root / "topics/x/index.html").write_text("<h1>topic</h1>", encoding="utf-8")
    (root / "404.html").write_text("<h1>找不到页面</h1>", encoding="utf-8")
    return root


def fetch(client: Client, path: str) -> tuple[int, str, str | None]:
    """Status, body and Location of a GET, closing the response (and its file)."""
    with client.get(path) as response:
        return response.status_code, response.get_data(as_text=True), response.location


def test_directory_urls_serve_their_index(tmp_path: Path) -> None:
    client = Client(static_site(site(tmp_path)))
    assert fetch(client, "/")[1] == "<h1>home</h1>"
    assert fetch(client, "/topics/x/")[1] == "<h1>topic</h1>"
    status, _, location = fetch(client, "/topics/x")
    assert status == 301 and str(location).endswith("/topics/x/")


def test_missing_pages_and_escapes_get_the_sites_404(tmp_path: Path) -> None:
    client = Client(static_site(site(tmp_path)))
    for path in ("/nope/", "/../../etc/passwd", "/topics/%2e%2e/%2e%2e/etc/passwd"):
        status, body, _ = fetch(client, path)
        assert status == 404, path
        assert "找不到页面" in body


def test_survey_is_mounted_under_survey(tmp_path: Path) -> None:
    config = {"TESTING": True, "YITI_INSTANCE_DIR": str(tmp_path / "instance")}
    config["DATABASE_URL"] = f"sqlite:///{tmp_path / 'survey.sqlite3'}"
    client = Client(combined_app(site(tmp_path), config))
    assert fetch(client, "/")[1] == "<h1>home</h1>"
    status, body, _ = fetch(client, "/survey/privacy/")
    assert status == 200 and "/survey/" in body  # links carry the mount prefix


def test_serve_refuses_without_a_built_site(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--site", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "请先运行 yiti build" in result.output


def test_serve_in_production_without_settings_refuses_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("DATABASE_URL", "YITI_DATABASE_URL", "SECRET_KEY", "YITI_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("YITI_ENV", "production")
    result = CliRunner().invoke(main, ["serve", "--site", str(site(tmp_path))])
    assert result.exit_code == 1
    assert "YITI_ENV=production 下无法启动" in result.output and "SECRET_KEY" in result.output


@pytest.mark.parametrize("revalidate", [True, False], ids=["304", "HEAD"])
def test_a_file_that_sends_no_body_is_closed_at_once(
    tmp_path: Path, revalidate: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """werkzeug sends no body for 304 and HEAD and never closes the file: we must."""
    leaks: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", leaks.append)  # unclosed files report here
    client = Client(static_site(site(tmp_path)))
    with client.get("/index.html") as first:
        etag = first.headers["ETag"]
    if revalidate:
        response = client.get("/index.html", headers={"If-None-Match": etag})
    else:
        response = client.head("/index.html")
    assert response.status_code == (304 if revalidate else 200)
    del response  # not closed, as a server sending no body does not close it
    gc.collect()
    assert leaks == []


@pytest.mark.parametrize("path", ["/index.html", "/no-such-page/"])
def test_a_file_sent_whole_is_closed_before_the_server_is_done_with_it(
    tmp_path: Path, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A browser may abandon a request (a favicon while the page moves on) before the server
    closes the response; the file must already be closed then (CI once saw it left open)."""
    leaks: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", leaks.append)  # unclosed files report here
    response = Client(static_site(site(tmp_path))).get(path)
    assert response.status_code in (200, 404) and response.get_data()
    del response  # never closed, as with a connection dropped half-way
    gc.collect()
    assert leaks == []


def test_the_preview_runs_a_download_worker_and_sigterm_stops_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`yiti serve` starts `yiti survey worker` (large downloads) and never leaves it behind."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'survey.sqlite3'}")
    monkeypatch.setenv("YITI_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("YITI_CONTENT_DIR", str(CONTENT))
    queue = tmp_path / "survey.queue.sqlite3"  # made by the worker's consumer when it starts
    with pytest.raises(SystemExit), background_worker() as worker:
        deadline = time.monotonic() + 120
        while not queue.exists():
            assert worker.poll() is None, "the worker exited on its own"
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.2)
        os.kill(os.getpid(), signal.SIGTERM)  # as `kill` or a process manager would
        time.sleep(5)  # the handler raises at once; reaching here means it did not
    assert worker.poll() is not None, "the worker outlived the preview"


@pytest.mark.parametrize(
    ("name", "kind"), [("index.html", "text/html"), ("assets/site.css", "text/css")]
)
def test_pages_and_assets_are_sent_compressed_to_browsers_that_accept_it(
    tmp_path: Path, name: str, kind: str
) -> None:
    root = site(tmp_path)
    text = "每月一题，老楼加装电梯。" * 400  # 14 KB: worth compressing
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text, encoding="utf-8")
    client = Client(static_site(root))
    with client.get("/" + name, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.mimetype == kind
        assert "Content-Security-Policy" in response.headers
        assert gzip.decompress(response.get_data()).decode("utf-8") == text
    with client.get("/" + name) as plain:  # a client that does not say it accepts gzip
        assert "Content-Encoding" not in plain.headers
        assert plain.get_data(as_text=True) == text

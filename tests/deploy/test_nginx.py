"""The nginx site passes `nginx -t` and forwards what the survey app relies on."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from generator.site.csp import site_headers
from tests.conftest import ROOT, require
from tests.deploy.conftest import DEPLOY, SERVER_ROOT, localised, nginx_main_config, self_signed

SITE = DEPLOY / "nginx" / "yiti.conf"
HEADERS = DEPLOY / "nginx" / "yiti-security-headers.conf"
CERTIFICATES = "/etc/letsencrypt/live/yiti.example.org"
SNIPPET = "/etc/nginx/snippets/yiti-security-headers.conf"


def test_the_site_configuration_passes_nginx_t(tmp_path: Path) -> None:
    require(shutil.which("nginx") is not None, "nginx (Debian package nginx)")
    require(shutil.which("openssl") is not None, "openssl")
    self_signed(tmp_path)
    shutil.copy(HEADERS, tmp_path / HEADERS.name)
    site = tmp_path / "yiti.conf"
    replacements = {
        CERTIFICATES: str(tmp_path),
        SNIPPET: str(tmp_path / HEADERS.name),
        "/var/log/nginx": str(tmp_path),
        f"root {SERVER_ROOT}/site": f"root {ROOT / 'site'}",
    }
    site.write_text(localised(SITE, replacements), encoding="utf-8")
    run = subprocess.run(
        ["nginx", "-t", "-q", "-p", str(tmp_path), "-c", str(nginx_main_config(tmp_path, site))],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert "warn" not in run.stderr, run.stderr


def test_the_survey_is_proxied_with_the_headers_proxyfix_reads() -> None:
    survey = re.search(r"location /survey/ \{(.*?)\n    \}", SITE.read_text(encoding="utf-8"), re.S)
    assert survey is not None
    block = survey.group(1)
    assert "proxy_pass http://yiti_survey;" in block
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
        assert f"proxy_set_header {header} " in block


def test_logs_never_hold_query_strings_referers_or_addresses() -> None:
    text = SITE.read_text(encoding="utf-8")
    formats = re.findall(r"log_format \w+ '([^']*)'", text)
    assert formats
    for variable in ("$request ", "$request_uri", "$args", "$query_string", "$http_referer"):
        assert all(variable not in f"{line} " for line in formats), variable
    assert all("$remote_addr" not in line for line in formats)
    logs = re.findall(r"access_log (\S+)(?: (\w+))?;", text)
    assert logs and all(name == "yiti_private" for _, name in logs)


def snippet_headers() -> dict[str, str]:
    """The headers the shipped snippet adds, by name; each must be sent on every status."""
    lines = [line for line in HEADERS.read_text(encoding="utf-8").splitlines() if line.strip()]
    found = [re.fullmatch(r'add_header (\S+) "([^"]*)" always;', line) for line in lines]
    assert all(m or line.startswith("#") for m, line in zip(found, lines, strict=True)), lines
    return {m.group(1): m.group(2) for m in found if m}


def test_static_pages_get_exactly_the_headers_yiti_serve_sends_plus_hsts() -> None:
    assert snippet_headers() == site_headers(https=True)
    assert "'unsafe-inline'" not in snippet_headers()["Content-Security-Policy"]


def test_every_static_location_includes_the_headers_and_the_survey_keeps_its_own() -> None:
    text = SITE.read_text(encoding="utf-8")
    blocks = dict(re.findall(r"\n    location ([^{]+?) \{(.*?)\n    \}", text, re.S))
    static = [name for name in blocks if not name.startswith(("/survey", "= /survey"))]
    assert static and all(f"include {SNIPPET};" in blocks[name] for name in static), static
    # add_header in the survey's block would replace the survey app's own (stricter) policy.
    assert "add_header" not in blocks["/survey/"] and "include" not in blocks["/survey/"]


def test_downloads_may_outlast_a_residents_request() -> None:
    """A whole wave's export takes minutes; the residents' 35 s read timeout would cut it."""
    text = SITE.read_text(encoding="utf-8")
    block = re.search(r"location /survey/staff/downloads/ \{(.*?)\n        \}", text, re.S)
    assert block is not None, "no location for evaluators' downloads"
    timeout = re.search(r"proxy_read_timeout (\d+)s;", block.group(1))
    assert timeout is not None and int(timeout.group(1)) >= 600
    assert "proxy_pass http://yiti_survey;" in block.group(1)

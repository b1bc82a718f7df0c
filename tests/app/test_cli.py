"""``retrosim app``: serves on 127.0.0.1 and prints where; one line when it cannot."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import urllib.request

import pytest

from tests.app.conftest import Served


def _app(*args: str, code: str = "") -> subprocess.CompletedProcess[str]:
    script = f"{code}\nimport sys\nfrom retrosim.cli.main import main\n" \
             f"sys.exit(main({['app', '--no-browser', *args]!r}))"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)


def test_help_names_the_options(capsys):
    from retrosim.cli.main import main

    with pytest.raises(SystemExit):
        main(["app", "--help"])
    out = capsys.readouterr().out
    assert "--port N" in out and "--no-browser" in out


def test_without_the_extra_it_says_how_to_install_it_in_one_line():
    done = _app(code="import sys; sys.modules['shiny'] = None")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("retrosim: error: the app needs shiny")
    assert "pip install 'retrosim[app]'" in done.stderr


def test_a_bad_or_busy_port_is_one_line():
    pytest.importorskip("shiny", reason="the app extra is not installed")
    assert _app("--port", "70000").stderr == \
        "retrosim: error: --port: 70000 is out of range; allowed: 0-65535\n"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        done = _app("--port", str(port))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"retrosim: error: --port: cannot listen on 127.0.0.1:{port}")


def test_it_serves_the_page_and_every_script_and_style_from_itself():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = Served("--port", str(port))
    try:
        assert app.url == f"http://127.0.0.1:{port}/"
        assert app.line.startswith("retrosim app: the what-if page is at")
        with urllib.request.urlopen(app.url, timeout=30) as r:
            page = r.read().decode()
        links = re.findall(r'(?:src|href)="([^"]*)"', page)
        assert any(link.endswith("shiny.js") for link in links)
        assert all("//" not in link for link in links), links
        for link in links:
            if link.startswith("lib/"):
                with urllib.request.urlopen(app.url + link, timeout=30) as r:
                    assert r.status == 200, link
    finally:
        app.stop()

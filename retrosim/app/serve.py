"""Serving the page on 127.0.0.1: a free port unless one is given, and the browser opened.

Shiny for Python and uvicorn come with the ``app`` extra (``pip install 'retrosim[app]'``);
without them :func:`serve` says so in one line. The page loads nothing from the network: its
scripts and styles are Shiny's own files, served by this server.
"""

from __future__ import annotations

import importlib.util
import socket
import threading
import webbrowser
from collections.abc import Callable

from retrosim.errors import RetrosimError, check_number

HOST = "127.0.0.1"
INSTALL = "pip install 'retrosim[app]'"


def check_installed() -> None:
    """RetrosimError in one line if the app's extra is not installed."""
    missing = [m for m in ("shiny", "uvicorn") if importlib.util.find_spec(m) is None]
    if missing:
        raise RetrosimError(f"the app needs {' and '.join(missing)}, which come with its "
                            f"extra: {INSTALL}")


def bind(port: int | None = None) -> socket.socket:
    """A listening socket on 127.0.0.1 at ``port`` (None or 0: a free port)."""
    number = 0 if port is None else int(check_number("--port", port, 0, 65535, integer=True))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, number))
    except OSError as err:
        sock.close()
        raise RetrosimError(f"--port: cannot listen on {HOST}:{number} ({err.strerror})") \
            from None
    sock.listen(128)
    return sock


def serve(port: int | None = None, *, browser: bool = True,
          announce: Callable[[str], None] = lambda url: None) -> None:
    """Serve the page until interrupted; ``announce`` gets its address once it listens."""
    check_installed()
    import uvicorn

    # After check_installed: app.server imports Shiny, which only the app extra installs.
    from retrosim.app.server import make_app

    sock = bind(port)
    url = f"http://{HOST}:{sock.getsockname()[1]}/"
    config = uvicorn.Config(make_app(), log_level="warning")
    server = uvicorn.Server(config)
    announce(url)
    if browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    server.run(sockets=[sock])

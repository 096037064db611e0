"""Serving the studio: a socket on 127.0.0.1 (another address only when asked, with a warning),
uvicorn on it, the address with its session token printed and opened in a browser."""

from __future__ import annotations

import errno
import socket
import threading
import webbrowser
from collections.abc import Callable

import uvicorn

from pipeline.errors import AudiobookError
from pipeline.studio.app import make_app
from pipeline.studio.guard import COOKIE, LOOPBACK, WILDCARD, local_hosts, new_token
from pipeline.studio.project import Settings


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (port 0: any free one); a port in use is one line, not a traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise AudiobookError(f"port {port} is in use (another studio?); choose another with --port") from exc
        raise AudiobookError(f"cannot listen on {host}:{port} ({exc.strerror})") from exc
    sock.listen(64)
    return sock


def serve(settings: Settings, host: str, port: int, open_browser: bool, say: Callable[[str], None],
          warn: Callable[[str], None]) -> None:
    """Run the studio until Ctrl-C."""
    if not settings.corpus.is_dir():
        raise AudiobookError(f"{settings.corpus}: no such folder; pass --corpus the folder of your works")
    if host not in LOOPBACK:
        warn(f"listening on {host}, not only on this machine: anyone who can reach it and has the address "
             "below can change voices.yaml and the pins")
    sock = bind(host, port)
    port = sock.getsockname()[1]
    token = new_token()
    shown = "127.0.0.1" if host in WILDCARD else f"[{host}]" if ":" in host else host
    app = make_app(settings, token, local_hosts(host, port), f"{COOKIE}_{port}")
    url = f"http://{shown}:{port}/?token={token}"
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=3)
    server = uvicorn.Server(config)
    say(f"Studio for {settings.corpus} at {url}")
    say("Press Ctrl-C to stop.")
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    server.run(sockets=[sock])

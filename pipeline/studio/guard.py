"""Who may talk to the studio, and which files it hands out.

As Jupyter does: a per-session token in the URL the studio prints and opens; the first request
with it gets a cookie, and every request after carries one or the other. A request whose Host
is not the studio's own address (DNS rebinding: a web page's name pointed at 127.0.0.1) or whose
Origin is another site (a cross-site form or fetch) is refused before any handler runs.
"""

from __future__ import annotations

import contextlib
import hmac
import secrets
import socket
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE = "audiobook_studio"
HEADER = b"x-studio-token"


def new_token() -> str:
    return secrets.token_urlsafe(24)


LOOPBACK = ("127.0.0.1", "localhost", "::1")
WILDCARD = ("0.0.0.0", "::", "")


def local_hosts(host: str, port: int) -> set[str]:
    """The Host headers the studio answers to: its address and localhost's names for it; listening on
    every address (0.0.0.0), this machine's own names and addresses too, and nothing else."""
    names = {host}
    if host in LOOPBACK or host in WILDCARD:
        names |= set(LOOPBACK)
    if host in WILDCARD:
        names |= _own_names()
    names = {f"[{n}]" if ":" in n and not n.startswith("[") else n for n in names if n not in WILDCARD}
    return {f"{n.lower()}:{port}" for n in names}


def _own_names() -> set[str]:
    names = {socket.gethostname(), socket.getfqdn()}
    with contextlib.suppress(OSError):
        names |= {str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None)}
    return names


def inside(root: Path, relative: str, suffixes: Iterable[str] | None = None) -> Path | None:
    """``root/relative`` when it stays inside ``root`` once links and ``..`` are resolved, is a file,
    and (if given) has one of ``suffixes``; else None."""
    if "\0" in relative or relative.startswith(("/", "\\")):
        return None
    base = root.resolve()
    try:
        target = (base / relative).resolve()
    except (OSError, RuntimeError):
        return None
    if not target.is_relative_to(base) or not target.is_file():
        return None
    if suffixes is not None and target.suffix.lower() not in set(suffixes):
        return None
    return target


class Guard:
    """ASGI middleware: the Host, Origin and token checks, on every HTTP request."""

    def __init__(self, app: ASGIApp, token: str, hosts: set[str], cookie: str = COOKIE) -> None:
        self.app = app
        self.token = token
        self.hosts = hosts
        self.cookie = cookie  # one per port: two studios on one machine keep their own

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        host = headers.get(b"host", b"").decode("latin-1").lower()
        if host not in self.hosts:
            await _deny(send, 421, "this studio answers only to its own address")  # 421 Misdirected
            return
        origin = headers.get(b"origin")
        if origin is not None and origin.decode("latin-1").lower() not in {f"http://{h}" for h in self.hosts}:
            await _deny(send, 403, "cross-site request refused")
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = query.get("token", [None])[0]
        if given is not None and self._ok(given) and scope["method"] == "GET":
            # The token from the printed URL: keep it in a cookie, and take it out of the address bar.
            rest = {k: v for k, v in query.items() if k != "token"}
            where = scope["path"] + (f"?{urlencode(rest, doseq=True)}" if rest else "")
            await _redirect(send, where, f"{self.cookie}={self.token}")
            return
        if not (self._ok(headers.get(HEADER, b"").decode("latin-1")) or self._ok(_cookie(headers, self.cookie))):
            await _deny(send, 403, "open the studio with the address it printed (it carries the session token)")
            return
        await self.app(scope, receive, send)

    def _ok(self, given: str | None) -> bool:
        return given is not None and given != "" and hmac.compare_digest(given.encode(), self.token.encode())


def _cookie(headers: dict[bytes, bytes], wanted: str) -> str | None:
    for part in headers.get(b"cookie", b"").decode("latin-1").split(";"):
        name, _, value = part.strip().partition("=")
        if name == wanted:
            return value
    return None


async def _deny(send: Send, status: int, why: str) -> None:
    body = why.encode() + b"\n"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, where: str, value: str) -> None:
    cookie = f"{value}; Path=/; HttpOnly; SameSite=Strict"
    await send({"type": "http.response.start", "status": 303,
                "headers": [(b"location", where.encode("latin-1")), (b"set-cookie", cookie.encode()),
                            (b"content-length", b"0"), (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": b""})

"""The studio refuses what it should: no token, a foreign Host or Origin, a path out of the build
folder, a file it does not serve; and it listens on 127.0.0.1 unless told otherwise, with a warning."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from tests.studio.conftest import ENTRY, Server, make_studio_project, start_studio, stop_studio


def _get(server: Server, path: str, headers: dict[str, str] | None = None, method: str = "GET",
         body: str | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(server.host, timeout=60)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)  # the path is sent as it is
    sent = {"Host": server.host, **(headers or {})}
    if body is not None:
        sent.setdefault("Content-Type", "application/json")
        sent["Content-Length"] = str(len(body.encode()))
    for k, v in sent.items():
        conn.putheader(k, v)
    conn.endheaders(body.encode() if body is not None else None)
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, {k.lower(): v for k, v in res.getheaders()}, data


def _auth(server: Server) -> dict[str, str]:
    return {"X-Studio-Token": server.token}


def test_the_token_is_asked_and_kept_in_a_cookie(studio: Server) -> None:
    assert studio.base.startswith("http://127.0.0.1:")  # 127.0.0.1 by default
    assert _get(studio, "/api/works")[0] == 403
    assert _get(studio, "/api/works", {"X-Studio-Token": "not-the-token"})[0] == 403
    assert _get(studio, "/?token=not-the-token")[0] == 403
    status, headers, _ = _get(studio, f"/?token={studio.token}")
    assert status == 303 and headers["location"] == "/"  # the token leaves the address bar ...
    cookie = headers["set-cookie"].split(";")[0]
    assert "HttpOnly" in headers["set-cookie"] and "SameSite=Strict" in headers["set-cookie"]
    status, _, body = _get(studio, "/api/works", {"Cookie": cookie})  # ... for a cookie
    assert status == 200 and json.loads(body)["works"][0]["slug"] == "01-the-lamp"
    assert _get(studio, "/api/works", {"Cookie": cookie.split("=")[0] + "=wrong"})[0] == 403


def test_foreign_hosts_and_origins_are_refused(studio: Server) -> None:
    port = studio.host.rsplit(":", 1)[1]
    ok = _auth(studio)
    # DNS rebinding: a page of evil.example whose name now points at 127.0.0.1
    assert _get(studio, "/api/works", {**ok, "Host": f"evil.example:{port}"})[0] == 421
    assert _get(studio, "/api/works", {**ok, "Host": "127.0.0.1:1"})[0] == 421
    assert _get(studio, "/api/works", {**ok, "Host": f"localhost:{port}"})[0] == 200
    # a cross-site request, even one carrying the cookie, changes nothing
    status, _, _ = _get(studio, "/api/lexicon", {**ok, "Origin": "http://evil.example"}, "POST",
                        json.dumps({"word": "lamp", "say": "lump", "base": "x"}))
    assert status == 403
    assert "lump" not in studio.voices.read_text(encoding="utf-8")
    assert _get(studio, "/api/works", {**ok, "Origin": f"http://{studio.host}"})[0] == 200


def test_only_audio_from_the_build_folder_is_served(studio: Server) -> None:
    ok = _auth(studio)
    build = studio.build_dir
    build.mkdir(exist_ok=True)
    (build / "clip.mp3").write_bytes(b"ID3 not really")
    (build / "notes.txt").write_text("private", encoding="utf-8")
    (build / "escape.mp3").symlink_to(studio.voices)
    outside = studio.root / "secret.mp3"
    outside.write_bytes(b"outside")
    assert _get(studio, "/build/clip.mp3", ok)[0] == 200
    for path in ("/build/notes.txt", "/build/../voices.yaml", "/build/%2e%2e/voices.yaml", "/build/..%2fsecret.mp3",
                 "/build/%2e%2e%2fsecret.mp3", "/build/escape.mp3", "/build//etc/passwd", "/build/%2fetc%2fpasswd",
                 "/build/../../../etc/passwd", "/static/../voices.yaml", "/static/index.html"):
        status, _, body = _get(studio, path, ok)
        assert status == 404, (path, status)
        assert b"outside" not in body and b"narrator" not in body


def test_writes_reach_only_the_pins_and_voices_yaml(studio: Server) -> None:
    ok = _auth(studio)
    before = {p: p.read_bytes() for p in studio.root.rglob("*") if p.is_file() and "build" not in p.parts}
    for work in ("../voices", "../../etc/passwd", "01-the-lamp/../../x"):
        status, _, _ = _get(studio, "/api/pin", ok, "POST", json.dumps(
            {"work": work, "n": 1, "qid": "q-12345678", "speaker": "Mara", "base": "absent"}))
        assert status == 404, work
    status, _, body = _get(studio, "/api/pin", ok, "POST", json.dumps(
        {"work": "01-the-lamp", "n": 1, "qid": "../../x", "speaker": "Mara", "base": "absent"}))
    assert status == 422 and b"not a quotation id" in body
    after = {p: p.read_bytes() for p in studio.root.rglob("*") if p.is_file() and "build" not in p.parts}
    assert after == before


def test_another_address_only_when_asked_with_a_warning(tmp_path: Path) -> None:
    server = start_studio(make_studio_project(tmp_path), "--host", "0.0.0.0")
    port = server.host.rsplit(":", 1)[1]
    try:
        status = _get(server, "/api/works", _auth(server))[0]
        own = _get(server, "/api/works", {**_auth(server), "Host": f"{socket.gethostname()}:{port}"})[0]
        foreign = _get(server, "/api/works", {**_auth(server), "Host": f"evil.example:{port}"})[0]
    finally:
        stop_studio(server)
    assert (status, own, foreign) == (200, 200, 421)
    assert "warning:" in "".join(server.stderr) and "0.0.0.0" in "".join(server.stderr)


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    make_studio_project(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-c", ENTRY, "studio", "--no-browser", "--port", str(port)],
                                cwd=tmp_path, capture_output=True, text=True, timeout=120,
                                env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 1
    assert f"port {port} is in use" in result.stderr and "Traceback" not in result.stderr

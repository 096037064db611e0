"""The studio's ASGI app: thin handlers over the project, the writers, the voicebox and the builds.

Every handler calls what the command line calls: the analysis ``audiobook script`` prints, the
plans and clip cache ``audiobook build`` uses, the voices.yaml validation that names a mistake's
key and line. The page is plain HTML, CSS and JavaScript shipped in the package.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from pipeline.audio.preview import SAMPLE
from pipeline.errors import AudiobookError, BuildLocked, CastingError
from pipeline.model import VoiceSettings
from pipeline.speakers.pins import pins_path, with_pin
from pipeline.studio import edits
from pipeline.studio.builds import Builds, lock_held
from pipeline.studio.guard import Guard, inside
from pipeline.studio.project import Project, Settings, chapter_view, file_hash, line_of
from pipeline.studio.sound import Voicebox
from pipeline.voices import engine
from pipeline.voices.casting import Casting

STATIC = resources.files("pipeline") / "data" / "studio"
PAGES = {"studio.js": "text/javascript", "studio.css": "text/css"}
#: What the studio serves from the build folder: audio and captions, nothing else.
AUDIO = (".mp3", ".m4b", ".m4a", ".opus", ".flac", ".wav", ".vtt")
NO_STORE = {"cache-control": "no-store"}


@dataclass
class Studio:
    """What one server holds."""

    settings: Settings
    project: Project
    voicebox: Voicebox
    builds: Builds
    preview_voices: dict[str, str] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: Settings) -> Studio:
        return cls(settings, Project(settings), Voicebox(settings.build_dir), Builds(settings))

    def close(self) -> None:
        self.project.close()
        self.voicebox.close()

    def pins_allowed(self, path: Path) -> bool:
        corpus = self.settings.corpus.resolve()
        return path.name.endswith(".speakers.yaml") and path.resolve().parent == corpus

    def voices_allowed(self, path: Path) -> bool:
        return path.resolve() == self.settings.voices.resolve()


def _studio(request: Request) -> Studio:
    studio: Studio = request.app.state.studio
    return studio


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=NO_STORE)


def _problem(exc: Exception) -> JSONResponse:
    """An error the page shows: its one line, and the field it is about."""
    if isinstance(exc, edits.Stale):
        return _json({"error": str(exc), "stale": True}, 409)
    if isinstance(exc, BuildLocked):
        return _json({"error": "a build is running in this build folder (from the command line, or this "
                      "page); the change was not written: try again when it has finished", "locked": True}, 423)
    if isinstance(exc, edits.Refused):
        return _json({"error": str(exc)}, 403)
    if isinstance(exc, LookupError):
        return _json({"error": str(exc.args[0]) if exc.args else "not found"}, 404)
    field_name = edits.field_of(exc) if isinstance(exc, CastingError) else None
    return _json({"error": str(exc), "field": field_name}, 422)


async def _body(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


async def index(request: Request) -> Response:
    return Response((STATIC / "index.html").read_text(encoding="utf-8"), media_type="text/html",
                    headers={**NO_STORE, "content-security-policy": "default-src 'self'; media-src 'self' blob:; "
                             "img-src 'self' data:; frame-ancestors 'none'", "x-frame-options": "DENY"})


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in PAGES:
        return Response("not found\n", 404)
    return Response((STATIC / name).read_text(encoding="utf-8"), media_type=PAGES[name], headers=NO_STORE)


async def works(request: Request) -> Response:
    studio = _studio(request)
    try:
        listing = studio.project.works()
    except AudiobookError as exc:
        return _problem(exc)
    return _json({"works": listing, "knobs": list(edits.KNOBS),
                  "engines": list(engine.ENGINES),
                  "voices": sorted({v.id for name in engine.ENGINES for v in _voices_of(name)}),
                  "variants": [v.name for v in engine.variant_catalog()],
                  "voices_file": studio.settings.voices.name, "corpus": str(studio.settings.corpus)})


def _voices_of(name: str) -> tuple[Any, ...]:
    """An engine's voices; none when it cannot say (a model missing): the field still takes any id."""
    try:
        return engine.voice_catalog(name)
    except AudiobookError:
        return ()


async def chapter(request: Request) -> Response:
    studio = _studio(request)
    try:
        return _json(await _chapter_data(studio, request.query_params["work"], int(request.query_params["n"])))
    except (AudiobookError, LookupError, ValueError) as exc:
        return _problem(exc if not isinstance(exc, ValueError) else LookupError("bad chapter number"))


async def _chapter_data(studio: Studio, slug: str, number: int) -> dict[str, Any]:
    work, analysis, segments = await studio.project.segments(slug, number)
    view = chapter_view(work, work.chapters[number - 1], segments, analysis)
    view["hashes"] = _hashes(studio, slug)
    view["chapters"] = len(work.chapters)
    view["warnings"] = list(analysis.warnings)
    return view


def _hashes(studio: Studio, slug: str | None) -> dict[str, str]:
    out = {"voices": file_hash(studio.settings.voices)}
    if slug:
        out["pins"] = file_hash(pins_path(studio.project.work(slug).path))
    return out


async def line_audio(request: Request) -> Response:
    studio = _studio(request)
    q = request.query_params
    try:
        plan = await studio.project.chapter(q["work"], int(q["n"]))
        index = int(q["i"])
        line_of(plan, index)
    except (AudiobookError, LookupError, ValueError) as exc:
        return _problem(exc if not isinstance(exc, ValueError) else LookupError("bad line"))
    clips = [c for c in plan.clips if c.utterance.segment_index == index]
    if not clips:
        return _json({"error": "nothing is read aloud in this line"}, 404)
    wav = await studio.voicebox.line(clips)
    return Response(wav, media_type="audio/wav", headers=NO_STORE)


async def pin(request: Request) -> Response:
    """Pin a line to a speaker (or take the pin out), then send the chapter as it now reads."""
    studio = _studio(request)
    body = await _body(request)
    try:
        slug, number, qid = str(body["work"]), int(body["n"]), str(body["qid"])
        speaker = body.get("speaker") or None
        work = studio.project.work(slug)
        path = pins_path(work.path)
        current = edits.read_text(path)
        if file_hash(path) != body.get("base"):
            raise edits.Stale(path)
        proposed = with_pin(current, qid, speaker)
        await studio.project.analysis_with(work, proposed, keep=False)  # a bad name fails here, unwritten
        written = edits.write_guarded(path, str(body.get("base")), lambda text: with_pin(text, qid, speaker),
                                      studio.settings.build_dir, studio.pins_allowed)
    except (KeyError, ValueError):
        return _json({"error": "expected work, n, qid, speaker and base"}, 400)
    except (AudiobookError, LookupError) as exc:
        return _problem(exc)
    data = await _chapter_data(studio, slug, number)
    data["written"] = written.path.name
    return _json(data)


async def voice(request: Request) -> Response:
    """An entry's knobs as voices.yaml has them, and as they resolve for this work."""
    studio = _studio(request)
    q = request.query_params
    try:
        casting = await studio.project.casting()
        entry, settings = _entry(casting, q["name"], q.get("work"))
    except (AudiobookError, LookupError) as exc:
        return _problem(exc)
    raw = _raw_knobs(casting, entry)
    return _json({"entry": entry, "knobs": raw, "resolved": {k: getattr(settings, k, None) for k in edits.KNOBS},
                  "hash": file_hash(studio.settings.voices)})


def _entry(casting: Casting, name: str, work: str | None) -> tuple[str, VoiceSettings]:
    if name == "narrator":
        return "narrator", casting.narrator(work)
    entry = casting.canonical(name, work) or casting.entry_named(name)
    if entry is None:
        raise LookupError(f"{name!r} has no entry in voices.yaml yet; build once (or run `audiobook cast`)")
    return entry, casting.character(entry, work)


def _raw_knobs(casting: Casting, entry: str) -> dict[str, Any]:
    spec = casting.spec.narrator if entry == "narrator" else casting.spec.characters[entry]
    return {k: getattr(spec, k, None) for k in edits.KNOBS}


async def voice_preview(request: Request) -> Response:
    """One of the entry's own lines (or a sample) in the voice the form's knobs give, unsaved."""
    studio = _studio(request)
    body = await _body(request)
    try:
        name, work = str(body["name"]), body.get("work")
        knobs = {str(k): str(v) for k, v in dict(body.get("knobs") or {}).items()}
        casting = await studio.project.casting()
        entry, _ = _entry(casting, name, work)
        _, cast_text = await studio.project.voices_text()
        text = edits.with_knobs(cast_text, entry, knobs)
        trial = edits.validated(studio.settings.voices, text, casting.books)
        settings = trial.narrator(work) if entry == "narrator" else trial.character(entry, work)
        lines = await _own_lines(studio, entry, work)
    except (KeyError, TypeError):
        return _json({"error": "expected name, work and knobs"}, 400)
    except (AudiobookError, LookupError) as exc:
        return _problem(exc)
    wav = await studio.voicebox.say(lines[:1] or [SAMPLE], settings, trial.lexicon)
    return Response(wav, media_type="audio/wav", headers={**NO_STORE, "x-voice": _describe(settings)})


def _describe(settings: VoiceSettings) -> str:
    return f"{settings.label}, rate {settings.rate}, pitch {settings.pitch}, volume {settings.volume}"


async def _own_lines(studio: Studio, entry: str, work: str | None) -> list[str]:
    """A few lines the entry speaks in the work (narration for the narrator)."""
    if not work:
        return []
    casting = await studio.project.casting()
    analysis = await studio.project.analysis(work)
    out = []
    for seg in analysis.segments:
        mine = seg.kind == "narration" if entry == "narrator" else (
            seg.kind == "dialogue" and seg.speaker and casting.canonical(seg.speaker, work) == entry)
        words = " ".join(seg.text.split())
        if mine and len(words) > 12:
            out.append(words[:240])
            if len(out) == 3:
                break
    return out


async def voice_save(request: Request) -> Response:
    studio = _studio(request)
    body = await _body(request)
    try:
        name, work, base = str(body["name"]), body.get("work"), str(body["base"])
        knobs = {str(k): str(v) for k, v in dict(body.get("knobs") or {}).items()}
        casting = await studio.project.casting()
        entry, _ = _entry(casting, name, work)
        cast_hash, cast_text = await studio.project.voices_text()

        def change(text: str) -> str:
            # The entry a build would append, when the file has none for this character yet.
            if entry != "narrator" and entry not in (edits.tree_of(text).get("characters") or {}):
                text = cast_text if cast_hash == base else text
            return edits.with_knobs(text, entry, knobs)

        written = _write_voices(studio, base, change, casting.books)
    except (KeyError, TypeError):
        return _json({"error": "expected name, work, knobs and base"}, 400)
    except (AudiobookError, LookupError) as exc:
        return _problem(exc)
    return _json({"written": written.path.name, "hash": written.hash})


def _write_voices(studio: Studio, base: str, change: Callable[[str], str], books: frozenset[str]) -> edits.Written:
    """voices.yaml changed by ``change``, validated before it is written (both before taking the lock,
    to answer at once, and under it, on the text actually changed)."""
    path = studio.settings.voices

    def checked(text: str) -> str:
        new = change(text)
        edits.validated(path, new, books)
        return new

    if file_hash(path) != base:
        raise edits.Stale(path)
    checked(edits.read_text(path))
    return edits.write_guarded(path, base, checked, studio.settings.build_dir, studio.voices_allowed)


async def say_word(request: Request) -> Response:
    """A line in its voice with a word said another way (not saved)."""
    studio = _studio(request)
    body = await _body(request)
    try:
        plan = await studio.project.chapter(str(body["work"]), int(body["n"]))
        seg = line_of(plan, int(body["i"]))
        word, say = str(body["word"]).strip(), str(body["say"]).strip()
        casting = await studio.project.casting()
        text = edits.with_lexicon(edits.read_text(studio.settings.voices), word, say)
        trial = edits.validated(studio.settings.voices, text, casting.books)
    except (KeyError, TypeError, ValueError):
        return _json({"error": "expected work, n, i, word and say"}, 400)
    except (AudiobookError, LookupError) as exc:
        return _problem(exc)
    voice_settings = trial.voice_for(seg.speaker if seg.kind == "dialogue" else None, plan.work.slug)
    wav = await studio.voicebox.say([_around(" ".join(seg.text.split()), word)], voice_settings, trial.lexicon)
    return Response(wav, media_type="audio/wav", headers=NO_STORE)


def _around(text: str, word: str, room: int = 120) -> str:
    """The part of a long line around the word: enough to hear it in its sentence."""
    at = text.casefold().find(word.casefold())
    if len(text) <= 2 * room or at < 0:
        return text[: 2 * room]
    return text[max(0, at - room): at + len(word) + room]


async def lexicon(request: Request) -> Response:
    studio = _studio(request)
    body = await _body(request)
    try:
        word, say, base = str(body["word"]), str(body["say"]), str(body["base"])
        casting = await studio.project.casting()
        written = _write_voices(studio, base, lambda text: edits.with_lexicon(text, word, say), casting.books)
    except (KeyError, TypeError):
        return _json({"error": "expected word, say and base"}, 400)
    except (AudiobookError, LookupError) as exc:
        return _problem(exc)
    return _json({"written": written.path.name, "hash": written.hash})


async def build_start(request: Request) -> Response:
    studio = _studio(request)
    if lock_held(studio.settings.build_dir) and not studio.builds.running:
        return _json({"error": "a command-line build is running in this build folder; wait for it to finish",
                      "locked": True}, 423)
    started = await studio.builds.start()
    return _json({"started": started, **studio.builds.since(0)})


async def build_events(request: Request) -> Response:
    studio = _studio(request)
    try:
        since = int(request.query_params.get("since", "0"))
    except ValueError:
        since = 0
    return _json(studio.builds.since(max(0, since)))


async def state(request: Request) -> Response:
    """What the page checks every few seconds: the files' hashes and whether a build holds the lock."""
    studio = _studio(request)
    slug = request.query_params.get("work")
    try:
        hashes = _hashes(studio, slug)
    except (AudiobookError, LookupError):
        hashes = _hashes(studio, None)
    locked = lock_held(studio.settings.build_dir)
    return _json({"hashes": hashes, "locked": locked, "building": studio.builds.running,
                  "cli_build": locked and not studio.builds.running})


async def chapter_audio(request: Request) -> Response:
    """Where the last build put a chapter: its file (under the build folder) and its start in it."""
    studio = _studio(request)
    found = _built_chapter(studio.settings.build_dir, request.query_params.get("work", ""),
                           request.query_params.get("n", ""))
    if found is None:
        return _json({"error": "no built file for this chapter yet: build first"}, 404)
    return _json(found)


def _built_chapter(build_dir: Path, slug: str, number: str) -> dict[str, Any] | None:
    try:
        manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
        n = int(number)
    except (OSError, ValueError):
        return None
    for work in manifest.get("works", []):
        if work.get("slug") == slug:
            for ch in work.get("chapters", []):
                if ch.get("number") == n:
                    return {"file": work["file"], "start": ch["start"], "end": ch["end"]}
    for story in manifest.get("stories", []):
        if story.get("work") == slug and story.get("chapter") == n and story.get("file"):
            return {"file": story["file"], "start": 0.0, "end": story.get("duration")}
    return None


async def build_file(request: Request) -> Response:
    """A file of the build folder: audio and captions only, never a path that leaves the folder."""
    studio = _studio(request)
    target = inside(studio.settings.build_dir, request.path_params["path"], AUDIO)
    if target is None:
        return Response("not found\n", 404, media_type="text/plain")
    return FileResponse(target)


ROUTES = [
    Route("/", index), Route("/static/{name}", static), Route("/api/works", works),
    Route("/api/chapter", chapter), Route("/api/line.wav", line_audio), Route("/api/pin", pin, methods=["POST"]),
    Route("/api/voice", voice), Route("/api/voice/preview", voice_preview, methods=["POST"]),
    Route("/api/voice", voice_save, methods=["POST"]), Route("/api/say", say_word, methods=["POST"]),
    Route("/api/lexicon", lexicon, methods=["POST"]), Route("/api/build", build_start, methods=["POST"]),
    Route("/api/build", build_events), Route("/api/state", state), Route("/api/built", chapter_audio),
    Route("/build/{path:path}", build_file),
]


def make_app(settings: Settings, token: str, hosts: set[str], cookie: str) -> Guard:
    """The studio for a project, behind its guard."""
    studio = Studio.open(settings)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        warming = asyncio.get_running_loop().create_task(studio.project.warm())
        try:
            yield
        finally:
            warming.cancel()
            await studio.builds.stop()  # a build stopped halfway leaves every output whole
            studio.close()

    app = Starlette(routes=ROUTES, lifespan=lifespan)
    app.state.studio = studio
    return Guard(app, token, hosts, cookie)

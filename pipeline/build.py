"""The orchestrator: the list of stages, read top to bottom.

    load corpus -> load casting -> analyse each story -> plan clips -> render missing
    clips -> assemble + encode each story -> anthology -> manifest

The core never prints: it reports progress through a ``Progress`` object that the
CLI fills in, and returns a ``BuildResult`` for the summary.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import assemble, export
from .attribute import analyse
from .casting import Casting, prepare_casting
from .corpus import Corpus, load_corpus
from .errors import BuildLocked, OutputError
from .files import atomic_open, output_error, slugify
from .model import Analysis, Story, StoryAudio
from .pins import load_pins
from .synth import ClipCache, PlannedClip, plan_story, render_clips

MANIFEST_VERSION = 1


@dataclass(frozen=True)
class BuildOptions:
    """What to build and where; validated once by the CLI."""

    corpus: Path = Path("corpus")
    voices: Path = Path("voices.yaml")
    build_dir: Path = Path("build")
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)  # worker processes for rendering


class Progress:
    """Callbacks for a UI; the default does nothing."""

    def stage(self, name: str, total: int | None = None) -> None:
        """A new stage starts; ``total`` units of work if known."""

    def advance(self, n: int = 1) -> None:
        """``n`` units of the current stage are done."""

    def warn(self, message: str) -> None:
        """Something the user should know that does not stop the build."""


@dataclass(frozen=True)
class StoryResult:
    story: Story
    file: Path
    duration: float
    rebuilt: bool  # False when the previous output was still up to date


@dataclass(frozen=True)
class BuildResult:
    stories: tuple[StoryResult, ...]
    anthology: Path
    anthology_duration: float
    manifest: Path
    clips_total: int
    clips_rendered: int
    seconds: float


@dataclass(frozen=True)
class _StoryPlan:
    story: Story
    analysis: Analysis
    clips: list[PlannedClip]
    inputs_hash: str  # everything that shapes the story's output files


def _hash(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


@contextlib.contextmanager
def build_lock(build_dir: Path) -> Iterator[None]:
    """One build per build folder at a time; a second one is refused, not interleaved."""
    try:
        build_dir.mkdir(parents=True, exist_ok=True)
        fh = open(build_dir / ".lock", "a+")  # noqa: SIM115 - held for the whole build
    except OSError as exc:
        raise output_error(build_dir, exc) from exc
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildLocked(
                f"{build_dir}: another build is running in this folder; wait for it to finish"
            ) from exc
        yield
    finally:
        fh.close()


def remove_stale_temporaries(build_dir: Path) -> None:
    """Delete the temporary files of a build that was killed (only ever called under the lock)."""
    for pattern in (".*.part*", "cache/parts/.*.part*", "cache/clips/*/.*.part.wav", "cache/.*.part*"):
        for tmp in build_dir.glob(pattern):
            tmp.unlink(missing_ok=True)


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build every story's audio file, the anthology and the manifest."""
    progress = progress or Progress()
    started = time.perf_counter()
    corpus = load_corpus(options.corpus)
    analyses = [_analyse(story, progress) for story in corpus.stories]
    casting = prepare_casting(options.voices, corpus.stories, analyses)
    with build_lock(options.build_dir):
        remove_stale_temporaries(options.build_dir)
        plans = [_plan(story, analysis, casting) for story, analysis in zip(corpus.stories, analyses, strict=True)]
        cache = ClipCache(options.build_dir / "cache" / "clips")
        all_clips = [c for p in plans for c in p.clips]
        missing = cache.missing(all_clips)
        progress.stage("Rendering clips", total=len(missing))
        rendered = render_clips(missing, cache, jobs=options.jobs, on_progress=progress.advance)
        progress.stage("Stitching and encoding", total=len(plans))
        state = _load_state(options.build_dir)
        results, audios = _export_stories(plans, corpus, cache, options, state, progress)
        rendered += sum(r[1] for r in results)
        anthology, total = _export_anthology(corpus, audios, options.build_dir, state)
        manifest = _write_manifest(corpus, plans, audios, options.build_dir, anthology)
        _save_state(options.build_dir, state)
    return BuildResult(
        stories=tuple(r[0] for r in results),
        anthology=anthology,
        anthology_duration=total,
        manifest=manifest,
        clips_total=len({c.key for c in all_clips}),
        clips_rendered=rendered,
        seconds=time.perf_counter() - started,
    )


def _analyse(story: Story, progress: Progress) -> Analysis:
    analysis = analyse(story.text, load_pins(story.path))
    for warning in analysis.warnings:
        progress.warn(f"{story.path}: {warning}")
    return analysis


def _plan(story: Story, analysis: Analysis, casting: Casting) -> _StoryPlan:
    clips = plan_story(story, analysis.segments, casting)
    inputs = {
        "clips": [(c.key, c.utterance.pause_before) for c in clips],
        "title": story.title,
        "number": story.number,
        "format": [repr(export.MP3), repr(export.AAC), assemble.HEAD_SILENCE, assemble.TAIL_SILENCE,
                   assemble.FADE_MS, repr(assemble.Loudness())],
    }
    return _StoryPlan(story, analysis, clips, _hash(inputs))


def _outputs(build_dir: Path, story: Story) -> tuple[Path, Path, Path]:
    name = f"{story.number:02d}-{slugify(story.title)}"
    parts = build_dir / "cache" / "parts"
    return build_dir / f"{name}.mp3", parts / f"{story.slug}.m4a", parts / f"{story.slug}.json"


def _export_stories(
    plans: Sequence[_StoryPlan], corpus: Corpus, cache: ClipCache, options: BuildOptions,
    state: dict[str, Any], progress: Progress,
) -> tuple[list[tuple[StoryResult, int]], list[StoryAudio]]:
    """Assemble and encode the stories whose inputs changed, several at once."""
    state_lock = threading.Lock()

    def one(plan: _StoryPlan) -> tuple[StoryResult, int, StoryAudio]:
        mp3, aac, timing = _outputs(options.build_dir, plan.story)
        key = f"story:{plan.story.slug}"
        if state.get(key) == plan.inputs_hash and mp3.exists() and aac.exists() and timing.exists():
            audio = _load_timing(timing, plan)
            if audio is not None:
                progress.advance()
                return StoryResult(plan.story, mp3, audio.duration, rebuilt=False), 0, audio
        audio, rerendered = _encode_story(plan, corpus, cache, mp3, aac, options.jobs)
        _save_timing(timing, audio)
        with state_lock:
            state[key] = plan.inputs_hash
            _save_state(options.build_dir, state)
        progress.advance()
        return StoryResult(plan.story, mp3, audio.duration, rebuilt=True), rerendered, audio

    workers = max(1, min(options.jobs, len(plans)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = list(pool.map(one, plans))
    return [(r, n) for r, n, _ in done], [a for _, _, a in done]


def _encode_story(
    plan: _StoryPlan, corpus: Corpus, cache: ClipCache, mp3: Path, aac: Path, jobs: int,
) -> tuple[StoryAudio, int]:
    """Stream a story's clips into its MP3 and its AAC part; re-render corrupt clips."""
    rerendered = 0
    for _attempt in range(3):
        try:
            with export.encoders([(mp3, export.MP3), (aac, export.AAC)]) as encs:

                def sink(data: bytes, encs: list[export.Encoder] = encs) -> None:
                    for enc in encs:
                        enc.write(data)

                audio = assemble.assemble_story(
                    plan.story, plan.analysis.segments, plan.clips, cache, sink,
                    voice_names=lambda c: c.utterance.voice.espeak_name,
                )
            break
        except assemble.CorruptClip as bad:
            # A truncated cache entry: render it again rather than stitch it in.
            clip = next(c for c in plan.clips if c.key == bad.key)
            cache.path(bad.key).unlink(missing_ok=True)
            rerendered += render_clips([clip], cache, jobs=1)
    else:
        raise OutputError(f"{cache.folder}: clips keep turning out corrupt; delete the folder and build again")
    export.tag_mp3(mp3, export.Tags(
        title=plan.story.title, album=corpus.title, artist=corpus.author,
        track=plan.story.number, total=len(corpus.stories),
    ))
    return audio, rerendered


def _timeline_json(audio: StoryAudio) -> list[dict[str, Any]]:
    return [
        {"kind": t.segment.kind, "speaker": t.segment.speaker, "voice": t.voice or None,
         "text": t.segment.text, "start": round(t.start, 3), "end": round(t.end, 3),
         "text_start": t.segment.start, "text_end": t.segment.end,
         "confidence": t.segment.confidence, "rule": t.segment.rule, "quote_id": t.segment.quote_id}
        for t in audio.timeline
    ]


def _save_timing(path: Path, audio: StoryAudio) -> None:
    with atomic_open(path) as fh:
        json.dump({"duration": audio.duration,
                   "times": [[t.start, t.end, t.voice] for t in audio.timeline]}, fh)


def _load_timing(path: Path, plan: _StoryPlan) -> StoryAudio | None:
    from .model import TimedSegment

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        times = data["times"]
        if len(times) != len(plan.analysis.segments):
            return None
        timeline = tuple(
            TimedSegment(segment=seg, voice=v, start=s, end=e)
            for seg, (s, e, v) in zip(plan.analysis.segments, times, strict=True)
        )
        return StoryAudio(story=plan.story, duration=float(data["duration"]), timeline=timeline)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _export_anthology(
    corpus: Corpus, audios: Sequence[StoryAudio], build_dir: Path, state: dict[str, Any],
) -> tuple[Path, float]:
    target = build_dir / "anthology.m4b"
    chapters = []
    start = 0.0
    for audio in audios:
        chapters.append(export.Chapter(audio.story.title, start, start + audio.duration))
        start += audio.duration
    parts = [_outputs(build_dir, a.story)[1] for a in audios]
    inputs = _hash({"parts": [state.get(f"story:{a.story.slug}") for a in audios],
                    "chapters": [(c.title, c.start, c.end) for c in chapters],
                    "title": corpus.title, "author": corpus.author})
    if state.get("anthology") != inputs or not target.exists():
        export.write_anthology(target, parts, chapters, corpus.title, corpus.author)
        state["anthology"] = inputs
    return target, start


def _write_manifest(
    corpus: Corpus, plans: Sequence[_StoryPlan], audios: Sequence[StoryAudio], build_dir: Path,
    anthology: Path,
) -> Path:
    target = build_dir / "manifest.json"
    start = 0.0
    stories: list[dict[str, Any]] = []
    for plan, audio in zip(plans, audios, strict=True):
        mp3 = _outputs(build_dir, plan.story)[0]
        stories.append({
            "number": plan.story.number,
            "title": plan.story.title,
            "source": str(plan.story.path),
            "file": mp3.name,
            "duration": round(audio.duration, 3),
            "anthology_start": round(start, 3),
            "characters": [
                {"name": c.name, "aliases": list(c.aliases), "gender": c.gender, "lines": c.lines}
                for c in plan.analysis.characters
            ],
            "segments": _timeline_json(audio),
        })
        start += audio.duration
    data = {
        "version": MANIFEST_VERSION,
        "title": corpus.title,
        "author": corpus.author,
        "anthology": {
            "file": anthology.name,
            "duration": round(start, 3),
            "chapters": [{"title": s["title"], "start": s["anthology_start"],
                          "end": round(s["anthology_start"] + s["duration"], 3)} for s in stories],
        },
        "stories": stories,
    }
    with atomic_open(target) as fh:
        json.dump(data, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    return target


def _state_path(build_dir: Path) -> Path:
    return build_dir / "cache" / "state.json"


def _load_state(build_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads(_state_path(build_dir).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_state(build_dir: Path, state: dict[str, Any]) -> None:
    with atomic_open(_state_path(build_dir)) as fh:
        json.dump(state, fh, indent=1, sort_keys=True)


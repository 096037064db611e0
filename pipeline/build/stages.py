"""The orchestrator: the list of stages, read top to bottom.

    load corpus -> load casting -> analyse each story -> plan clips -> render missing
    clips -> assemble + encode each story -> anthology -> manifest

The core never prints: it reports progress through a ``Progress`` object that the
CLI fills in, and returns a ``BuildResult`` for the summary.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.audio import assemble
from pipeline.audio.synth import ClipCache, PlannedClip, Renderer, plan_story, render_clips
from pipeline.build.cast import cast_stories
from pipeline.errors import BuildLocked, OptionsError, OutputError
from pipeline.fsutil import atomic_open, output_error, slugify, write_if_changed
from pipeline.model import GROUP, Analysis, Segment, Story, StoryAudio
from pipeline.publish import export, records
from pipeline.publish.captions import NARRATOR, Cue, write_captions
from pipeline.publish.cover import draw_cover, find_cover, validate_cover
from pipeline.publish.credits import credit_clips, credit_segments, default_credits
from pipeline.quality.check import AcxRules
from pipeline.text.attribution.attribute import analyse
from pipeline.text.corpus import Corpus, load_corpus
from pipeline.text.pins import load_pins
from pipeline.voices.casting import Casting

MANIFEST_VERSION = 1


@dataclass(frozen=True)
class BuildOptions:
    """What to build and where; validated once by the CLI."""

    corpus: Path = Path("corpus")
    voices: Path = Path("voices.yaml")
    build_dir: Path = Path("build")
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)  # worker processes for rendering
    format: str = "mp3"  # per-story files: a key of export.FORMATS
    profile: str = "default"  # "acx": MP3 192 kbps CBR, credits as their own files, at most 120 min a file
    anthology_mp3: bool = False  # also join the story MP3s into anthology.mp3 with ID3 chapters
    credits: bool = True  # speak opening and closing credits

    def validate(self) -> None:
        """Reject unknown or incompatible choices once, up front, naming them."""
        if self.format not in export.FORMATS:
            raise OptionsError(f"--format {self.format}: unknown format; choose one of {', '.join(export.FORMATS)}")
        if self.profile not in PROFILES:
            raise OptionsError(f"--profile {self.profile}: unknown profile; choose one of {', '.join(PROFILES)}")
        if self.profile == "acx" and self.format != "mp3":
            raise OptionsError(f"--profile acx makes MP3 files (ACX accepts nothing else); "
                               f"drop --format {self.format} or the profile")
        if self.anthology_mp3 and self.format != "mp3":
            raise OptionsError(f"--anthology-mp3 joins the story MP3s; it needs --format mp3, not {self.format}")


PROFILES = ("default", "acx")
ACX_MAX_MINUTES = AcxRules().max_minutes  # ACX refuses longer files; the rule `audiobook check` applies
#: Every clip levelled, files on ACX's RMS, peaks limited by the encoder.
LOUDNESS = assemble.Loudness()
MASTERING = export.Mastering(gain_db=LOUDNESS.gain_db, ceiling_dbfs=LOUDNESS.ceiling_dbfs)


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
    labels: tuple[tuple[str, str], ...] = ()  # clip key -> caption text, for clips outside the text
    kind: str = "story"  # or "credits": a file of credits alone (the acx profile)


@dataclass(frozen=True)
class _Meta:
    """What every file says about the anthology."""

    narrator: str
    year: str | None
    cover: Path
    cover_hash: str


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
    for pattern in (".*.part*", "cache/parts/.*.part*", "cache/clips/*/.*.part.*", "cache/.*.part*"):
        for tmp in build_dir.glob(pattern):
            tmp.unlink(missing_ok=True)


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build every story's audio file, the anthology and the manifest."""
    progress = progress or Progress()
    started = time.perf_counter()
    options.validate()
    corpus = load_corpus(options.corpus)
    analyses = [_analyse(story, progress) for story in corpus.stories]
    cast = cast_stories(options.voices, corpus.stories, analyses)
    for warning in cast.warnings:
        progress.warn(warning)
    casting = cast.casting
    with build_lock(options.build_dir):
        remove_stale_temporaries(options.build_dir)
        plans = [_plan(story, analysis, casting) for story, analysis in zip(corpus.stories, analyses, strict=True)]
        meta = _metadata(corpus, options, progress)
        if options.credits:
            plans = _with_credits(plans, corpus, casting, options)
        plans = [_rehash(p, corpus, meta, options) for p in plans]
        cache = ClipCache(options.build_dir / "cache" / "clips")
        all_clips = [c for p in plans for c in p.clips]
        missing = cache.missing(all_clips)
        progress.stage("Rendering and encoding", total=len(missing) + len(plans))
        state = records.load_state(options.build_dir)
        with Renderer(cache, options.jobs, progress.advance) as renderer:
            # All rendering is queued up front, story by story; each story is encoded as
            # soon as its own clips are done, while the workers go on with the next.
            pending = renderer.submit(missing)
            results, audios, extras = _export_stories(
                plans, corpus, cache, options, meta, state, progress, renderer, pending)
        rendered = len(missing) + sum(r[1] for r in results)
        anthology, total = _export_anthology(corpus, plans, audios, options, meta, state)
        manifest = _write_manifest(corpus, plans, audios, options, anthology, meta, extras)
        records.save_state(options.build_dir, state)
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
    return _StoryPlan(story, analysis, clips, "", labels=((clips[0].key, story.title),) if clips else ())


def _rehash(plan: _StoryPlan, corpus: Corpus, meta: _Meta, options: BuildOptions) -> _StoryPlan:
    """The plan with the hash of everything that shapes its files, settings and tags included."""
    inputs = {
        "clips": [(c.key, c.utterance.pause_before) for c in plan.clips],
        "labels": plan.labels,
        "title": plan.story.title,
        "number": plan.story.number,
        "kind": plan.kind,
        "format": [repr(export.FORMATS[options.format]), repr(export.AAC), repr(MASTERING), options.profile,
                   assemble.HEAD_SILENCE, assemble.TAIL_SILENCE, assemble.FADE_MS, repr(LOUDNESS)],
        "tags": [corpus.title, corpus.author, len(corpus.stories), meta.narrator, meta.year, meta.cover_hash],
        "captions": CAPTIONS_VERSION,
    }
    return dataclasses.replace(plan, inputs_hash=_hash(inputs))


CAPTIONS_VERSION = 3  # bump when caption files change shape


def _metadata(corpus: Corpus, options: BuildOptions, progress: Progress) -> _Meta:
    """The narrator credit, the year and the cover (the user's, or one drawn with the title)."""
    cover = find_cover(corpus.folder)
    if cover is not None:
        validate_cover(cover, progress.warn)
    else:
        cover = options.build_dir / "cover.jpg"
        stamp = options.build_dir / "cache" / "cover.json"
        wanted = _hash({"title": corpus.title, "author": corpus.author, "version": 2})  # 2: accented letters
        try:
            current = json.loads(stamp.read_text(encoding="utf-8")).get("hash")
        except (OSError, ValueError, AttributeError):
            current = None
        if current != wanted or not cover.exists():
            draw_cover(cover, corpus.title, corpus.author)
            with atomic_open(stamp) as fh:
                json.dump({"hash": wanted}, fh)
    narrator = corpus.narrator or "eSpeak NG synthetic voices (audiobook)"
    digest = hashlib.sha256(cover.read_bytes()).hexdigest()[:32]
    return _Meta(narrator=narrator, year=corpus.year, cover=cover, cover_hash=digest)


def _with_credits(plans: list[_StoryPlan], corpus: Corpus, casting: Casting, options: BuildOptions) -> list[_StoryPlan]:
    """Opening credits before the first story and closing credits after the last.

    By default they open the first story's file and close the last one's, so the files and
    the anthology's chapters stay one per story; ACX wants them as files of their own.
    """
    speakers = [s.speaker for p in plans for s in p.analysis.segments if s.kind == "dialogue" and s.speaker]
    voices = len({c.utterance.voice.espeak_name for p in plans for c in p.clips})
    default = default_credits(corpus.title, corpus.author, [s for s in speakers if s != GROUP], voices)
    opening = corpus.opening_credits or default.opening
    closing = corpus.closing_credits or default.closing
    narrator = casting.narrator(None)
    pauses = casting.pauses
    if options.profile == "acx":
        first, last = plans[0].story.number - 1, plans[-1].story.number + 1
        return [_credits_plan(opening, "Opening Credits", first, corpus, casting), *plans,
                _credits_plan(closing, "Closing Credits", last, corpus, casting)]
    head = credit_clips(opening, narrator, casting.lexicon, pauses.paragraph)
    tail = credit_clips(closing, narrator, casting.lexicon, pauses.paragraph, first_pause=pauses.chapter)
    _, open_segs = credit_segments(opening)
    _, close_segs = credit_segments(closing)
    labels_open = tuple((c.key, t) for c, t in zip(head, [s.text for s in open_segs if s.text.strip()], strict=True))
    labels_close = tuple((c.key, t) for c, t in zip(tail, [s.text for s in close_segs if s.text.strip()],
                                                    strict=True))
    out = list(plans)
    first_plan = out[0]
    # The story's title follows the credits after a chapter pause.
    title = dataclasses.replace(first_plan.clips[0], utterance=dataclasses.replace(
        first_plan.clips[0].utterance, pause_before=pauses.chapter))
    out[0] = dataclasses.replace(first_plan, clips=[*head, title, *first_plan.clips[1:]],
                                 labels=labels_open + first_plan.labels)
    last_plan = out[-1]
    out[-1] = dataclasses.replace(last_plan, clips=[*last_plan.clips, *tail], labels=last_plan.labels + labels_close)
    return out


def _credits_plan(text: str, title: str, number: int, corpus: Corpus, casting: Casting) -> _StoryPlan:
    """Credits as a file of their own: a tiny story with one narration segment per paragraph."""
    joined, segments = credit_segments(text)
    story = Story(slug=f"_{slugify(title)}", title=title, path=corpus.folder / "corpus.yaml", text=joined,
                  number=number)
    clips = credit_clips(text, casting.narrator(None), casting.lexicon, casting.pauses.paragraph, indexed=True)
    return _StoryPlan(story, Analysis(segments=tuple(segments)), clips, "", kind="credits")


@dataclass(frozen=True)
class _Paths:
    audio: Path  # the story's file in the chosen format
    part: Path  # its AAC, joined into the anthology (the audio itself when that is M4B)
    timing: Path
    vtt: Path
    srt: Path

    def all(self) -> tuple[Path, ...]:
        return (self.audio, self.part, self.timing, self.vtt, self.srt)


def _outputs(build_dir: Path, story: Story, fmt: str = "mp3") -> _Paths:
    # slugify keeps user titles from naming anything outside build_dir ('/', '..').
    codec = export.FORMATS[fmt]
    name = f"{story.number:02d}-{slugify(story.title)}"
    parts = build_dir / "cache" / "parts"
    audio = build_dir / f"{name}{codec.suffix}"
    part = audio if codec is export.M4B else parts / f"{story.slug}.m4a"
    return _Paths(audio, part, parts / f"{story.slug}.json", build_dir / f"{name}.vtt", build_dir / f"{name}.srt")


class Cancelled(Exception):
    """Another story failed or the user pressed Ctrl-C: stop this one, leaving no output."""


def _export_stories(
    plans: Sequence[_StoryPlan], corpus: Corpus, cache: ClipCache, options: BuildOptions, meta: _Meta,
    state: dict[str, Any], progress: Progress, renderer: Renderer, pending: dict[str, Future[int]],
) -> tuple[list[tuple[StoryResult, int]], list[StoryAudio], list[list[Cue]]]:
    """Assemble and encode the stories whose inputs changed, several at once."""
    state_lock = threading.Lock()
    stop = threading.Event()  # set on Ctrl-C or an error: the other stories give up at once

    def current(plan: _StoryPlan) -> bool:
        paths = _outputs(options.build_dir, plan.story, options.format)
        return state.get(f"story:{plan.story.slug}") == plan.inputs_hash and all(p.exists() for p in paths.all())

    # With fewer stories to encode than cores, each output gets an encoder process of its own.
    separate = sum(not current(plan) for plan in plans) < options.jobs

    def one(plan: _StoryPlan) -> tuple[StoryResult, int, StoryAudio, list[Cue]]:
        renderer.wait({id(f): f for c in plan.clips if (f := pending.get(c.key)) is not None}.values(), stop)
        paths = _outputs(options.build_dir, plan.story, options.format)
        key = f"story:{plan.story.slug}"
        if current(plan):
            loaded = records.load_timing(paths.timing, plan.story, plan.analysis.segments)
            if loaded is not None:
                progress.advance()
                audio, extras = loaded
                return StoryResult(plan.story, paths.audio, audio.duration, rebuilt=False), 0, audio, extras
        audio, rerendered, extras = _encode_story(plan, corpus, cache, paths, options, meta, stop, separate)
        records.save_timing(paths.timing, audio, extras)
        with state_lock:
            state[key] = plan.inputs_hash
            records.save_state(options.build_dir, state)
        progress.advance()
        return StoryResult(plan.story, paths.audio, audio.duration, rebuilt=True), rerendered, audio, extras

    # Twice as many stories in flight as cores: each story's encoders are mostly waiting on
    # each other, and with only one story per core the last one would finish on its own.
    pool = ThreadPoolExecutor(max_workers=max(1, min(options.jobs * 2, len(plans))))
    try:
        done = [f.result() for f in [pool.submit(one, plan) for plan in plans]]
    except BaseException:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    return [(r, n) for r, n, _, _ in done], [a for _, _, a, _ in done], [e for _, _, _, e in done]


def _encode_story(
    plan: _StoryPlan, corpus: Corpus, cache: ClipCache, paths: _Paths, options: BuildOptions, meta: _Meta,
    stop: threading.Event, separate: bool = False,
) -> tuple[StoryAudio, int, list[Cue]]:
    """Stream a story's clips into its file and its AAC part, tagged, with captions; re-render corrupt clips."""
    codec = export.FORMATS[options.format]
    labels = dict(plan.labels)
    rerendered = 0
    speakers = {i: _speaker(seg) for i, seg in enumerate(plan.analysis.segments)}
    for _attempt in range(3):
        cues: list[Cue] = []

        def on_clip(clip: PlannedClip, start: float, end: float, cues: list[Cue] = cues) -> None:
            # One cue per clip: a segment, or its piece within one paragraph; timed by sample counts.
            idx = clip.utterance.segment_index
            if idx < 0:  # the title, the credits
                cues.append(Cue(start, end, NARRATOR, labels.get(clip.key, clip.utterance.text)))
            else:
                text = plan.story.text[clip.text_start:clip.text_end].strip().strip(_QUOTES).strip()
                cues.append(Cue(start, end, speakers[idx], text or clip.utterance.text))

        try:
            duration = assemble.planned_seconds(cache, plan.clips)
            if options.profile == "acx" and duration > ACX_MAX_MINUTES * 60:
                raise OutputError(
                    f"{plan.story.path}: '{plan.story.title}' would last {duration / 60:.0f} minutes; ACX takes "
                    f"at most {ACX_MAX_MINUTES:.0f} per file. Split the story into two .txt files at a paragraph")
            tags = export.Tags(
                title=plan.story.title, album=corpus.title, artist=corpus.author, track=plan.story.number,
                total=len(corpus.stories), narrator=meta.narrator, year=meta.year, cover=meta.cover,
                chapters=(export.Chapter(plan.story.title, 0.0, duration),),
            )
            outputs = [export.Output(paths.audio, codec, MASTERING,
                                     finalize=functools.partial(export.write_tags, codec=codec, tags=tags))]
            if paths.part != paths.audio:
                outputs.append(export.Output(paths.part, export.AAC, MASTERING))
            with export.encoders(outputs, separate=separate) as encs:

                def sink(data: bytes, encs: list[export.Encoder] = encs) -> None:
                    if stop.is_set():
                        raise Cancelled
                    for enc in encs:
                        enc.write(data)

                audio = assemble.assemble_story(
                    plan.story, plan.analysis.segments, plan.clips, cache, sink,
                    voice_names=lambda c: c.utterance.voice.espeak_name, loudness=LOUDNESS, on_clip=on_clip,
                )
            break
        except assemble.CorruptClip as bad:
            # A truncated cache entry: render it again rather than stitch it in.
            clip = next(c for c in plan.clips if c.key == bad.key)
            cache.path(bad.key).unlink(missing_ok=True)
            rerendered += render_clips([clip], cache, jobs=1)
    else:
        raise OutputError(f"{cache.folder}: clips keep turning out corrupt; delete the folder and build again")
    write_captions(paths.vtt, paths.srt, cues)
    extras = [c for c, clip in zip(cues, plan.clips, strict=True) if clip.utterance.segment_index < 0]
    return audio, rerendered, extras


_QUOTES = "\"“”«»„"


def _speaker(seg: Segment) -> str:
    """Who reads a segment, as captions name them."""
    if seg.kind != "dialogue":
        return NARRATOR
    return "Several voices" if seg.speaker == GROUP else (seg.speaker or "Unknown speaker")


def _export_anthology(
    corpus: Corpus, plans: Sequence[_StoryPlan], audios: Sequence[StoryAudio], options: BuildOptions, meta: _Meta,
    state: dict[str, Any],
) -> tuple[Path, float]:
    """The M4B joined from the stories' AAC parts (and, if asked, one MP3 joined from theirs)."""
    build_dir = options.build_dir
    target = build_dir / "anthology.m4b"
    chapters = []
    start = 0.0
    for audio in audios:
        chapters.append(export.Chapter(audio.story.title, start, start + audio.duration))
        start += audio.duration
    paths = [_outputs(build_dir, a.story, options.format) for a in audios]
    tags = export.Tags(title=corpus.title, album=corpus.title, artist=corpus.author, track=1, total=1,
                       narrator=meta.narrator, year=meta.year, cover=meta.cover)
    inputs = {"parts": [p.inputs_hash for p in plans], "chapters": [(c.title, c.start, c.end) for c in chapters],
              "tags": repr(tags), "cover": meta.cover_hash, "version": 2}
    if state.get("anthology") != _hash(inputs) or not target.exists():
        export.write_anthology(target, [p.part for p in paths], chapters, tags)
        state["anthology"] = _hash(inputs)
    mp3 = build_dir / "anthology.mp3"
    if options.anthology_mp3 and (state.get("anthology.mp3") != _hash(inputs) or not mp3.exists()):
        export.write_anthology_mp3(mp3, [p.audio for p in paths], chapters, tags)
        state["anthology.mp3"] = _hash(inputs)
    return target, start


def _write_manifest(
    corpus: Corpus, plans: Sequence[_StoryPlan], audios: Sequence[StoryAudio], options: BuildOptions,
    anthology: Path, meta: _Meta, extras: Sequence[Sequence[Cue]],
) -> Path:
    build_dir = options.build_dir
    target = build_dir / "manifest.json"
    start = 0.0
    stories: list[dict[str, Any]] = []
    for plan, audio, spoken in zip(plans, audios, extras, strict=True):
        paths = _outputs(build_dir, plan.story, options.format)
        stories.append({
            "number": plan.story.number,
            "kind": plan.kind,
            "title": plan.story.title,
            "source": str(plan.story.path),
            "file": paths.audio.name,
            "captions": {"vtt": paths.vtt.name, "srt": paths.srt.name},
            "duration": round(audio.duration, 3),
            "anthology_start": round(start, 3),
            # spoken but not part of the story's text: its title, and credits in the first and last file
            "announcements": [{"text": c.text, "start": round(c.start, 3), "end": round(c.end, 3)} for c in spoken],
            "characters": [
                {"name": c.name, "aliases": list(c.aliases), "gender": c.gender, "lines": c.lines}
                for c in plan.analysis.characters
            ],
            "segments": records.timeline_json(audio),
        })
        start += audio.duration
    data = {
        "version": MANIFEST_VERSION,
        "title": corpus.title,
        "author": corpus.author,
        "narrator": meta.narrator,
        "year": meta.year,
        "cover": str(meta.cover),
        "format": options.format,
        "profile": options.profile,
        "anthology": {
            "file": anthology.name,
            "mp3": "anthology.mp3" if options.anthology_mp3 else None,
            "duration": round(start, 3),
            "chapters": [{"title": s["title"], "start": s["anthology_start"],
                          "end": round(s["anthology_start"] + s["duration"], 3)} for s in stories],
        },
        "stories": stories,
    }
    records.remove_outdated(build_dir, target, data)
    write_if_changed(target, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return target

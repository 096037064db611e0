"""`audiobook build`, run by the studio in a process of its own: the same ``build()`` with the same
options, its progress written to stdout as one JSON object a line for the page to show.

A process of its own because a build forks render workers, which a server with threads (and a
speech engine) must not do, and because the lock it takes is then the same a command-line build
takes: whichever comes second is told the other is running.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pipeline.errors import AudiobookError
from pipeline.fsutil import describe
from pipeline.runner import stages as core


def emit(**event: Any) -> None:
    sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
    sys.stdout.flush()


class JsonProgress(core.Progress):
    def stage(self, name: str, total: int | None = None) -> None:
        emit(stage=name, total=total)

    def advance(self, n: int = 1) -> None:
        emit(advance=n)

    def warn(self, message: str) -> None:
        emit(warn=message)

    def note(self, message: str) -> None:
        emit(note=message)

    def chapter_done(self, where: str, audio_done: float, audio_left: float) -> None:
        emit(chapter=where, audio_done=round(audio_done, 1), audio_left=round(audio_left, 1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.studio.buildjob")
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--voices", type=Path, required=True)
    parser.add_argument("--build-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    options = core.BuildOptions(corpus=args.corpus, voices=args.voices, build_dir=args.build_dir)
    try:
        result = core.build(options, JsonProgress())
    except AudiobookError as exc:
        emit(error=str(exc))
        return 1
    except OSError as exc:
        emit(error=describe(exc))
        return 1
    emit(done={"seconds": round(result.seconds, 1), "clips_total": result.clips_total,
               "clips_rendered": result.clips_rendered,
               "rebuilt": [{"work": r.work.slug, "chapter": r.chapter} for r in result.works if r.rebuilt]})
    return 0


if __name__ == "__main__":
    sys.exit(main())

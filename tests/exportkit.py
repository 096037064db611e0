"""A tiny corpus for the export tests: two short stories, quick to render."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.runner.stages import BuildOptions, BuildResult, build

ROOT = Path(__file__).resolve().parent.parent

STORY_ONE = """The rain had stopped by the time Anna reached the café.

"You are late," said Madame Dupont.

"The tram was slow," Anna said, and smiled.
"""

STORY_TWO = """Tom counted the cups twice.

"Nine," he said. "There should be ten."
"""


def make_corpus(root: Path, yaml_text: str | None = None) -> BuildOptions:
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    (corpus / "01-rain.txt").write_text(STORY_ONE, encoding="utf-8")
    (corpus / "02-cups.txt").write_text(STORY_TWO, encoding="utf-8")
    (corpus / "corpus.yaml").write_text(yaml_text or (
        "title: Tiny Tales\nauthor: Ann Author\nyear: 2024\n"
        "stories:\n  - file: 01-rain.txt\n    title: Rain\n  - file: 02-cups.txt\n    title: Cups\n"
    ), encoding="utf-8")
    shutil.copy(ROOT / "voices.yaml", root / "voices.yaml")
    return BuildOptions(corpus=corpus, voices=root / "voices.yaml", build_dir=root / "build", jobs=2)


def run(options: BuildOptions, **changes: object) -> BuildResult:
    from dataclasses import replace

    return build(replace(options, **changes))  # type: ignore[arg-type]

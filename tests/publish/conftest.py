"""A tiny three-chapter Markdown book, built once per test process with every read-along output."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.runner.stages import BuildOptions, BuildResult, build
from tests.conftest import VOICES

BOOK = """---
title: Three Small Tales
author: Ada Finch
---

# Three Small Tales

## The Orchard

Nora walked to the orchard at dawn, past the long row of pear trees that her grandfather had planted the \
year the river flooded the whole valley. "Are the apples ripe?" she asked.

"Not yet," said Tom. "Wait a week."

## The Well

The well was deep and cold. "Don't lean over," Nora warned him.

## The Road

They took the road home together, and nobody spoke.
"""

FOLDER = Path("library") / "Ada Finch" / "Three Small Tales"


@dataclass(frozen=True)
class BuiltBook:
    options: BuildOptions
    result: BuildResult

    @property
    def folder(self) -> Path:
        return self.options.build_dir / FOLDER


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> BuiltBook:
    root = tmp_path_factory.mktemp("readalong")
    (root / "corpus").mkdir()
    (root / "corpus" / "tales.md").write_text(BOOK, encoding="utf-8")
    shutil.copy(VOICES, root / "voices.yaml")
    options = BuildOptions(corpus=root / "corpus", voices=root / "voices.yaml", build_dir=root / "build", jobs=2,
                           captions="words", read_along="both")  # type: ignore[arg-type]
    return BuiltBook(options, build(options))

"""Shared fixtures: real stories, real engine, real ffmpeg, everything in temporary folders."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.runner.stages import BuildOptions, BuildResult, build

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
VOICES = ROOT / "voices.yaml"
FIXTURES = ROOT / "tests" / "fixtures"
TINY_STORY = FIXTURES / "tiny" / "01-the-visit.txt"


@dataclass
class Project:
    """A throw-away copy of the project's inputs, with its own build folder."""

    root: Path

    @property
    def corpus(self) -> Path:
        return self.root / "corpus"

    @property
    def voices(self) -> Path:
        return self.root / "voices.yaml"

    @property
    def work(self) -> Path:
        """The first story of the corpus."""
        return sorted(self.corpus.glob("*.txt"))[0]

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    def options(self, jobs: int = 2) -> BuildOptions:
        return BuildOptions(corpus=self.corpus, voices=self.voices, build_dir=self.build_dir, jobs=jobs)

    def build(self, jobs: int = 2) -> BuildResult:
        return build(self.options(jobs))


def make_project(root: Path, works: list[str] | None = None) -> Project:
    """Copy the corpus (or only the named story files) and voices.yaml under ``root``."""
    project = Project(root)
    project.corpus.mkdir(parents=True)
    for f in sorted(CORPUS.iterdir()):
        if f.suffix == ".txt" and (works is None or f.name in works):
            shutil.copy(f, project.corpus / f.name)
    if works is None:
        shutil.copy(CORPUS / "corpus.yaml", project.corpus / "corpus.yaml")
    shutil.copy(VOICES, project.voices)
    return project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """The whole corpus, ready to build into tmp_path/build."""
    return make_project(tmp_path)


@pytest.fixture
def small_project(tmp_path: Path) -> Project:
    """One tiny story with dialogue ("The Visit", two speakers): quick to build."""
    project = make_project(tmp_path, [])
    shutil.copy(TINY_STORY, project.corpus / TINY_STORY.name)
    return project


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, BuildResult]:
    """The corpus built once per test process; tests only read it."""
    project = make_project(tmp_path_factory.mktemp("built"))
    return project, project.build()

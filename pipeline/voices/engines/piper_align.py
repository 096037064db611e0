"""A Piper voice patched to give phoneme alignments, made once and kept in the user's cache folder.

piper.patch_voice_with_alignment marks one tensor of the model as an output, which gives
how many samples each phoneme lasts: the word and sentence marks of read-along. Patching
in memory on each load costs 408 MB (onnx holds the whole graph), so it is done once per
model, in a child process (the memory goes with it), under a lock (two workers starting
at once patch it once), and written atomically. A model that cannot be patched (already
patched, or of another shape) is used as it is: its clips then have no word marks.

The patched copy keeps its weights in a file of their own beside the graph (ONNX's external
data), which ONNX Runtime maps into memory instead of reading: the weights are then pages
of the page cache that every render worker shares, not 63 MB copied into each worker (a
worker loaded the joe voice in 39 MB of its own instead of 102).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import platformdirs

from pipeline.voices.engines.piper_voices import VoiceFile, model_digest

#: Bumped when the patched copy is made another way (2: weights in a file of their own).
FORMAT = 2


def aligned_model(voice: VoiceFile) -> Path:
    """The patched copy of the voice's model, made on first use; the model itself if it cannot be."""
    folder = platformdirs.user_cache_path("audiobook", appauthor=False) / "piper-aligned"
    target = folder / f"{voice.id}-{model_digest(voice)[:16]}-v{FORMAT}.onnx"
    unpatchable = target.with_suffix(".unpatchable")
    if _whole(target):
        return target
    if unpatchable.exists():
        return voice.model
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not _whole(target) and not unpatchable.exists():
                _patch(voice.model, target, unpatchable)
    except OSError:  # a read-only cache: use the model without marks rather than fail the build
        return voice.model
    return target if _whole(target) else voice.model


def weights_of(model: Path) -> Path:
    """The file that holds a patched model's weights (named inside the model: keep the two together)."""
    return model.with_name(f"{model.name}.data")


def _whole(target: Path) -> bool:
    """Both files of a patched model are there (the weights are put in place first)."""
    return target.is_file() and weights_of(target).is_file()


def _patch(model: Path, target: Path, unpatchable: Path) -> None:
    # Made in a folder of its own (the graph names its weights file, so both are written under
    # their final names), then moved into place: the weights first, the graph last.
    work = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        work.mkdir()
        result = subprocess.run([sys.executable, "-c", "import sys; from pipeline.voices.engines.piper_align "
                                 "import patch; sys.exit(patch(sys.argv[1], sys.argv[2]))", str(model),
                                 str(work / target.name)],
                                capture_output=True, text=True, env={**os.environ, "PYTHONPATH": _package_root()})
        if result.returncode == 0:
            os.replace(weights_of(work / target.name), weights_of(target))
            os.replace(work / target.name, target)
        elif result.returncode == 3:
            unpatchable.write_text(result.stderr[-500:], encoding="utf-8")
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(work)


def patch(model: str, out: str) -> int:
    """Child-process side: write the patched model to ``out`` and its weights beside it (``weights_of``);
    3 when the model cannot be patched."""
    import onnx
    from piper.patch_voice_with_alignment import add_alignment_output

    graph = onnx.load(model)
    try:
        add_alignment_output(graph)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 3
    onnx.save(graph, out, save_as_external_data=True, all_tensors_to_one_file=True,
              location=weights_of(Path(out)).name, size_threshold=1024)
    return 0


def _package_root() -> str:
    root = str(Path(__file__).resolve().parents[3])
    extra = os.environ.get("PYTHONPATH")
    return f"{root}{os.pathsep}{extra}" if extra else root

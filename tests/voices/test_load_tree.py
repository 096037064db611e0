"""Reading voices.yaml: what cannot be read is one line naming the file and, where there is one, the line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.errors import CastingError
from pipeline.voices.casting import load_tree


def test_a_byte_that_is_not_utf8_is_named_with_its_line(tmp_path: Path) -> None:
    voices = tmp_path / "voices.yaml"
    voices.write_bytes("narrator:\n  voice: gmw/en-us\ncharacters:\n  Zo\xe9:\n    variant: f2\n".encode("latin-1"))
    with pytest.raises(CastingError) as caught:
        load_tree(voices)
    assert str(caught.value) == f"{voices}:4: not UTF-8 text (byte 0xe9); re-save the file as UTF-8"


def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "voices.yaml"
    os.mkfifo(fifo)
    probe = ("import sys; from pathlib import Path; from pipeline.voices.casting import load_tree\n"
             "try:\n    load_tree(Path(sys.argv[1]))\nexcept Exception as exc:\n    print(exc)")
    result = subprocess.run([sys.executable, "-c", probe, str(fifo)], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == f"{fifo}: not a regular file; pass --voices a YAML file"


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CastingError, match="not a regular file"):
        load_tree(tmp_path)

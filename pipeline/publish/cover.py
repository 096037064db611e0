"""The cover image: the user's ``corpus/cover.jpg`` (or ``cover.png``), else one we draw.

Stores ask for a square JPEG or PNG of at least 2400x2400 pixels. A user's cover that
is not an image is an error naming the file; one that is smaller or not square still
builds, with a warning, since players accept it. The generated cover is a 2400x2400
JPEG with the anthology's title and author.
"""

from __future__ import annotations

import io
import json
import textwrap
import unicodedata
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from pipeline.errors import CorpusError
from pipeline.fsutil import atomic_open, atomic_path, digest, safe_name
from pipeline.layout import BuildLayout
from pipeline.model import Work

#: The names a user's cover may have in the corpus folder, in order of preference.
COVER_NAMES = ("cover.jpg", "cover.jpeg", "cover.png")
SIZE = 2400  # ACX's minimum, in pixels, on each side


def find_cover(folder: Path) -> Path | None:
    """The user's cover file in the corpus folder, if there is one."""
    for name in COVER_NAMES:
        path = folder / name
        if path.is_file():
            return path
    return None


def validate_cover(path: Path, warn: Callable[[str], None]) -> None:
    """Raise CorpusError if ``path`` is not a JPEG or PNG; warn if stores would refuse it."""
    try:
        with Image.open(path) as img:
            fmt, (width, height) = img.format, img.size
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise CorpusError(path, "not a readable image; use a JPEG or PNG of at least 2400x2400 pixels") from exc
    if fmt not in ("JPEG", "PNG"):
        raise CorpusError(path, f"a {fmt} image; players expect JPEG or PNG, convert it")
    if width < SIZE or height < SIZE:
        warn(f"{path}: cover is {width}x{height}; audiobook stores (ACX) ask for at least {SIZE}x{SIZE}")
    elif width != height:
        warn(f"{path}: cover is {width}x{height}; audiobook stores (ACX) ask for a square image")


def draw_cover(target: Path, title: str, author: str) -> None:
    """Draw a plain 2400x2400 JPEG cover with the title and author, written atomically."""
    img = Image.new("RGB", (SIZE, SIZE), (38, 52, 74))
    draw = ImageDraw.Draw(img)
    draw.rectangle((120, 120, SIZE - 120, SIZE - 120), outline=(222, 196, 140), width=12)
    title_font, plain = _font(190)
    author_font, _ = _font(110)
    if plain:  # Pillow's built-in font has no accented letters: draw "Cafe", not "Caf?"
        title, author = _unaccented(title), _unaccented(author)
    lines = textwrap.wrap(title, width=16)[:5] or [" "]
    y = SIZE // 2 - len(lines) * 230 // 2 - 150
    for line in lines:
        draw.text((SIZE // 2, y), line, font=title_font, fill=(245, 238, 220), anchor="ma")
        y += 230
    draw.text((SIZE // 2, y + 160), textwrap.shorten(author, 36), font=author_font, fill=(222, 196, 140),
              anchor="ma")
    with atomic_path(target) as tmp:
        img.save(tmp, "JPEG", quality=88)


#: Fonts with accented letters found on most systems; Pillow's built-in font is the fallback.
_FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
    "/Library/Fonts/Arial.ttf",
    "C:/Windows/Fonts/arial.ttf",
)


def _font(size: int) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, bool]:
    """A font for the cover, and whether it is the built-in one (ASCII only)."""
    for path in _FONT_FILES:
        if Path(path).is_file():
            try:
                return ImageFont.truetype(path, size), False
            except OSError:
                continue
    return ImageFont.load_default(size=size), True


def _unaccented(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def as_jpeg(data: bytes) -> bytes:
    """An image (a book's own cover, often PNG) as the JPEG that players and servers expect."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format == "JPEG":
                return data
            out = io.BytesIO()
            img.convert("RGB").save(out, "JPEG", quality=90)
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise CorpusError(None, f"the book's cover image cannot be read ({exc}); put a cover.jpg beside it") from exc


COVER_VERSION = 2  # bump when the drawn cover changes (2: accented letters)


def book_cover(folder: Path, work: Work) -> Path | None:
    """A book's own cover beside it in the corpus: ``<name>.jpg`` or ``<name>.png``."""
    for suffix in (".jpg", ".jpeg", ".png"):
        path = folder / f"{work.path.stem}{suffix}"
        if path.is_file():
            return path
    return None


def book_cover_file(layout: BuildLayout, work: Work, own: Path | None) -> Path:
    """The cover in a book's folder: its own (beside it, or in its EPUB), else drawn."""
    target = layout.book_folder(work.author, work.title) / "cover.jpg"
    if own is None and work.cover is None:
        return drawn_cover(target, work.title, work.author or "", layout.book_cover_stamp(safe_name(work.slug)))
    data = own.read_bytes() if own is not None else as_jpeg(work.cover or b"")
    if not target.exists() or target.read_bytes() != data:
        with atomic_path(target) as tmp:
            tmp.write_bytes(data)
    return target


def drawn_cover(target: Path, title: str, author: str, stamp: Path) -> Path:
    """A cover drawn with the title and author, drawn again only when they change."""
    wanted = digest({"title": title, "author": author, "version": COVER_VERSION})
    try:
        current = json.loads(stamp.read_text(encoding="utf-8")).get("hash")
    except (OSError, ValueError, AttributeError):
        current = None
    if current != wanted or not target.exists():
        draw_cover(target, title, author)
        with atomic_open(stamp) as fh:
            json.dump({"hash": wanted}, fh)
    return target

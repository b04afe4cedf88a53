"""Image uploads: checked, re-encoded without metadata, stored under the instance folder.

Only real images pass: the file is decoded with Pillow (a text file named ``.png``
fails), its format must be JPEG, PNG, WebP or GIF, its size and pixel count are
bounded, and it is re-encoded (which drops EXIF data such as GPS positions). Files
are named by the SHA-256 of their stored bytes and served by :func:`serve` with a
fixed content type, ``nosniff`` and a restrictive CSP.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from flask import Blueprint, current_app, send_from_directory
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from werkzeug.datastructures import FileStorage

from .errors import InvalidInput, NotFound

FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp"),
           "GIF": ("gif", "image/gif")}  # fmt: skip
MIME_BY_EXT = {ext: mime for ext, mime in FORMATS.values()}
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 25_000_000
MAX_SIDE = 2400

bp = Blueprint("uploads", __name__)


def upload_dir() -> Path:
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_image(upload: FileStorage, *, max_bytes: int | None = None) -> str:
    """Validate and store an uploaded image; return its stored file name.

    :raises InvalidInput: for anything that is not a reasonable image.
    """
    limit = max_bytes or current_app.config.get("UPLOAD_MAX_BYTES", MAX_BYTES)
    data = upload.stream.read(limit + 1)
    if not data:
        raise InvalidInput(_l("The file is empty."), code="empty_file")
    if len(data) > limit:
        raise InvalidInput(_l("The image is too large (at most %(mb)d MB).", mb=limit // (1024 * 1024) or 1),
                           code="file_too_large")  # fmt: skip
    image = _decode(data)
    ext, _mime = FORMATS[image.format]
    out = io.BytesIO()
    image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") and ext != "jpg" else "RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    image.save(out, format=image_format(ext), **({"quality": 88} if ext in ("jpg", "webp") else {}))
    stored = out.getvalue()
    name = f"{hashlib.sha256(stored).hexdigest()[:32]}.{ext}"
    (upload_dir() / name).write_bytes(stored)
    return name


def image_format(ext: str) -> str:
    return {"jpg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF"}[ext]


def _decode(data: bytes) -> Image.Image:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        probe = Image.open(io.BytesIO(data))
        probe.verify()  # structure check; the image must be reopened afterwards
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidInput(_l("This file is not an image we accept (JPEG, PNG, WebP or GIF)."),
                           code="bad_image") from None  # fmt: skip
    if image.format not in FORMATS:
        raise InvalidInput(
            _l("This file is not an image we accept (JPEG, PNG, WebP or GIF)."), code="bad_image"
        )
    return image


def delete_image(name: str | None) -> None:
    if name and _valid_name(name):
        (upload_dir() / name).unlink(missing_ok=True)


def _valid_name(name: str) -> bool:
    stem, _, ext = name.partition(".")
    return len(stem) == 32 and all(c in "0123456789abcdef" for c in stem) and ext in MIME_BY_EXT


@bp.get("/media/<name>")
def serve(name: str):
    if not _valid_name(name) or not (upload_dir() / name).is_file():
        raise NotFound()
    response = send_from_directory(
        upload_dir(), name, mimetype=MIME_BY_EXT[name.partition(".")[2]], max_age=31536000
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

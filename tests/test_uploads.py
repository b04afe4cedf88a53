"""Image uploads: real images pass re-encoded, anything else is refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from community.errors import InvalidInput
from community.uploads import save_image


def _png(size=(40, 30), exif=False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    if exif:
        data = image.getexif()
        data[0x010E] = "secret description"
        image.save(out, format="JPEG", exif=data)
    else:
        image.save(out, format="PNG")
    return out.getvalue()


def _file(data: bytes, name="x.png") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


def test_real_image_is_stored_and_served(app, client):
    name = save_image(_file(_png()))
    assert name.endswith(".png")
    with client.get(f"/media/{name}") as response:
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert Image.open(io.BytesIO(response.data)).size == (40, 30)


def test_metadata_is_stripped(app):
    name = save_image(_file(_png(exif=True), "x.jpg"))
    stored = Path(app.instance_path) / "uploads" / name
    assert b"secret description" not in stored.read_bytes()


@pytest.mark.parametrize(
    "data",
    [b"", b"hello, I am text pretending to be a png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50,
     b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"],
)  # fmt: skip
def test_fake_images_are_refused(app, data):
    with pytest.raises(InvalidInput):
        save_image(_file(data))


def test_size_limit(app):
    with pytest.raises(InvalidInput, match="too large"):
        save_image(_file(_png(size=(600, 600))), max_bytes=100)


def test_media_names_are_checked(client):
    for name in ("../secret_key", "x.png", "0" * 32 + ".exe", "0" * 32 + ".png"):
        assert client.get(f"/media/{name}").status_code == 404

"""The production server configuration really serves the app (gunicorn.conf.py)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(tmp_path: Path, database_url: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {
        **os.environ,
        "COMMUNITY_ENV": "production",
        "SECRET_KEY": "gunicorn-test",
        "INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": database_url,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_ACCESS_LOG": "",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    return server, port


def _get(server: subprocess.Popen, url: str):  # noqa: ANN202
    deadline = time.monotonic() + 30
    while True:
        try:
            return urllib.request.urlopen(url, timeout=5)
        except OSError:
            assert server.poll() is None, server.stdout.read().decode()
            assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
            time.sleep(0.2)


def test_gunicorn_serves_the_app_with_its_configuration(tmp_path):
    server, port = _start(tmp_path, f"sqlite:///{tmp_path / 'g.db'}")
    try:
        response = _get(server, f"http://127.0.0.1:{port}/brand.css")
        assert response.status == 200 and b"--brand" in response.read()
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")  # production
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    assert server.returncode == 0, output
    assert "Using worker: gthread" in output and output.count("Booting worker") == 2


def test_buffered_topic_views_are_written_when_the_workers_stop(app, users, tmp_path):
    """Topic views are counted in memory (community/httpcache.py ``ViewBuffer``); a worker
    that stops normally (restart, deploy, shutdown) writes what it still holds."""
    from community.forum import services
    from models import Topic, db

    category = services.save_category(
        users["admin"], None, slug="gear", name_en="Gear", name_fr="Matériel",
        description_en="", description_fr="",
    )  # fmt: skip
    topic = services.open_topic(category, users["member"], "Which tent?", "Light ones.", "question", "en")
    db.session.commit()
    server, port = _start(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        for _ in range(3):  # the first rendered, the others from the page cache
            assert _get(server, f"http://127.0.0.1:{port}/forum/t/{topic.slug}/{topic.id}").status == 200
        db.session.expire_all()
        assert db.session.get(Topic, topic.id).view_count == 0
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    assert server.returncode == 0, output
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).view_count == 3

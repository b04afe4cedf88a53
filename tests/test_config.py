"""Configuration from the environment."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from community import create_app
from community.templating import contrast_ratio, text_colour_on

ROOT = Path(__file__).resolve().parents[1]


def test_production_requires_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMUNITY_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_development_generates_and_keeps_a_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("COMMUNITY_ENV", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_variables_are_read(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@127.0.0.1:5432/test")
    monkeypatch.setenv("BRAND_NAME", "Boréal")
    monkeypatch.setenv("MAIL_PORT", "2525")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@127.0.0.1:5432/test"
    assert app.config["BRAND_NAME"] == "Boréal" and app.config["MAIL_PORT"] == 2525


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'community.db'}"


def test_unknown_environment_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMUNITY_ENV", "staging")
    with pytest.raises(RuntimeError, match="COMMUNITY_ENV"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


@pytest.mark.parametrize("colour", ["#1f5f8b", "#ffd700", "#000000", "#ffffff", "#e63946"])
def test_header_text_colour_meets_aa_contrast(colour):
    assert contrast_ratio(colour, text_colour_on(colour)) >= 4.5


def test_brand_colour_in_the_page(make_app):
    app = make_app(BRAND_COLOR="#ffd700", BRAND_NAME="Boréal")
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    assert "Boréal" in page and "<style" not in page  # the CSP allows no inline style
    href = re.search(r'href="(/brand\.css\?v=\w+)"', page).group(1)
    css = client.get(href)
    assert css.mimetype == "text/css" and "immutable" in css.headers["Cache-Control"]
    assert "--brand: #ffd700; --brand-text: #000000" in css.get_data(as_text=True)
    assert client.get(href, headers={"If-None-Match": css.headers["ETag"]}).status_code == 304
    assert client.get("/brand.css?v=old").headers["Cache-Control"] == "no-cache"


def test_log_level_is_accepted_in_lower_case(tmp_path):
    """gunicorn.conf.py lower-cases LOG_LEVEL for gunicorn; the app must accept the same
    value (``LOG_LEVEL=warning`` used to crash every process at start)."""
    env = {**os.environ, "LOG_LEVEL": "warning", "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"}
    code = "import logging; from community import create_app; create_app(); print(logging.getLogger().level)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(logging.WARNING)

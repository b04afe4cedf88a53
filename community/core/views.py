"""Site-wide pages: home, language switch, sitemap, robots.txt, health check."""

from __future__ import annotations

from datetime import UTC
from functools import partial
from xml.sax.saxutils import escape

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import text

from ..auth import services as account_services
from ..content import queries as content_queries
from ..content.registry import kind_of
from ..errors import NotFound
from ..extensions import csrf, db
from ..forms import EmptyForm
from ..httpcache import cached_fragment
from ..permissions import can
from ..templating import brand_css as brand_stylesheet
from ..urls import is_safe_next
from . import registry

bp = Blueprint("core", __name__)


@bp.get("/")
def home():
    """The community's landing page: each feature's block, in order."""
    blocks = []
    for block in registry.home_blocks():
        if block.shared:
            html = cached_fragment(f"home:{block.name}", partial(_render_block, block))
        else:
            html = _render_block(block)
        if html is not None:
            blocks.append((block, html))
    return render_template("core/home.html", blocks=blocks)


def _render_block(block: registry.HomeBlock) -> Markup | None:
    context = block.load(current_user)
    return None if context is None else Markup(render_template(block.template, ctx=context))


@bp.get("/brand.css")
def brand_css():
    """The brand's colours as CSS variables (no inline style: the CSP forbids it).
    Linked with ``?v=<version>``, so it can be cached for a year."""
    body, version = brand_stylesheet()
    response = Response(body, mimetype="text/css")
    if request.args.get("v") == version:
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    response.set_etag(version)
    return response.make_conditional(request)


@bp.post("/language")
@csrf.exempt
def set_language():
    """Switch the interface language; remembered on the account when signed in.

    Public pages are cached and shared between anonymous visitors, so their switcher
    carries no CSRF token: an anonymous switch only needs a same-site request (the
    session cookie is SameSite=Lax anyway); a member's needs the token, as before."""
    lang = request.form.get("lang", "")
    target = request.form.get("next")
    if _same_site() if not current_user.is_authenticated else EmptyForm().validate_on_submit():
        session["lang"] = lang if lang in ("en", "fr") else None
        if current_user.is_authenticated and lang in ("en", "fr"):
            account_services.set_locale(current_user, lang)
            db.session.commit()
    else:
        flash(
            _("Your session expired or the form was tampered with. Please reload the page and try again."),
            "danger",
        )
    return redirect(target if is_safe_next(target) else url_for("core.home"))


@bp.get("/c/<int:content_id>")
def content_permalink(content_id: int):
    """One address for any content item, whatever its kind: redirects to its page."""
    item = content_queries.get_item(content_id)
    if item is None or not can(current_user, "content.view", item):
        raise NotFound()
    return redirect(kind_of(item).url(item))


@bp.get("/sitemap.xml")
def sitemap():
    """Every public page that features list through ``registry.sitemap_source``."""
    base = current_app.config["SITE_URL"].rstrip("/")
    entries = [(url_for("core.home"), None)]
    for _name, source in sorted(registry.sitemap_sources().items()):
        entries.extend(source())
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']  # fmt: skip
    seen: set[str] = set()
    for path, lastmod in entries:
        if path in seen:
            continue
        seen.add(path)
        lines.append(f"  <url><loc>{escape(base + path)}</loc>")
        if lastmod is not None:
            stamp = (
                lastmod.replace(tzinfo=UTC) if lastmod.tzinfo is None else lastmod.astimezone(UTC)
            ).strftime("%Y-%m-%dT%H:%M:%S+00:00")
            lines.append(f"    <lastmod>{stamp}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>")
    return Response("\n".join(lines) + "\n", mimetype="application/xml")


@bp.get("/robots.txt")
def robots():
    base = current_app.config["SITE_URL"].rstrip("/")
    body = "\n".join([
        "User-agent: *",
        "Disallow: /api/",
        "Disallow: /account",
        "Disallow: /login",
        "Disallow: /register",
        "Disallow: /blog/new",
        "",
        f"Sitemap: {base}{url_for('core.sitemap')}",
        "",
    ])  # fmt: skip
    return Response(body, mimetype="text/plain")


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # noqa: BLE001 - report any database failure
        db.session.rollback()
        database = f"error: {type(exc).__name__}"
    status = 200 if database == "ok" else 503
    return jsonify(status="ok" if status == 200 else "degraded", database=database), status


def _same_site() -> bool:
    """The request comes from this site's own page (or a browser that says nothing)."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    return origin is None or origin == request.host_url.rstrip("/")

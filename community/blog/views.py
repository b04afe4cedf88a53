"""Blog pages: index, tags, articles with comments, feeds, and the staff editor."""

from __future__ import annotations

from typing import Any

from feedgen.feed import FeedGenerator
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from models import Article, ArticleComment, ContentState, db

from ..content.registry import ContentContext, ContentKind, register
from ..core.registry import HomeBlock, home_block, nav_item, sitemap_source, tool_link
from ..demo import SEEDERS
from ..errors import DomainError, NotFound, PermissionDenied
from ..httpcache import expire_pages_at
from ..permissions import can
from ..urls import external_url
from . import queries, services
from .forms import ArticleForm, CommentForm

bp = Blueprint("blog", __name__, url_prefix="/blog")


# --- what the blog tells the rest of the site ------------------------------------------------


def _comment_url(item: ArticleComment) -> str:
    slug = db.session.scalar(db.select(Article.slug).where(Article.id == item.article_id))
    return url_for("blog.article", slug=slug) + f"#comment-{item.id}"


def _comment_context(item: ArticleComment) -> ContentContext:
    article = db.session.get(Article, item.article_id)
    return ContentContext(label=article.title, url=url_for("blog.article", slug=article.slug))


register(
    ContentKind(
        name="article", label=_l("Article"), model=Article,
        url=lambda item: url_for("blog.article", slug=item.slug),
        context=lambda item: ContentContext(label=_("Blog"), url=url_for("blog.index")),
    )
)  # fmt: skip
register(
    ContentKind(
        name="article_comment", label=_l("Comment"), model=ArticleComment,
        url=_comment_url, context=_comment_context, parent_attr="article_id",
    )
)  # fmt: skip
nav_item("blog", "blog.index", _l("Blog"), order=40)
tool_link("blog.new", "blog.new", _l("Write an article"), "brand.publish", "brand", 30)


def _home_articles(_user: Any) -> dict[str, Any] | None:
    articles = queries.latest(3)
    return {"articles": articles} if articles else None


expire_pages_at(queries.next_publication)  # scheduled articles appear by themselves
home_block(
    HomeBlock(
        "blog.latest", template="blog/_home.html", load=_home_articles, order=10, wide=True, shared=True
    )
)


def _sitemap() -> list[tuple[str, Any]]:
    entries = queries.sitemap_entries()
    newest = max((lastmod for _slug, lastmod in entries), default=None)
    return [(url_for("blog.index"), newest)] + [
        (url_for("blog.article", slug=slug), lastmod) for slug, lastmod in entries
    ]


sitemap_source("blog", _sitemap)
if "community.blog.demo.seed_blog" not in SEEDERS:
    SEEDERS.append("community.blog.demo.seed_blog")


# --- reading ------------------------------------------------------------------------------------


def _page_arg() -> int:
    return request.args.get("page", 1, type=int) or 1


def _may_read(article: Article) -> bool:
    if not can(current_user, "content.view", article):
        return False
    return article.state != ContentState.PUBLISHED or article.is_public() or can(current_user, "blog.preview")


def _load(slug: str) -> Article:
    article = queries.article_by_slug(slug)
    if article is None or not _may_read(article):
        raise NotFound()
    return article


@bp.get("/")
def index():
    page = queries.public_articles(_page_arg())
    if page.page > page.pages:
        raise NotFound()
    unpublished = queries.unpublished_articles() if can(current_user, "blog.preview") else []
    return render_template("blog/index.html", page=page, unpublished=unpublished, tag=None)


@bp.get("/tag/<slug>")
def tag(slug: str):
    tag = queries.tag_by_slug(slug)
    if tag is None:
        raise NotFound()
    page = queries.tagged_articles(tag, _page_arg())
    if page.page > page.pages:
        raise NotFound()
    return render_template("blog/index.html", page=page, unpublished=[], tag=tag)


def _render_article(
    article: Article, form: CommentForm | None = None, status: int = 200, reply_to: int | None = None
):
    comments = queries.comments_for(article, include_pending=can(current_user, "moderation.queue"))
    reply_errors: list[str] = []
    if form is not None and reply_to is not None:  # errors belong to that reply box
        reply_errors, form = list(form.body.errors), CommentForm(formdata=None)
    return render_template(
        "blog/article.html",
        article=article,
        related=queries.related_articles(article),
        comments=queries.comment_tree(comments),
        form=form or CommentForm(),
        reply_to=reply_to,
        reply_errors=reply_errors,
        json_ld=_json_ld(article),
    ), status


def _json_ld(article: Article) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": article.title,
        "description": article.summary,
        "inLanguage": article.language,
        "url": external_url("blog.article", slug=article.slug),
        "mainEntityOfPage": external_url("blog.article", slug=article.slug),
        "datePublished": article.publish_at.isoformat() if article.publish_at else None,
        "dateModified": (article.edited_at or article.publish_at or article.created_at).isoformat(),
        "author": {"@type": "Person", "name": article.author.name if article.author else ""},
        "publisher": {"@type": "Organization", "name": _brand()},
        "keywords": ", ".join(t.name for t in article.tags),
        "commentCount": article.comment_count,
    }
    if article.cover_image:
        data["image"] = external_url("uploads.serve", name=article.cover_image)
    return {k: v for k, v in data.items() if v is not None}


def _brand() -> str:
    from flask import current_app

    return current_app.config["BRAND_NAME"]


@bp.get("/<slug>")
def article(slug: str):
    return _render_article(_load(slug))


@bp.post("/<slug>/comments")
@login_required
def comment(slug: str):
    article = _load(slug)
    form = CommentForm()
    parent_id = (
        form.parent_id.data
        if (form.parent_id.data or "").isascii() and (form.parent_id.data or "").isdecimal()
        else None
    )
    if form.validate_on_submit():
        try:
            made = services.add_comment(
                article, current_user, form.body.data, int(parent_id) if parent_id else None
            )
        except DomainError as exc:
            form.body.errors = [*form.body.errors, str(exc.message)]
        else:
            db.session.commit()
            flash(_("Your comment is published.") if made.is_published else _("Your comment awaits moderation."),
                  "success")  # fmt: skip
            return redirect(url_for("blog.article", slug=article.slug) + f"#comment-{made.id}")
    return _render_article(article, form, 422, reply_to=int(parent_id) if parent_id else None)


# --- feeds ---------------------------------------------------------------------------------------


def _feed(articles: list[Article], title: str, html_url: str, self_url: str, fmt: str) -> Response:
    fg = FeedGenerator()
    fg.id(html_url)
    fg.title(title)
    fg.link(href=html_url, rel="alternate")
    fg.link(href=self_url, rel="self")
    fg.description(_("Articles from the %(brand)s team", brand=_brand()))
    fg.language("fr" if all(a.language == "fr" for a in articles) and articles else "en")
    if articles:
        fg.updated(max(a.edited_at or a.publish_at for a in articles))
    for item in articles:
        url = external_url("blog.article", slug=item.slug)
        entry = fg.add_entry(order="append")
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.title(item.title)
        entry.link(href=url)
        entry.published(item.publish_at)
        entry.updated(item.edited_at or item.publish_at)
        if item.summary:
            entry.summary(item.summary)
        entry.content(item.body_html, type="CDATA" if fmt == "rss" else "html")
        if item.author:
            entry.author(name=item.author.name)
        for t in item.tags:
            entry.category(term=t.slug, label=t.name)
    if fmt == "atom":
        return Response(fg.atom_str(pretty=True), mimetype="application/atom+xml")
    return Response(fg.rss_str(pretty=True), mimetype="application/rss+xml")


@bp.get("/feed.<any(atom, rss):fmt>")
def feed(fmt: str):
    return _feed(
        queries.latest_for_feed(), _("%(brand)s blog", brand=_brand()), external_url("blog.index"),
        external_url("blog.feed", fmt=fmt), fmt,
    )  # fmt: skip


@bp.get("/tag/<slug>/feed.<any(atom, rss):fmt>")
def tag_feed(slug: str, fmt: str):
    tag = queries.tag_by_slug(slug)
    if tag is None:
        raise NotFound()
    return _feed(
        queries.latest_for_feed(tag), _("%(brand)s blog: %(tag)s", brand=_brand(), tag=tag.name),
        external_url("blog.tag", slug=tag.slug), external_url("blog.tag_feed", slug=tag.slug, fmt=fmt), fmt,
    )  # fmt: skip


# --- writing (staff) -------------------------------------------------------------------------------


def _data(form: ArticleForm) -> services.ArticleData:
    return services.ArticleData(
        title=form.title.data or "", slug=form.slug.data or "", summary=form.summary.data or "",
        body=form.body.data or "", language=form.language.data, tags=form.tags.data or "",
        status=form.status.data, publish_at=form.publish_at.data, cover=form.cover.data or None,
        remove_cover=bool(form.remove_cover.data),
    )  # fmt: skip


def _attach(form: ArticleForm, exc: DomainError) -> None:
    field = getattr(form, str(exc.details.get("field", "")), None) or form.title
    if field is form.cover or exc.code in ("bad_image", "file_too_large", "empty_file"):
        field = form.cover
    field.errors = [*field.errors, str(exc.message)]


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not can(current_user, "brand.publish"):
        raise PermissionDenied(_("Only the brand's staff write articles."))
    form = ArticleForm()
    if request.method == "GET":
        form.language.data = current_user.locale or "en"
    if form.validate_on_submit():
        try:
            article = services.create_article(current_user, _data(form))
        except DomainError as exc:
            db.session.rollback()
            _attach(form, exc)
        else:
            db.session.commit()
            flash(_saved_message(article), "success")
            return redirect(url_for("blog.article", slug=article.slug))
    return render_template("blog/edit.html", form=form, article=None), 422 if form.errors else 200


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    article = _load(slug)
    if not can(current_user, "blog.edit", article):
        raise PermissionDenied(_("Only the brand's staff write articles."))
    form = ArticleForm(obj=None if request.method == "POST" else article)
    if request.method == "GET":
        form.body.data = article.body_source
        form.tags.data = ", ".join(t.name for t in article.tags)
        form.status.data = article.effective_status
        form.publish_at.data = article.publish_at.replace(tzinfo=None) if article.publish_at else None
    if form.validate_on_submit():
        try:
            services.update_article(article, current_user, _data(form))
        except DomainError as exc:
            db.session.rollback()
            _attach(form, exc)
        else:
            db.session.commit()
            flash(_saved_message(article), "success")
            return redirect(url_for("blog.article", slug=article.slug))
    return render_template("blog/edit.html", form=form, article=article), 422 if form.errors else 200


def _saved_message(article: Article) -> str:
    if article.is_public():
        return _("The article is published.")
    if article.status == "scheduled":
        return _("The article is scheduled; it will appear by itself at its date.")
    return _("The draft is saved. This is its preview: only staff can see it.")

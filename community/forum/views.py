"""Forum pages: thin views over :mod:`community.forum.services` and ``queries``."""

from __future__ import annotations

from typing import NamedTuple

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from models import ContentState, ForumCategory, Reply, Topic, User

from .. import fragments
from ..content import registry as content_registry
from ..content import services as content_services
from ..core.registry import HomeBlock, home_block, nav_item, sitemap_source, tool_link
from ..errors import DomainError, NotFound, PermissionDenied
from ..extensions import db
from ..forms import EmptyForm
from ..i18n import current_language
from ..notifications.queries import watch_state
from ..permissions import can
from . import queries, services
from . import topic_tools as restructure
from .forms import CategoryForm, EditForm, PostForm, TopicForm

bp = Blueprint("forum", __name__)


# --- helpers ------------------------------------------------------------------------------


def topic_url(topic: Topic, page: int = 1, **kwargs) -> str:  # noqa: ANN003
    return url_for(
        "forum.topic",
        slug=topic.slug or "topic",
        topic_id=topic.id,
        page=page if page > 1 else None,
        **kwargs,
    )


def post_url(item: Topic | Reply, topic: Topic | None = None) -> str:
    """The page and anchor of a post."""
    if isinstance(item, Topic):
        return topic_url(item) + f"#post-{item.id}"
    topic = topic or db.session.get(Topic, item.topic_id)
    return topic_url(topic, queries.page_of_position(item.position)) + f"#post-{item.id}"


class PostHead(NamedTuple):
    """Everything forum/_post_head.html shows of a post (its cache key)."""

    id: int
    language: str
    author_role: str | None
    author: fragments.Author | None
    official: bool
    accepted: bool
    brand: str


def post_heads(topic: Topic, posts: list[Topic | Reply]) -> dict[int, tuple]:
    """Each post's header pieces (cached while the post, its author and the topic's
    accepted answer stay as they are)."""
    brand = current_app.config["BRAND_NAME"]
    snapshots = {
        p.id: PostHead(
            p.id,
            p.language,
            p.author_role,
            fragments.author(p.author),
            p.kind == "reply" and p.author_role in ("staff", "admin"),
            p.kind == "reply" and topic.accepted_reply_id == p.id,
            brand,
        )  # fmt: skip
        for p in posts
    }
    return fragments.render_many("forum/_post_head.html", "post_head", snapshots)


class TopicRow(NamedTuple):
    """Everything forum/_topic_row.html shows of a topic (its cache key)."""

    id: int
    slug: str
    title: str
    language: str
    is_pinned: bool
    is_locked: bool
    is_question: bool
    is_solved: bool
    has_official_answer: bool
    author: fragments.Author | None
    author_role: str | None
    category_name: str | None
    reply_count: int


def topic_rows(topics: list[Topic], with_category: bool) -> dict[int, tuple]:
    """Each row's pieces of a topic list (cached while the topic and its author stay as they are)."""
    lang = current_language()
    snapshots = {
        t.id: TopicRow(
            t.id,
            t.slug,
            t.title,
            t.language,
            t.is_pinned,
            t.is_locked,
            t.is_question,
            t.is_solved,
            t.has_official_answer,
            fragments.author(t.author),
            t.author_role,
            t.category.name(lang) if with_category else None,
            t.reply_count,
        )  # fmt: skip
        for t in topics
    }
    return fragments.render_many("forum/_topic_row.html", "topic_row", snapshots)


def _int_arg(name: str, default: int = 1) -> int:
    try:
        return max(1, int(request.args.get(name, default)))
    except (TypeError, ValueError):
        return default


def _language_filter() -> str:
    chosen = request.args.get("lang")
    if chosen in ("en", "fr"):
        return chosen
    if chosen == "all":
        return ""
    return queries.language_preference(current_user)


def _visible_topic(topic_id: int, *, follow_merges: bool = False) -> Topic | str:
    """The topic, or 404. With ``follow_merges`` (pages that GET a topic), the address
    of a merged topic's opening post instead: it is now a reply of the target."""
    topic = queries.topic(topic_id)
    if topic is None and follow_merges:
        found = queries.visible_reply_and_topic(topic_id, current_user)
        if found is not None:
            return post_url(*found)
    if topic is None or not can(current_user, "content.view", topic):
        raise NotFound()
    return topic


def _post_or_404(post_id: int) -> Topic | Reply:
    item = queries.post(post_id)
    if item is None or not can(current_user, "content.view", item):
        raise NotFound()
    return item


# --- site-wide registrations ---------------------------------------------------------------

nav_item("forum", "forum.index", _l("Forum"), order=10)
tool_link("forum.unofficial", "forum.latest", _l("Questions without an official answer"), "forum.staff_filters", "brand", 20,
          args={"filter": "unofficial"})  # fmt: skip
tool_link(
    "forum.categories",
    "forum.edit_category",
    _l("New forum category"),
    "forum.manage_categories",
    "admin",
    10,
)
home_block(
    HomeBlock(
        "forum.active",
        template="forum/_home_active.html",
        order=20,
        load=lambda user: {"topics": queries.active_topics(limit=5)},
        shared=True,
    )
)
home_block(
    HomeBlock(
        "forum.unanswered",
        template="forum/_home_unanswered.html",
        order=21,
        load=lambda user: {"topics": queries.unanswered_questions(limit=5)},
        shared=True,
    )
)
sitemap_source(
    "forum",
    lambda: [
        (url_for("forum.topic", slug=slug or "topic", topic_id=tid), last)
        for tid, slug, last in queries.sitemap_entries()
    ],
)


def _register_kinds() -> None:
    def topic_context(item: Topic) -> content_registry.ContentContext:
        return content_registry.ContentContext(
            label=item.title, url=topic_url(item), scope=("category", item.category_id)
        )

    def reply_context(item: Reply) -> content_registry.ContentContext:
        topic = db.session.get(Topic, item.topic_id)
        return content_registry.ContentContext(
            label=topic.title, url=topic_url(topic), scope=("category", topic.category_id)
        )

    content_registry.register(
        content_registry.ContentKind(
            name="topic", label=_l("Topic"), model=Topic,
            url=lambda item: url_for("forum.permalink", post_id=item.id), context=topic_context,
        )
    )  # fmt: skip
    content_registry.register(
        content_registry.ContentKind(
            name="reply", label=_l("Reply"), model=Reply,
            url=lambda item: url_for("forum.permalink", post_id=item.id), context=reply_context,
            parent_attr="topic_id",
        )
    )  # fmt: skip
    if services.link_mentions not in content_services.RENDER_TRANSFORMS:
        content_services.RENDER_TRANSFORMS.append(services.link_mentions)
    if services.on_content_change not in content_services.CHANGE_HOOKS:
        content_services.CHANGE_HOOKS.append(services.on_content_change)


_register_kinds()


# --- lists -----------------------------------------------------------------------------------


@bp.get("/forum")
def index():
    cats = queries.categories()
    latest = queries.latest_topics_of(cats)
    return render_template("forum/index.html", categories=cats, latest=latest, lang=current_language())


def _topic_list(category):  # noqa: ANN001, ANN202
    sort = request.args.get("sort", "activity")
    sort = sort if sort in queries.SORTS else "activity"
    filter_ = request.args.get("filter", "")
    filter_ = filter_ if filter_ in queries.FILTERS else ""
    if filter_ == "unofficial" and not can(current_user, "forum.staff_filters"):
        filter_ = ""
    language = _language_filter()
    result = queries.topic_list(
        category.id if category else None,
        sort=sort,
        filter_=filter_,
        language=language,
        page=_int_arg("page"),
        known_total=category.topic_count if category else None,
    )
    marks = queries.read_marks(current_user, [t.id for t in result.items])
    return render_template(
        "forum/category.html", category=category, result=result, marks=marks, sort=sort, filter=filter_,
        rows=topic_rows(result.items, with_category=category is None),
        language=language, lang=current_language(), form=EmptyForm(),
        watch=watch_state(current_user, "category", category.id) if category else None,
    )  # fmt: skip


@bp.get("/forum/latest")
def latest():
    return _topic_list(None)


@bp.get("/forum/c/<slug>")
def category(slug: str):
    cat = queries.category_by_slug(slug)
    if cat is None:
        raise NotFound()
    return _topic_list(cat)


@bp.post("/forum/language")
@login_required
def language_preference():
    language = request.form.get("language", "")
    if EmptyForm().validate_on_submit():
        services.set_language_filter(current_user, language if language in ("en", "fr") else "")
        db.session.commit()
        flash(_("Your language filter is saved."), "success")
    target = request.form.get("next", "")
    return redirect(target if target.startswith("/forum") else url_for("forum.index"))


# --- writing -----------------------------------------------------------------------------------


@bp.post("/forum/preview")
def preview():
    """Live preview: the Markdown rendered as it will be stored."""
    body = request.form.get("body", "")[: services.BODY_MAX]
    return render_template("forum/_preview.html", html=content_services.render(body))


@bp.route("/forum/c/<slug>/new", methods=["GET", "POST"])
@login_required
def new_topic(slug: str):
    cat = queries.category_by_slug(slug)
    if cat is None:
        raise NotFound()
    if not can(current_user, "forum.open_topic", cat):
        raise PermissionDenied(_l("Only the brand's staff may open topics in this category."))
    form = TopicForm()
    if request.method == "GET":
        form.language.data = current_language()
        form.kind.data = (
            request.args.get("kind") if request.args.get("kind") in ("question", "discussion") else "question"
        )
    preview_html = None
    if request.method == "POST" and request.form.get("action") == "preview":
        preview_html = content_services.render(form.body.data or "")
    elif form.validate_on_submit():
        try:
            topic = services.open_topic(
                cat, current_user, form.title.data, form.body.data, form.kind.data, form.language.data
            )
        except DomainError as exc:
            if exc.status not in (409, 422):
                raise
            form.body.errors = [*form.body.errors, str(exc.message)]
        else:
            db.session.commit()
            if topic.is_published:
                flash(_("Your topic is published."), "success")
            else:
                flash(_("Your topic waits for a moderator's approval: it is not public yet."), "info")
            return redirect(topic_url(topic))
    status = 422 if form.errors else 200
    related = queries.related_topics(current_user, form.title.data or "")
    return render_template(
        "forum/new_topic.html", form=form, category=cat, preview_html=preview_html, hits=related
    ), status


def _reply_form(topic: Topic, form: PostForm, preview_html: str | None = None, status: int = 200):  # noqa: ANN202
    return render_template("forum/reply.html", topic=topic, form=form, preview_html=preview_html), status


@bp.route("/forum/t/<int:topic_id>/reply", methods=["GET", "POST"])
@login_required
def reply(topic_id: int):
    topic = _visible_topic(topic_id)
    form = PostForm()
    if request.method == "GET":
        form.language.data = current_language()
        quoted = request.args.get("quote", type=int)
        if quoted:
            item = queries.post(quoted)
            if item is not None and item.is_published and _topic_id_of(item) == topic.id:
                author = db.session.get(User, item.author_id) if item.author_id else None
                form.body.data = services.quote_text(
                    item,
                    author.name if author else _("a former member"),
                    url_for("forum.permalink", post_id=item.id),
                )
        return _reply_form(topic, form)
    if request.form.get("action") == "preview":
        return _reply_form(topic, form, content_services.render(form.body.data or ""))
    if not form.validate_on_submit():
        return _reply_form(topic, form, status=422)
    try:
        item = services.reply(topic, current_user, form.body.data, form.language.data)
    except DomainError as exc:
        if exc.status not in (409, 422):
            raise
        form.body.errors = [*form.body.errors, str(exc.message)]
        return _reply_form(topic, form, status=exc.status)
    db.session.commit()
    if item.is_published:
        flash(_("Your reply is published."), "success")
    else:
        flash(_("Your reply waits for a moderator's approval: it is not public yet."), "info")
    return redirect(post_url(item, topic))


def _topic_id_of(item: Topic | Reply) -> int:
    return item.id if isinstance(item, Topic) else item.topic_id


@bp.post("/forum/t/<int:topic_id>/accept")
@login_required
def accept(topic_id: int):
    topic = _visible_topic(topic_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    reply_id = request.form.get("post_id", type=int)
    if request.form.get("undo"):
        services.unaccept_answer(topic, current_user)
        message = _("The answer is no longer marked as accepted.")
    else:
        services.accept_answer(topic, queries.reply(reply_id), current_user)
        message = _("This reply is now the accepted answer.")
    db.session.commit()
    flash(message, "success")
    return redirect(topic_url(topic))


# --- moderators' topic tools ---------------------------------------------------------------------


@bp.post("/forum/t/<int:topic_id>/tools")
@login_required
def topic_tools(topic_id: int):
    """Lock/unlock, pin/unpin or move a topic (moderators of its category)."""
    topic = _visible_topic(topic_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not can(current_user, "forum.moderate_topic", topic):
        raise PermissionDenied()
    action, reason = request.form.get("action", ""), request.form.get("reason", "")
    if action in ("lock", "unlock"):
        services.lock_topic(topic, action == "lock", current_user, reason)
        message = _("The topic is locked.") if action == "lock" else _("The topic is open for replies again.")
    elif action in ("pin", "unpin"):
        services.pin_topic(topic, action == "pin", current_user, reason)
        message = _("The topic is pinned.") if action == "pin" else _("The topic is no longer pinned.")
    elif action == "move":
        category_id = request.form.get("category_id", type=int) or 0
        target = db.session.get(ForumCategory, category_id) if 0 < category_id < 2**31 else None
        services.move_topic(topic, target, current_user, reason)
        message = _("The topic is moved.")
    else:
        abort(400)
    db.session.commit()
    flash(message, "success")
    return redirect(topic_url(topic))


@bp.post("/forum/t/<int:topic_id>/merge")
@login_required
def merge(topic_id: int):
    """Merge this topic into another one, chosen by number, address or the search."""
    topic = _visible_topic(topic_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not can(current_user, "forum.moderate_topic", topic):
        raise PermissionDenied()
    reference = request.form.get("target_id") or request.form.get("target", "")
    target = restructure.merge_topics(
        topic, queries.topic_by_reference(reference), current_user, request.form.get("reason", "")
    )
    db.session.commit()
    flash(_("The topics are merged."), "success")
    return redirect(topic_url(target))


@bp.post("/forum/t/<int:topic_id>/split")
@login_required
def split(topic_id: int):
    """Move the replies ticked on the topic page to a new topic."""
    topic = _visible_topic(topic_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not can(current_user, "forum.moderate_topic", topic):
        raise PermissionDenied()
    post_ids = [
        int(v) for v in request.form.getlist("post_ids") if v.isascii() and v.isdecimal() and int(v) < 2**31
    ]
    category_id = request.form.get("category_id", type=int) or 0
    category = db.session.get(ForumCategory, category_id) if 0 < category_id < 2**31 else None
    created = restructure.split_topic(
        topic, post_ids, request.form.get("title", ""), category, current_user, request.form.get("reason", "")
    )
    db.session.commit()
    if created.state == ContentState.HIDDEN:
        flash(_("The selected replies are now a new topic, hidden like the topic they come from."), "success")
    elif created.state == ContentState.PENDING:
        flash(_("The selected replies are now a new topic, awaiting approval like the topic they come from."),
              "success")  # fmt: skip
    else:
        flash(_("The selected replies are now a new topic."), "success")
    return redirect(topic_url(created))


# --- reading ------------------------------------------------------------------------------------


@bp.get("/forum/t/<int:topic_id>")
def topic_short(topic_id: int):
    topic = _visible_topic(topic_id, follow_merges=True)
    return redirect(topic if isinstance(topic, str) else topic_url(topic), 301)


@bp.get("/forum/t/<slug>/<int:topic_id>")
def topic(slug: str, topic_id: int):
    topic = _visible_topic(topic_id, follow_merges=True)
    if isinstance(topic, str):  # merged into another topic
        return redirect(topic, 301)
    page = _int_arg("page")
    pages = queries.page_count(topic)
    if slug != topic.slug or page > pages:
        return redirect(topic_url(topic, min(page, pages)), 301)
    replies = queries.replies_on_page(topic, page)
    accepted = queries.reply(topic.accepted_reply_id) if topic.accepted_reply_id else None
    if accepted is not None and not accepted.is_published:
        accepted = None
    ids = [r.id for r in replies] + ([topic.id] if page == 1 else []) + ([accepted.id] if accepted else [])
    liked = queries.liked_ids(current_user, ids)
    previous_mark = None
    if current_user.is_authenticated:
        previous_mark = queries.read_marks(current_user, [topic.id]).get(topic.id, -1)
    seen = max([r.position for r in replies], default=0)
    tools = can(current_user, "forum.moderate_topic", topic)
    merge_query = request.args.get("merge_q", "").strip()[:100] if tools else ""
    posts = [*replies, *([topic] if page == 1 else []), *([accepted] if accepted else [])]
    html = render_template(
        "forum/topic.html", topic=topic, replies=replies, accepted=accepted, page=page, pages=pages,
        heads=post_heads(topic, posts),
        liked=liked, previous_mark=previous_mark, form=PostForm(formdata=None, language=current_language()),
        action_form=EmptyForm(), topic_url=topic_url, lang=current_language(),
        move_targets=queries.categories() if tools else [], tools=tools, merge_query=merge_query,
        merge_candidates=queries.find_topics(merge_query, topic.id) if merge_query else [],
        watch=watch_state(current_user, "topic", topic.id, ("category", topic.category_id)),
    )  # fmt: skip
    # Rendered first: the commit expires what the template reads. The view is counted before
    # the read mark is written (a due flush of the buffer writes on another connection).
    services.count_view(topic.id)
    services.mark_read(topic.id, current_user, seen)
    db.session.commit()
    return html


@bp.get("/forum/t/<int:topic_id>/unread")
def first_unread(topic_id: int):
    topic = _visible_topic(topic_id)
    position = queries.first_unread_position(current_user, topic)
    return redirect(topic_url(topic, queries.page_of_position(position)) + f"#pos-{position}")


@bp.get("/p/<int:post_id>")
def permalink(post_id: int):
    item = _post_or_404(post_id)
    if isinstance(item, Topic):
        return redirect(post_url(item))
    found = queries.visible_reply_and_topic(post_id, current_user)
    if found is None:
        raise NotFound()  # a public reply of a hidden topic: its address names the topic
    return redirect(post_url(*found))


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit(post_id: int):
    item = _post_or_404(post_id)
    if not can(current_user, "content.edit", item):
        raise PermissionDenied(_l("You may only edit your own posts."))
    is_topic = isinstance(item, Topic)
    form = EditForm(obj=item) if request.method == "GET" else EditForm()
    if request.method == "GET":
        form.body.data = item.body_source
    elif form.validate_on_submit():
        try:
            services.edit_post(item, current_user, form.body.data, form.title.data if is_topic else None)
        except DomainError as exc:
            if exc.status != 422:
                raise
            form.body.errors = [*form.body.errors, str(exc.message)]
        else:
            db.session.commit()
            flash(_("Your changes are saved."), "success")
            return redirect(post_url(item))
    return render_template(
        "forum/edit.html", form=form, item=item, is_topic=is_topic
    ), 422 if form.errors else 200


@bp.post("/p/<int:post_id>/delete")
@login_required
def delete(post_id: int):
    item = _post_or_404(post_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.delete_post(item, current_user)
    db.session.commit()
    flash(_("The post is deleted."), "info")
    if isinstance(item, Topic):
        return redirect(url_for("forum.category", slug=queries.category(item.category_id).slug))
    return redirect(topic_url(db.session.get(Topic, item.topic_id)))


@bp.post("/p/<int:post_id>/like")
@login_required
def like(post_id: int):
    item = _post_or_404(post_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        liked = services.toggle_like(item, current_user)
    except DomainError as exc:
        if exc.status not in (403, 409, 422):
            raise
        db.session.rollback()
        flash(str(exc.message), "warning")
    else:
        db.session.commit()
        flash(_("You like this post.") if liked else _("You no longer like this post."), "success")
    return redirect(post_url(item))


@bp.get("/p/<int:post_id>/history")
@login_required
def history(post_id: int):
    item = _post_or_404(post_id)
    if not can(current_user, "content.history", item):
        raise PermissionDenied()

    revisions = queries.revisions(item.id)
    return render_template("forum/history.html", item=item, revisions=revisions)


# --- categories (admins) -------------------------------------------------------------------------


@bp.route("/forum/categories/new", methods=["GET", "POST"], defaults={"slug": None})
@bp.route("/forum/c/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit_category(slug: str | None):
    if not can(current_user, "forum.manage_categories"):
        raise PermissionDenied()
    cat = queries.category_by_slug(slug) if slug else None
    if slug and cat is None:
        raise NotFound()
    form = CategoryForm(obj=cat)
    if form.validate_on_submit():
        try:
            cat = services.save_category(
                current_user, cat, slug=form.slug.data or "", name_en=form.name_en.data, name_fr=form.name_fr.data,
                description_en=form.description_en.data or "", description_fr=form.description_fr.data or "",
                position=form.position.data or 0, colour=form.colour.data, post_role=form.post_role.data,
            )  # fmt: skip
        except DomainError as exc:
            if exc.status not in (409, 422):
                raise
            form.slug.errors = [*form.slug.errors, str(exc.message)]
        else:
            db.session.commit()
            flash(_("The category is saved."), "success")
            return redirect(url_for("forum.category", slug=cat.slug))
    return render_template("forum/category_form.html", form=form, category=cat), 422 if form.errors else 200

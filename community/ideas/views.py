"""Idea board pages: thin views over :mod:`community.ideas.services`."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from models import ContentState, Idea, IdeaComment, IdeaStatus, db

from ..content.registry import ContentContext, ContentKind, register
from ..core.registry import HomeBlock, home_block, nav_item, sitemap_source
from ..demo import SEEDERS
from ..errors import DomainError, NotFound, PermissionDenied
from ..forms import EmptyForm
from ..i18n import current_language
from ..notifications.queries import watch_state
from ..permissions import can
from ..urls import is_safe_next
from . import queries, services
from .forms import CommentForm, IdeaForm, MergeForm, StatusForm, status_labels

bp = Blueprint("ideas", __name__, url_prefix="/ideas")


def idea_url(item: Idea) -> str:
    return url_for("ideas.show", idea_id=item.id)


def comment_url(item: IdeaComment) -> str:
    return url_for("ideas.comment_permalink", comment_id=item.id)


def _comment_context(item: IdeaComment) -> ContentContext:
    idea = db.session.get(Idea, item.idea_id)
    return ContentContext(label=idea.title if idea else "", url=url_for("ideas.show", idea_id=item.idea_id))


register(
    ContentKind(
        name="idea", label=_l("Idea"), model=Idea, url=idea_url,
        context=lambda item: ContentContext(label=str(_l("Ideas")), url=url_for("ideas.index")),
    )
)  # fmt: skip
register(ContentKind(name="idea_comment", label=_l("Comment on an idea"), model=IdeaComment,
                     url=comment_url, context=_comment_context, parent_attr="idea_id"))  # fmt: skip
nav_item("ideas", "ideas.index", _l("Ideas"), order=30)
home_block(
    HomeBlock("ideas.top", order=30, template="ideas/_home.html",
              load=lambda user: {"ideas": queries.top_ideas(limit=5)}, shared=True)
)  # fmt: skip
sitemap_source("ideas", queries.sitemap_entries)
if "community.ideas.demo.seed_ideas" not in SEEDERS:
    SEEDERS.append("community.ideas.demo.seed_ideas")


@bp.app_context_processor
def _labels() -> dict:
    return {"idea_status_labels": status_labels}


def _load(idea_id: int) -> Idea:
    idea = queries.get_idea(idea_id)
    if idea is None or (idea.state == ContentState.DELETED and not can(current_user, "content.view", idea)):
        raise NotFound()
    return idea


def _page_int(name: str) -> int:
    try:
        return int(request.args.get(name, 1))
    except ValueError:
        return 1


@bp.get("")
def index():
    sort = request.args.get("sort", "trending")
    sort = sort if sort in queries.SORTS else "trending"
    status = request.args.get("status") or None
    if status is not None and status not in {s.value for s in IdeaStatus}:
        status = None
    result = queries.list_ideas(sort=sort, status=status, page=_page_int("page"))
    voted = queries.voted_ids(current_user, [i.id for i in result.ideas])
    return render_template(
        "ideas/index.html", result=result, sort=sort, status=status, voted=voted, empty_form=EmptyForm()
    )


@bp.get("/roadmap")
def roadmap():
    return render_template("ideas/roadmap.html", columns=queries.roadmap())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = IdeaForm()
    if form.validate_on_submit():
        try:
            idea = services.create_idea(
                current_user, form.title.data, form.body.data, product_ref=form.product_ref.data,
                language=current_language(),
            )  # fmt: skip
        except DomainError as exc:
            db.session.rollback()
            form.body.errors = [*form.body.errors, str(exc.message)]
        else:
            db.session.commit()
            flash(_("Your idea is published, with your vote."), "success")
            return redirect(url_for("ideas.show", idea_id=idea.id))
    similar = queries.similar_ideas_for(current_user, form.title.data, limit=5) if form.title.data else []
    return render_template("ideas/new.html", form=form, similar=similar), 422 if form.errors else 200


@bp.get("/similar")
def similar():
    """HTML fragment for the form (htmx): ideas whose titles look like ``title``."""
    title = (request.args.get("title") or "")[:200]
    similar = queries.similar_ideas_for(current_user, title, limit=5) if len(title.strip()) >= 3 else []
    return render_template("ideas/_similar.html", similar=similar)


def _render_idea(
    idea: Idea,
    *,
    archived: bool = False,
    status_form=None,
    comment_form=None,
    merge_form=None,
    code: int = 200,
):  # noqa: ANN001
    voted = queries.voted_ids(current_user, [idea.id])
    return render_template(
        "ideas/show.html", idea=idea, archived=archived, timeline=queries.timeline(idea.id),
        comments=queries.comments(idea.id), merged=queries.merged_into(idea.id),
        moved_votes=queries.votes_moved_here(idea.id), voted=idea.id in voted,
        status_form=status_form or StatusForm(status=idea.status), comment_form=comment_form or CommentForm(),
        merge_form=merge_form or MergeForm(prefix="merge"), empty_form=EmptyForm(),
        watch=None if archived else watch_state(current_user, "idea", idea.id),
    ), code  # fmt: skip


@bp.get("/<int:idea_id>")
def show(idea_id: int):
    idea = _load(idea_id)
    if idea.is_merged:
        return redirect(url_for("ideas.show", idea_id=idea.merged_into_id, merged_from=idea.id))
    if not can(current_user, "content.view", idea):
        if idea.state == ContentState.HIDDEN:
            return render_template("ideas/hidden.html", idea=idea)
        raise NotFound()
    return _render_idea(idea)


@bp.get("/<int:idea_id>/original")
def original(idea_id: int):
    """A merged idea as it was: its notice, text and comments, read-only."""
    idea = _load(idea_id)
    if not idea.is_merged:
        return redirect(url_for("ideas.show", idea_id=idea.id))
    if not can(current_user, "content.view", idea):
        raise NotFound()
    return _render_idea(idea, archived=True)


@bp.get("/comments/<int:comment_id>")
def comment_permalink(comment_id: int):
    comment = db.session.get(IdeaComment, comment_id)
    if comment is None or comment.state == ContentState.DELETED:
        raise NotFound()
    idea = db.session.get(Idea, comment.idea_id)
    endpoint = "ideas.original" if idea.is_merged else "ideas.show"
    return redirect(url_for(endpoint, idea_id=idea.id, _anchor=f"comment-{comment.id}"))


@bp.post("/<int:idea_id>/vote")
@login_required
def vote(idea_id: int):
    idea = _load(idea_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        if request.form.get("action") == "unvote":
            services.unvote(idea, current_user)
            message = _("Your vote is withdrawn.")
        else:
            services.vote(idea, current_user)
            message = _("Thank you for your vote.")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "warning")
    else:
        db.session.commit()
        flash(message, "success")
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("ideas.show", idea_id=idea_id))


@bp.post("/<int:idea_id>/status")
@login_required
def change_status(idea_id: int):
    idea = _load(idea_id)
    if not can(current_user, "idea.status", idea):
        raise PermissionDenied(_l("Only brand staff change the status of an idea."))
    form = StatusForm()
    if form.validate_on_submit():
        try:
            services.change_status(idea, current_user, form.status.data, form.note.data)
        except DomainError as exc:
            db.session.rollback()
            form.note.errors = [*form.note.errors, str(exc.message)]
        else:
            db.session.commit()
            flash(_("The status is changed and the note is public."), "success")
            return redirect(url_for("ideas.show", idea_id=idea.id, _anchor="timeline"))
    return _render_idea(_load(idea_id), status_form=form, code=422)


@bp.post("/<int:idea_id>/comments")
@login_required
def comment(idea_id: int):
    idea = _load(idea_id)
    if not can(current_user, "content.view", idea):
        raise NotFound()
    form = CommentForm()
    if form.validate_on_submit():
        try:
            item = services.add_comment(idea, current_user, form.body.data, current_language())
        except DomainError as exc:
            db.session.rollback()
            form.body.errors = [*form.body.errors, str(exc.message)]
        else:
            db.session.commit()
            flash(_("Your comment is published."), "success")
            return redirect(url_for("ideas.show", idea_id=idea.id, _anchor=f"comment-{item.id}"))
    return _render_idea(_load(idea_id), comment_form=form, code=422)


@bp.post("/<int:idea_id>/merge")
@login_required
def merge(idea_id: int):
    idea = _load(idea_id)
    if not can(current_user, "idea.merge", idea):
        raise PermissionDenied(_l("Only staff and moderators merge ideas."))
    form = MergeForm(prefix="merge")
    if form.validate_on_submit():
        target = queries.get_idea(form.into_id.data)
        try:
            if target is None or target.state == ContentState.DELETED:
                raise NotFound(_l("There is no idea with this number."))
            moved = services.merge(idea, target, current_user)
        except DomainError as exc:
            db.session.rollback()
            form.into_id.errors = [*form.into_id.errors, str(exc.message)]
        else:
            db.session.commit()
            flash(
                ngettext(
                    "The idea is merged; %(num)d vote moved.",
                    "The idea is merged; %(num)d votes moved.",
                    len(moved),
                ),
                "success",
            )
            return redirect(url_for("ideas.show", idea_id=target.id))
    return _render_idea(_load(idea_id), merge_form=form, code=422)


@bp.post("/<int:idea_id>/unmerge")
@login_required
def unmerge(idea_id: int):
    idea = _load(idea_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.unmerge(idea, current_user)
    db.session.commit()
    flash(_("The merge is undone: every vote is back where it was cast."), "success")
    return redirect(url_for("ideas.show", idea_id=idea.id))

"""Search: one bilingual index over every published content item and product.

- ``documents``: what a document is (:class:`SearchDoc`), how each content kind
  builds one (``ContentKind.extras["search"]``), and non-content sources
  (:func:`register_source`, used by products).
- ``outbox``: the change hook writing an outbox row in the same transaction.
- ``indexer``: applies the outbox (after the request, or ``flask search worker``).
- ``backend``, ``whoosh_backend``, ``postgres_backend``: the index itself.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Hook the outbox into content changes and mount the pages, API and CLI."""
    from ..api import register
    from . import builders, outbox
    from .api import blp
    from .cli import search_cli
    from .views import bp

    outbox.init_app()
    builders.install()
    app.register_blueprint(bp)
    register(app, blp)
    app.cli.add_command(search_cli)

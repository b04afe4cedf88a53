"""PostgreSQL search: text search configurations, the document and word tables

Revision ID: 0012_postgres_search
Revises: 0011_list_indexes
Create Date: 2026-11-27 21:35:00

On PostgreSQL only (SQLite uses the Whoosh folder). These tables hold derived data, filled
by ``flask search rebuild`` and the search worker (``SEARCH_BACKEND=postgres``); they are
not in the models' metadata (``community.database.UNMODELLED_TABLES``). ``unaccent`` and
``pg_trgm`` are trusted extensions (PostgreSQL 13+): the database owner may create them;
without them search works without accent folding or "did you mean". The search backend
still creates what is missing on first use (a database made by ``db.create_all()``).
"""

from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0012_postgres_search"
down_revision = "0011_list_indexes"
branch_labels = None
depends_on = None

CONFIG = """
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'search_{lang}') THEN
    CREATE TEXT SEARCH CONFIGURATION search_{lang} (COPY = {name});
    {unaccent}
  END IF;
END $$;
"""
UNACCENT = (
    "ALTER TEXT SEARCH CONFIGURATION search_{lang} ALTER MAPPING FOR hword, hword_part, word "
    "WITH unaccent, {name}_stem;"
)
TABLES = [
    """CREATE TABLE IF NOT EXISTS search_document (
        id text PRIMARY KEY, type text NOT NULL, title text NOT NULL DEFAULT '',
        body text NOT NULL DEFAULT '', author text NOT NULL DEFAULT '',
        author_name text NOT NULL DEFAULT '', scope text NOT NULL DEFAULT '',
        scope_label text NOT NULL DEFAULT '', language text NOT NULL DEFAULT 'en',
        date timestamptz, score double precision NOT NULL DEFAULT 0, url text NOT NULL DEFAULT '',
        tsv_fr tsvector, tsv_en tsvector)""",
    "CREATE INDEX IF NOT EXISTS ix_search_document_tsv_fr ON search_document USING gin (tsv_fr)",
    "CREATE INDEX IF NOT EXISTS ix_search_document_tsv_en ON search_document USING gin (tsv_en)",
    "CREATE INDEX IF NOT EXISTS ix_search_document_date ON search_document (date)",
    "CREATE TABLE IF NOT EXISTS search_word (word text PRIMARY KEY)",
]
TRGM_INDEX = "CREATE INDEX IF NOT EXISTS ix_search_word_trgm ON search_word USING gin (word gin_trgm_ops)"


def _extension(bind, name: str) -> bool:  # noqa: ANN001
    try:
        with bind.begin_nested():
            bind.exec_driver_sql(f"CREATE EXTENSION IF NOT EXISTS {name}")
        return True
    except DBAPIError:
        return False


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    unaccent = _extension(bind, "unaccent")
    trgm = _extension(bind, "pg_trgm")
    for lang, name in (("fr", "french"), ("en", "english")):
        extra = UNACCENT.format(lang=lang, name=name) if unaccent else ""
        bind.exec_driver_sql(CONFIG.format(lang=lang, name=name, unaccent=extra))
    for statement in TABLES:
        bind.exec_driver_sql(statement)
    if trgm:
        bind.exec_driver_sql(TRGM_INDEX)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.exec_driver_sql("DROP TABLE IF EXISTS search_word")
    bind.exec_driver_sql("DROP TABLE IF EXISTS search_document")
    bind.exec_driver_sql("DROP TEXT SEARCH CONFIGURATION IF EXISTS search_fr")
    bind.exec_driver_sql("DROP TEXT SEARCH CONFIGURATION IF EXISTS search_en")

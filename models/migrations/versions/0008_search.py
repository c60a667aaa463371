"""search documents: one row per public object, with the full-text machinery of each database

SQLite: two external-content FTS5 tables over ``search_documents`` (``unicode61 remove_diacritics 2``
for words, ``trigram`` for scripts written without spaces), filled by triggers in the same
transaction. PostgreSQL: a generated ``tsvector`` column (per-language Snowball configurations
with accents removed, ``simple`` otherwise) with a GIN index, and a ``pg_trgm`` index for
substrings. Run ``flask search rebuild`` after upgrading to fill the index.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Our text search configurations: the Snowball stemmer of the language, after removing accents.
# Languages PostgreSQL has no stemmer for use ponte_simple (lower case, accents removed).
PG_CONFIGS = {
    'ponte_it': ('italian', 'italian_stem'),
    'ponte_en': ('english', 'english_stem'),
    'ponte_fr': ('french', 'french_stem'),
    'ponte_es': ('spanish', 'spanish_stem'),
    'ponte_ro': ('romanian', 'romanian_stem'),
    'ponte_ar': ('arabic', 'arabic_stem'),
    'ponte_simple': ('simple', 'simple'),
}
# Document language → configuration; "" (not known) is most likely Italian.
PG_LANGUAGE_CONFIG = {'it': 'ponte_it', '': 'ponte_it', 'en': 'ponte_en', 'fr': 'ponte_fr', 'es': 'ponte_es',
                      'ro': 'ponte_ro', 'ar': 'ponte_ar'}


def _pg_config_expr() -> str:
    whens = ' '.join(f"WHEN '{code}' THEN '{cfg}'::regconfig" for code, cfg in PG_LANGUAGE_CONFIG.items())
    return f"CASE language {whens} ELSE 'ponte_simple'::regconfig END"


def _sqlite_upgrade() -> None:
    for name, tokenizer in (('search_fts', 'unicode61 remove_diacritics 2'), ('search_trigram', 'trigram')):
        op.execute(f"CREATE VIRTUAL TABLE {name} USING fts5(title, body, content='search_documents', "
                   f"content_rowid='id', tokenize='{tokenizer}')")
    add = ("INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); "
           "INSERT INTO search_trigram(rowid, title, body) VALUES (new.id, new.title, new.body);")
    remove = ("INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); "
              "INSERT INTO search_trigram(search_trigram, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);")
    op.execute(f"CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN {add} END")
    op.execute(f"CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN {remove} END")
    op.execute(f"CREATE TRIGGER search_documents_au AFTER UPDATE OF title, body ON search_documents BEGIN {remove} {add} END")


def _pg_upgrade() -> None:
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.execute('CREATE EXTENSION IF NOT EXISTS unaccent')
    for name, (base, dictionary) in PG_CONFIGS.items():
        op.execute(f'CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{base})')
        op.execute(f'ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {dictionary}')
    config = _pg_config_expr()
    op.execute(
        'ALTER TABLE search_documents ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ('
        f"setweight(to_tsvector({config}, title), 'A') || setweight(to_tsvector({config}, body), 'B')) STORED"
    )
    op.execute('CREATE INDEX ix_search_documents_vector ON search_documents USING gin (search_vector)')
    op.execute("CREATE INDEX ix_search_documents_trigram ON search_documents USING gin ((title || ' ' || body) gin_trgm_ops)")


def upgrade() -> None:
    op.create_table('search_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('organization', 'thread', 'post', 'lab', 'proposal', 'event', 'initiative', 'practice', name='searchkind', native_enum=False, length=16), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=True),
    sa.Column('territory_path', sa.String(length=64), nullable=False),
    sa.Column('actions', sa.String(length=120), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('url_args', sa.JSON(), nullable=False),
    sa.Column('dated_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('updated_at', models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_search_documents_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name=op.f('fk_search_documents_territory_id_territories'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    sa.UniqueConstraint('kind', 'object_id', name=op.f('uq_search_documents_kind_object_id'))
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index('ix_search_documents_organization_id', ['organization_id'], unique=False)
        batch_op.create_index('ix_search_documents_territory_path', ['territory_path'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        _pg_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_table('search_documents')  # its column and indexes go with it
        for name in reversed(PG_CONFIGS):
            op.execute(f'DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}')
        # The extensions stay: other schemas may use them, and they hold no data.
    else:
        for trigger in ('search_documents_ai', 'search_documents_ad', 'search_documents_au'):
            op.execute(f'DROP TRIGGER IF EXISTS {trigger}')
        op.execute('DROP TABLE IF EXISTS search_trigram')
        op.execute('DROP TABLE IF EXISTS search_fts')
        with op.batch_alter_table('search_documents', schema=None) as batch_op:
            batch_op.drop_index('ix_search_documents_territory_path')
            batch_op.drop_index('ix_search_documents_organization_id')
        op.drop_table('search_documents')

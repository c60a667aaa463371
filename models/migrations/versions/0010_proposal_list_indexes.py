"""indexes for the proposal lists of a territory or of all labs

``/proposals/`` sorted by supports or by date, across labs, read every published proposal and
sorted them (17 ms of SQLite on the benchmark's M tier, 3,000 proposals); with these indexes
the database walks the proposals in the list's order and stops at the page's end (0.15 ms).
A lab's own list already has ``ix_proposals_lab_supports`` and ``ix_proposals_lab_state``.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index('ix_proposals_supports', ['supports_count', 'published_at', 'id'], unique=False)
        batch_op.create_index('ix_proposals_published', ['published_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_proposals_published')
        batch_op.drop_index('ix_proposals_supports')

"""privacy notice versions and consent log

``consents`` records every acceptance of the privacy notice. Each existing account gets one
``legacy`` row copied from ``users.privacy_version`` / ``privacy_accepted_at`` (what it
accepted at registration), so the log is complete from the start; people whose version is
older than the current notice are asked to accept the new one at their next visit.
(``users.status`` already allows ``deleted``: it is a VARCHAR, no type to alter.)

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('notice_version', sa.String(length=32), nullable=False),
    sa.Column('method', sa.Enum('registration', 're_acceptance', 'operator', 'legacy', name='consentmethod', native_enum=False, length=16), nullable=False),
    sa.Column('accepted_at', models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_consents_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index('ix_consents_user_accepted', ['user_id', 'accepted_at'], unique=False)

    op.execute(
        "INSERT INTO consents (user_id, notice_version, method, accepted_at) "
        "SELECT id, privacy_version, 'legacy', privacy_accepted_at FROM users WHERE status <> 'deleted'"
    )


def downgrade() -> None:
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index('ix_consents_user_accepted')

    op.drop_table('consents')

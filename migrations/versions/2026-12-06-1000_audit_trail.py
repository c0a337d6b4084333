"""audit trail: from, to, institution, request id, outcome

Revision ID: c19a0001audit
Revises: c19b0001report
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c19a0001audit"
down_revision: str | None = "c19b0001report"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("institution_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("from_value", sa.Text(), nullable=True))
        batch.add_column(sa.Column("to_value", sa.Text(), nullable=True))
        batch.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column(
                "outcome",
                sa.Enum("done", "refused", name="auditoutcome", native_enum=False, length=16),
                nullable=False,
                server_default="done",
            )
        )
        batch.create_foreign_key(
            "fk_audit_log_institution_id_institutions",
            "institutions",
            ["institution_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            "fk_audit_log_person_id_users", "users", ["person_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index("ix_audit_log_subject", ["subject"])
        batch.create_index("ix_audit_log_actor_user_id_at", ["actor_user_id", "at"])
        batch.create_index("ix_audit_log_person_id_at", ["person_id", "at"])
        batch.create_index("ix_audit_log_institution_id_at", ["institution_id", "at"])


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index("ix_audit_log_institution_id_at")
        batch.drop_index("ix_audit_log_person_id_at")
        batch.drop_index("ix_audit_log_actor_user_id_at")
        batch.drop_index("ix_audit_log_subject")
        batch.drop_constraint("fk_audit_log_person_id_users", type_="foreignkey")
        batch.drop_constraint("fk_audit_log_institution_id_institutions", type_="foreignkey")
        batch.drop_column("outcome")
        batch.drop_column("request_id")
        batch.drop_column("to_value")
        batch.drop_column("from_value")
        batch.drop_column("person_id")
        batch.drop_column("institution_id")

"""module completions: indexes that hold what their readers need (written by hand)

(user_id, course_id) becomes (user_id, course_id, module_id) and (module_id) becomes
(module_id, user_id): at size XL (10,000,000 completions, bench/README.md) a reader's
completions and a course's participants' progress are then read from the index alone,
without visiting the table where one person's rows lie apart.

Revision ID: c15x0001mcix
Revises: c14a0007idem
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c15x0001mcix"
down_revision: str | None = "c14a0007idem"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("module_completions") as batch:
        batch.create_index(
            "ix_module_completions_user_course_module", ["user_id", "course_id", "module_id"]
        )
        batch.create_index("ix_module_completions_module_user", ["module_id", "user_id"])
        batch.drop_index("ix_module_completions_user_course")
        batch.drop_index("ix_module_completions_module_id")


def downgrade() -> None:
    with op.batch_alter_table("module_completions") as batch:
        batch.create_index("ix_module_completions_module_id", ["module_id"])
        batch.create_index("ix_module_completions_user_course", ["user_id", "course_id"])
        batch.drop_index("ix_module_completions_module_user")
        batch.drop_index("ix_module_completions_user_course_module")

"""credit notes (orders ledger, corrected invoice) and the render time of a document

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("invoice_id", sa.String(length=36), nullable=True),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("credit_version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("credited", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_orders")),
    )
    op.create_index(op.f("ix_orders_seller_id"), "orders", ["seller_id"], unique=False)
    op.create_index(op.f("ix_inbox_order_id"), "inbox", ["order_id"], unique=False)
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("rendered_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_documents_rendered_at"), ["rendered_at"], unique=False)
        batch.add_column(sa.Column("corrects_id", sa.String(length=36), nullable=True))
        batch.create_index(batch.f("ix_documents_corrects_id"), ["corrects_id"], unique=False)
    # Invoices issued before this revision: their order is "invoiced" (key = idempotency key minus ":invoice").
    op.execute(
        "INSERT INTO orders (key, seller_id, order_id, state, invoice_id, event_id, credit_version, updated_at) "
        "SELECT substr(idempotency_key, 1, length(idempotency_key) - 8), seller_id, order_id, 'invoiced', id, "
        "event_id, 0, issued_at FROM documents WHERE kind = 'invoice'"
    )


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_index(batch.f("ix_documents_corrects_id"))
        batch.drop_column("corrects_id")
        batch.drop_index(batch.f("ix_documents_rendered_at"))
        batch.drop_column("rendered_at")
    op.drop_index(op.f("ix_inbox_order_id"), table_name="inbox")
    op.drop_index(op.f("ix_orders_seller_id"), table_name="orders")
    op.drop_table("orders")

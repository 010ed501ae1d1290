"""orders and idempotency keys per seller: two sellers may share one marketplace order id

Revision ID: 0004
Revises: 0003

Before this revision an order was identified by ``marketplace:order_id`` alone, so a paid order of
seller B whose order id equalled one of seller A's was taken for a duplicate and pointed at A's
invoice. Existing rows keep their values: they were unique on the narrower key, so they are unique
on the wider one, and no stored record (the legal JSON, hashed) changes.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_constraint("pk_orders", type_="primary")
        batch.create_primary_key("pk_orders", ["seller_id", "key"])
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint("uq_documents_idempotency_key", type_="unique")
        batch.create_unique_constraint("uq_documents_seller_id_idempotency_key", ["seller_id", "idempotency_key"])


def downgrade() -> None:
    # Fails (unique violation) once two sellers share an order id: the narrower key cannot hold them.
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint("uq_documents_seller_id_idempotency_key", type_="unique")
        batch.create_unique_constraint("uq_documents_idempotency_key", ["idempotency_key"])
    with op.batch_alter_table("orders") as batch:
        batch.drop_constraint("pk_orders", type_="primary")
        batch.create_primary_key("pk_orders", ["key"])

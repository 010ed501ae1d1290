"""series owned by the marketplace (deemed supplier) and the count of EU distance sales per seller and year

Revision ID: 0006
Revises: 0005

A marketplace that is the deemed supplier (Directive 2006/112/EC art. 14a) issues documents in its own
name, in its own continuous series shared by all sellers' orders (art. 226(2): one sequence per issuer).
``documents.series_owner`` says whose series numbered a document: the seller's own id, or
"@<marketplace id>". Existing rows were all numbered in their seller's series, so the backfill is
``series_owner = seller_id``; the numbering constraints move from the seller to the owner, which for
those rows is the same key, so they stay unique. No stored record (the legal JSON, hashed) changes.
The ``series`` table keeps its columns: its ``seller_id`` holds the owner from now on.

``distance_sales``: per seller and calendar year, the EU distance sales counted toward the EUR 10,000
threshold (art. 59c), moved in the numbering transaction of the document that makes the sale.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("series_owner", sa.String(length=64), nullable=True))
    op.execute("UPDATE documents SET series_owner = seller_id")
    with op.batch_alter_table("documents") as batch:
        batch.alter_column("series_owner", existing_type=sa.String(length=64), nullable=False)
        batch.drop_constraint("uq_documents_seller_id_series_seq", type_="unique")
        batch.drop_constraint("uq_documents_seller_id_number", type_="unique")
        batch.create_unique_constraint("uq_documents_series_owner_series_seq", ["series_owner", "series", "seq"])
        batch.create_unique_constraint("uq_documents_series_owner_number", ["series_owner", "number"])
    op.create_table(
        "distance_sales",
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seller_id", "year", name=op.f("pk_distance_sales")),
    )


def downgrade() -> None:
    # The narrower schema cannot say that a document was numbered in the marketplace's series: refuse
    # rather than fold such documents into their sellers' series (gaps there, a dangling series row).
    bind = op.get_bind()
    shared = bind.execute(sa.text("SELECT count(*) FROM documents WHERE series_owner <> seller_id")).scalar()
    if shared:
        raise RuntimeError(f"{shared} documents are numbered in the marketplace's series: cannot downgrade")
    op.drop_table("distance_sales")
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint("uq_documents_series_owner_number", type_="unique")
        batch.drop_constraint("uq_documents_series_owner_series_seq", type_="unique")
        batch.create_unique_constraint("uq_documents_seller_id_number", ["seller_id", "number"])
        batch.create_unique_constraint("uq_documents_seller_id_series_seq", ["seller_id", "series", "seq"])
        batch.drop_column("series_owner")

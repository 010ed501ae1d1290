"""the national and network e-invoices stored beside the PDF, and the national hash chains

Revision ID: 0007
Revises: 0006

``document_files``: one row per structured file of a document (the EN 16931 CII, FatturaPA, KSeF FA(3),
Peppol BIS ...), with its blob key, sha256 and whether the Schematron ran on it (the XSD always does).
``chain_links``: the links of the chains the national systems require (Verifactu's huella per issuing
system, Portugal's signature chain), one per document and chain, at a position unique in the chain.
New tables only; documents rendered before stay as they are (their CII is still ``documents.xml_key``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_files",
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("schematron", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("document_id", "format", name=op.f("pk_document_files")),
    )
    op.create_table(
        "chain_links",
        sa.Column("chain", sa.String(length=100), nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chain", "document_id", name=op.f("pk_chain_links")),
        sa.UniqueConstraint("chain", "position", name=op.f("uq_chain_links_chain_position")),
    )


def downgrade() -> None:
    op.drop_table("chain_links")
    op.drop_table("document_files")

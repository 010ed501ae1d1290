"""Tables, shared by SQLite and PostgreSQL. Alembic migrations create them (store/migrations)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

UTC_TS = sa.DateTime(timezone=True)

sellers = sa.Table(
    "sellers",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("code", sa.String(10), nullable=False, unique=True),
    sa.Column("data", sa.Text, nullable=False),  # Seller as JSON
    sa.Column("created_at", UTC_TS, nullable=False),
    sa.Column("updated_at", UTC_TS, nullable=False),
)

inbox = sa.Table(
    "inbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(128), nullable=False, unique=True),
    sa.Column("event_type", sa.String(40), nullable=False),
    sa.Column("seller_id", sa.String(64), nullable=True, index=True),
    sa.Column("order_id", sa.String(64), nullable=True, index=True),  # wakes refunds waiting for an invoice
    sa.Column("payload", sa.Text, nullable=False),  # exactly as received, kept even when invalid
    # pending -> processing -> issued | duplicate | rejected | waiting | failed | cancelled
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("reason_code", sa.String(40), nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("document_id", sa.String(36), nullable=True),
    sa.Column("received_at", UTC_TS, nullable=False),
    sa.Column("updated_at", UTC_TS, nullable=False),
    sa.Column("available_at", UTC_TS, nullable=False),  # not claimed before (retry backoff, leases)
    sa.Column("claimed_by", sa.String(64), nullable=True),
    sa.Index("ix_inbox_claim", "status", "available_at"),
)

# One row per numbering series: its last number, time and chain hash. ``seller_id`` is the series'
# OWNER (documents.series_owner): a seller's id for its own series, "@<marketplace id>" for the series
# the marketplace numbers in its own name as deemed supplier (Directive 2006/112/EC art. 14a). The name
# predates the marketplace's series and is kept (migration 0006) rather than renamed on both backends.
series = sa.Table(
    "series",
    metadata,
    sa.Column("seller_id", sa.String(64), primary_key=True),
    sa.Column("series", sa.String(16), primary_key=True),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
    sa.Column("last_issued_at", UTC_TS, nullable=True),
    sa.Column("last_hash", sa.String(64), nullable=False),
)

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("seller_id", sa.String(64), nullable=False),  # whose order: ownership, ledger, idempotency
    # Whose series numbered it: seller_id, or "@<marketplace id>" for the marketplace's own documents as
    # deemed supplier (art. 14a), one continuous series shared by all sellers' orders (art. 226(2)).
    sa.Column("series_owner", sa.String(64), nullable=False),
    sa.Column("series", sa.String(16), nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("number", sa.String(35), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    # Unique per seller (with seller_id below): two sellers may share an order id at the marketplace.
    sa.Column("idempotency_key", sa.String(200), nullable=False),
    sa.Column("order_id", sa.String(64), nullable=False, index=True),
    sa.Column("event_id", sa.String(128), nullable=False),
    sa.Column("issued_at", UTC_TS, nullable=False),
    sa.Column("total", sa.Numeric(14, 2), nullable=False),
    sa.Column("data", sa.Text, nullable=False),  # Document as canonical JSON: the legal record
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("render_status", sa.String(16), nullable=False),  # pending | rendered | failed
    sa.Column("pdf_key", sa.String(300), nullable=True),
    sa.Column("pdf_sha256", sa.String(64), nullable=True),
    sa.Column("xml_key", sa.String(300), nullable=True),
    sa.Column("xml_sha256", sa.String(64), nullable=True),
    # When both files were stored: latency figures, and where the webhook dispatcher resumes.
    sa.Column("rendered_at", UTC_TS, nullable=True, index=True),
    sa.Column("corrects_id", sa.String(36), nullable=True, index=True),  # credit note -> the invoice it corrects
    sa.UniqueConstraint("series_owner", "series", "seq"),
    sa.UniqueConstraint("series_owner", "number"),
    sa.UniqueConstraint("seller_id", "idempotency_key"),
    sa.Index("ix_documents_seller_issued", "seller_id", "issued_at"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("document_id", sa.String(36), nullable=False),
    sa.Column("task", sa.String(16), nullable=False),  # render | notify
    sa.Column("status", sa.String(16), nullable=False),  # pending | done | failed
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("available_at", UTC_TS, nullable=False),
    sa.Column("created_at", UTC_TS, nullable=False),
    sa.UniqueConstraint("document_id", "task"),
    sa.Index("ix_outbox_claim", "status", "available_at"),
)

# One row per order once its fate is decided: invoiced (the invoice exists) or cancelled before any invoice.
# The primary key is what serialises an invoice against a cancellation of the same order on both backends
# (a unique key waits for the other transaction, whatever the snapshot). `credit_version` and `credited`
# serialise the credit notes of one invoice: each credit note moves the version by one, optimistically.
orders = sa.Table(
    "orders",
    metadata,
    # Keyed by seller too: an order id is the marketplace's, and two sellers may receive the same one.
    sa.Column("seller_id", sa.String(64), primary_key=True, index=True),
    sa.Column("key", sa.String(200), primary_key=True),  # marketplace:order_id
    sa.Column("order_id", sa.String(64), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # invoiced | cancelled
    sa.Column("invoice_id", sa.String(36), nullable=True),
    sa.Column("event_id", sa.String(128), nullable=False),  # the event that decided the state
    sa.Column("credit_version", sa.Integer, nullable=False, server_default="0"),
    sa.Column("credited", sa.Text, nullable=True),  # JSON: what the credit notes have taken, per line and rate
    sa.Column("updated_at", UTC_TS, nullable=False),
)

# A seller's EU distance sales per calendar year, counted toward the EUR 10,000 threshold (Directive
# 2006/112/EC art. 59c), net of VAT in the seller country's currency. Moved in the numbering transaction
# of the document that makes the sale, before its series row is locked (always in that order).
distance_sales = sa.Table(
    "distance_sales",
    metadata,
    sa.Column("seller_id", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("total", sa.Numeric(14, 2), nullable=False),
    sa.Column("updated_at", UTC_TS, nullable=False),
)

# --- national and network e-invoices (issue 15) --------------------------------------------------

# Every structured file a document is due in (the EN 16931 CII and the legal channel's e-invoice), stored
# write-once beside the PDF; ``schematron``: whether the Schematron ran on it (sampling), the XSD always did.
document_files = sa.Table(
    "document_files",
    metadata,
    sa.Column("document_id", sa.String(36), primary_key=True),
    sa.Column("format", sa.String(32), primary_key=True),
    sa.Column("key", sa.String(300), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("schematron", sa.Boolean, nullable=False),
    sa.Column("created_at", UTC_TS, nullable=False),
)

# Hash chains of the national systems (Verifactu huella per issuing system, Portugal's signature chain):
# one link per document and chain, at a position unique in its chain so that two writers cannot fork it.
chain_links = sa.Table(
    "chain_links",
    metadata,
    sa.Column("chain", sa.String(100), primary_key=True),
    sa.Column("document_id", sa.String(36), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("created_at", UTC_TS, nullable=False),
    sa.UniqueConstraint("chain", "position"),
)

# --- HTTP API (issue 5) ------------------------------------------------------------------------

# API keys: the token `mdt_<id>_<secret>` is shown once; only its sha256 is kept, looked up by id and
# compared in constant time. A seller key is bound to one seller.
api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),  # operator | seller | auditor
    sa.Column("seller_id", sa.String(64), nullable=True, index=True),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("created_at", UTC_TS, nullable=False),
    sa.Column("revoked_at", UTC_TS, nullable=True),
)

# Endpoints the marketplace registered; the secret signs every delivery, so it is kept as is.
webhooks = sa.Table(
    "webhooks",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("secret", sa.String(100), nullable=False),
    sa.Column("event_types", sa.String(200), nullable=False),  # comma-separated: document.issued,event.rejected
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", UTC_TS, nullable=False),
    sa.Column("updated_at", UTC_TS, nullable=False),
)

# One row per (endpoint, fact told): the unique key makes enqueueing idempotent across dispatchers.
# Deliveries sharing an `order_key` (one document and its credit notes, one event) go out in id order.
webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("webhook_id", sa.String(36), nullable=False),
    sa.Column("event_key", sa.String(200), nullable=False),  # e.g. document.issued:<document id>
    sa.Column("event_type", sa.String(40), nullable=False),
    sa.Column("subject", sa.String(128), nullable=False),  # the document id or the event id
    sa.Column("order_key", sa.String(200), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),  # the exact body, identical on every attempt
    sa.Column("status", sa.String(16), nullable=False),  # pending | delivered | failed
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UTC_TS, nullable=False),
    sa.Column("last_status_code", sa.Integer, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", UTC_TS, nullable=False),
    sa.Column("delivered_at", UTC_TS, nullable=True),
    # event_key first: the dispatcher asks "already enqueued?" by event_key for a batch of candidates.
    sa.UniqueConstraint("event_key", "webhook_id"),
    sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    sa.Index("ix_webhook_deliveries_order", "webhook_id", "order_key", "id"),
)

webhook_attempts = sa.Table(
    "webhook_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("delivery_id", sa.Integer, nullable=False, index=True),
    sa.Column("attempted_at", UTC_TS, nullable=False),
    sa.Column("status_code", sa.Integer, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("duration_ms", sa.Integer, nullable=False),
)

# How far the dispatcher has looked, per source (rendered documents, rejected events).
webhook_marks = sa.Table(
    "webhook_marks",
    metadata,
    sa.Column("source", sa.String(32), primary_key=True),
    sa.Column("mark", UTC_TS, nullable=False),
)

# --- Exchange rates (issue 13) -----------------------------------------------------------------

# Imported by `mandat rates import`, never changed: a rate once used for an issued invoice must stay
# what it was. `rate` is the published decimal as text, so no backend rounds its digits.
exchange_rates = sa.Table(
    "exchange_rates",
    metadata,
    sa.Column("source", sa.String(8), primary_key=True),  # ECB | NBP
    sa.Column("base", sa.String(3), primary_key=True),  # rate = units of quote for one base
    sa.Column("quote", sa.String(3), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),  # the day the rate was published for
    sa.Column("rate", sa.String(40), nullable=False),
    sa.Column("reference", sa.String(40), nullable=True),  # NBP table number
    sa.Column("imported_at", UTC_TS, nullable=False),
)

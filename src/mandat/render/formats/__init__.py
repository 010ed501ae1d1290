"""National e-invoice formats built from a ``Document`` record (one module per format)."""

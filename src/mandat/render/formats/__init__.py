"""National e-invoice formats, each built from a frozen ``Document`` record only (issue 15)."""

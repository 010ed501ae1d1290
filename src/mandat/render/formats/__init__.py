"""National and network e-invoice formats, each built from a ``Document`` only (issue 15)."""

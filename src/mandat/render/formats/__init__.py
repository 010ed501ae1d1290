"""National and CIUS e-invoice formats built from a ``Document`` record (issue 15)."""

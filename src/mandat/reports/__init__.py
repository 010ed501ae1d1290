"""Reports for finance, computed from the stored legal records only (issue 19, docs/reports.md):
the VAT report (``vat``), the OSS return data (``oss``), the French FEC (``fec``) and a journal of
document lines (``journal``)."""

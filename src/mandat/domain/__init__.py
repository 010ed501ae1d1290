"""Pure domain: money, parties, sale events, documents. No I/O here."""

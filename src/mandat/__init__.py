"""mandat: invoices and credit notes issued by a marketplace on behalf of its sellers."""

__version__ = "0.1.0"

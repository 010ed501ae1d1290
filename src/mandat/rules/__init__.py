"""Decide what document a sale event calls for: VAT treatment, rates, mentions, with a trace of why."""

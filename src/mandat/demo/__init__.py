"""Sample sellers and realistic orders for `mandat demo` (deterministic for a given seed)."""

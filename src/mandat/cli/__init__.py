"""The `mandat` command line."""

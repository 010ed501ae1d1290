"""mandat benchmarks: `python -m benchmarks --help`."""

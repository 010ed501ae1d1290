"""Country packs: one package per country (``fr``, ``be``, ``de`` ...), each implementing
:class:`mandat.countries.jurisdiction.Jurisdiction`, found by :func:`mandat.countries.registry.jurisdiction`.

How to add one: docs/countries.md, "Adding a country".
"""

"""Event streams for the benchmarks: the demo generator (``mandat.demo.orders.generate``) over the
demo sellers, the realistic mix the issue asks for (B2C and B2B, several rates, bad events,
redeliveries, refunds and cancellations). If the generator breaks, the benchmark fails with it."""

from __future__ import annotations

from mandat.demo.orders import generate
from mandat.demo.sellers import demo_sellers
from mandat.domain.parties import Seller

SOURCE: dict[str, str] = {"e2e": "mandat.demo.orders.generate (demo sellers)"}  # for RESULTS.md


def deliveries(count: int, seed: int, run: str) -> tuple[list[Seller], list[str]]:
    sellers = demo_sellers()
    return sellers, generate(sellers, count, seed, run)

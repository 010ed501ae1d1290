"""Hot seller: how many numbers per second one seller's series can take, with K concurrent issuers.

Every issue of one seller serialises on its series row (PostgreSQL: the row lock taken by the
numbering statement, held until COMMIT; SQLite: the database write lock of BEGIN IMMEDIATE), so
this is the ceiling for a single very busy seller whatever the number of workers. Each issuer is a
process (no GIL between them) running ``repository.issue_document`` in its own transaction, the same
call ``Mandat.process`` makes, on drafts prepared before the clock starts (the draft is computed
outside the numbering transaction in production too). Afterwards: numbers 1..n with no gap and no
duplicate, and the audit recomputes the hash chain.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.common import Problems, pg_schema

SELLER = "atelier-bois"


@dataclass
class HotResult:
    backend: str
    issuers: int
    numbers: int
    seconds: float
    ok: bool

    @property
    def per_s(self) -> float:
        return self.numbers / self.seconds if self.seconds else 0.0


def drafts(proc: int, count: int) -> list[Any]:
    """``count`` distinct valid drafts for the hot seller (consumer orders), made through ``draft_invoice``."""
    import json

    from mandat.demo.orders import generate
    from mandat.demo.sellers import demo_sellers
    from mandat.domain.events import OrderPaid
    from mandat.domain.parties import Marketplace
    from mandat.domain.refusals import EventRefused
    from mandat.rules.draft import draft_invoice

    sellers = demo_sellers()
    seller = next(s for s in sellers if s.id == SELLER)
    market = Marketplace()
    event: dict[str, Any] | None = None
    for line in generate(sellers, 200, 11, "hot"):  # the first demo order of this seller that issues
        data = json.loads(line)
        if data.get("type") != "order.paid" or data.get("seller_id") != SELLER:
            continue
        try:
            draft_invoice(OrderPaid.model_validate(data), seller, market, date(2026, 11, 20))
        except (EventRefused, ValueError):
            continue
        event = data
        break
    assert event is not None, f"the demo generator gave no valid order for {SELLER}"
    out = []
    for i in range(count):
        ref = f"HOT-{proc:02d}-{i:07d}"
        ev = OrderPaid.model_validate({**event, "event_id": f"evt-{ref}", "order_id": ref})
        out.append(draft_invoice(ev, seller, market, date(2026, 11, 20)))
    return out


def issuer(url: str, schema: str | None, proc: int, count: int, seconds: float, start: Any, out: Any) -> None:
    from mandat.store import repository as repo
    from mandat.store.db import make_engine

    engine = make_engine(url, schema)
    # Drafts are made before the clock starts (~0.7 ms each): the numbering transaction is what is timed.
    todo = drafts(proc, count)
    with engine.connect():
        pass  # open the pooled connection before the clock starts
    out.put(("ready", proc))
    start.wait()
    t0 = time.perf_counter()
    n = 0
    # Until the time is up or the drafts run out; the rate is numbers / actual span either way.
    while n < len(todo) and time.perf_counter() - t0 < seconds:
        with engine.begin() as conn:
            repo.issue_document(conn, todo[n], repo.utcnow())
        n += 1
    t1 = time.perf_counter()
    engine.dispose()
    out.put((proc, n, t0, t1))


def one(backend: str, issuers: int, seconds: float, budget: int, pg_url: str, problems: Problems) -> HotResult:
    from mandat.service.audit import audit
    from mandat.store.blobs import DirectoryBlobStore
    from mandat.store.db import make_engine
    from mandat.store.migrate import upgrade
    from mandat.store.schema import documents

    home = Path(tempfile.mkdtemp(prefix="mandat-hot-"))
    ctx = mp.get_context("spawn")
    try:
        with _database(backend, pg_url, home) as (url, schema):
            engine = make_engine(url, schema)
            upgrade(engine)
            start, out = ctx.Event(), ctx.Queue()
            count = budget // issuers + 50
            procs = [
                ctx.Process(target=issuer, args=(url, schema, k, count, seconds, start, out)) for k in range(issuers)
            ]
            for p in procs:
                p.start()
            results: list[Any] = []
            ready = 0
            deadline = time.monotonic() + seconds + 180
            while len(results) < issuers:
                try:
                    item = out.get(timeout=1)
                    if item[0] == "ready":
                        ready += 1
                        if ready == issuers:
                            start.set()  # all issuers start together
                    else:
                        results.append(item)
                except queue.Empty:
                    # An issuer that died (import error, database down) must fail the run now, not at the deadline.
                    if time.monotonic() > deadline or any(p.exitcode not in (None, 0) for p in procs):
                        for p in procs:
                            p.terminate()
                        raise RuntimeError(f"hot {backend} x{issuers}: an issuer failed") from None
            for p in procs:
                p.join()
            total = sum(r[1] for r in results)
            span = max(r[3] for r in results) - min(r[2] for r in results)
            with engine.connect() as conn:
                seqs = list(conn.execute(sa.select(documents.c.seq).order_by(documents.c.seq)).scalars())
            report = audit(engine, DirectoryBlobStore(home / "documents"), check_files=False)
            engine.dispose()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    ok = seqs == list(range(1, total + 1)) and all(
        not (s.gaps or s.duplicates or s.backwards or s.chain_breaks or s.head_mismatch) for s in report.series
    )
    if not ok:
        problems.add(
            f"hot {backend} x{issuers}", f"{total} issued, numbers {seqs[:3]}…{seqs[-3:]}, audit {report.series}"
        )
    return HotResult(backend, issuers, total, span, ok)


class _database:
    def __init__(self, backend: str, pg_url: str, home: Path) -> None:
        self.backend, self.pg_url, self.home = backend, pg_url, home
        self._ctx: Any = None

    def __enter__(self) -> tuple[str, str | None]:
        if self.backend == "sqlite":
            return f"sqlite:///{self.home / 'mandat.db'}", None
        self._ctx = pg_schema(self.pg_url, "mandat_hot")
        return self.pg_url, self._ctx.__enter__()

    def __exit__(self, *exc: object) -> None:
        if self._ctx is not None:
            self._ctx.__exit__(*exc)


def run(
    backends: list[str],
    issuers: list[int],
    seconds: float,
    budget: int,
    pg_url: str,
    problems: Problems,
    log: Callable[[str], None],
) -> list[HotResult]:
    results = []
    for backend in backends:
        for k in issuers:
            r = one(backend, k, seconds, budget, pg_url, problems)
            log(
                f"hot {backend} x{k}: {r.numbers} numbers in {r.seconds:.1f} s = {r.per_s:.0f}/s, "
                f"{'no gap, no duplicate, chain ok' if r.ok else 'INVALID'}"
            )
            results.append(r)
    return results

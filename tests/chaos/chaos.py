"""Fault injection: many sellers, every event delivered 2-3 times in random order, worker processes
SIGKILLed and restarted about every second. Afterwards every event must be exactly one document or one
recorded rejection, with no gap, no duplicate and no time going backwards per series, and every file
rendered with the right checksum.

    python -m tests.chaos.chaos --backend postgres --events 20000 --workers 4
    python -m tests.chaos.chaos --backend sqlite --events 20000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from mandat.demo.sellers import MANDATE, luhn_complete
from mandat.domain.parties import Address, Seller
from mandat.service.app import Mandat
from mandat.service.audit import audit
from mandat.service.config import Settings
from mandat.store import repository as repo
from mandat.store.db import make_engine
from mandat.store.schema import documents, outbox
from tests.factories import order

PG_URL = os.environ.get("MANDAT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@dataclass
class Result:
    backend: str
    events: int
    deliveries: int
    kills: int
    documents: int
    rejected: int
    duplicates: int
    gaps: int
    duplicate_numbers: int
    backwards: int
    file_problems: int
    unsettled: int
    seconds: float

    @property
    def ok(self) -> bool:
        return not (self.gaps or self.duplicate_numbers or self.backwards or self.file_problems or self.unsettled)


def sellers(n: int) -> list[Seller]:
    out = []
    for i in range(n):
        siren = luhn_complete(f"9{i:07d}")
        out.append(
            Seller(
                id=f"chaos-{i:02d}",
                code=f"C{i:02d}",
                legal_name=f"Vendeur Chaos {i:02d} SARL",
                address=Address(line1=f"{i + 1} rue du Test", postcode="75010", city="Paris", country="FR"),
                siren=siren,
                vat_id=f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}",
                legal_form="SARL",
                rcs_city="Paris",
                mandate=MANDATE,
            )
        )
    return out


def deliveries(n_events: int, seller_ids: list[str], rng: random.Random) -> tuple[list[str], int]:
    """Each event 2 or 3 times, shuffled; about 3 % carry a wrong payment amount (to be rejected)."""
    base = order()  # amounts computed once: every seller sells the same basket under the same rules
    out: list[str] = []
    for i in range(n_events):
        ev: dict[str, Any] = json.loads(json.dumps(base))
        ev["event_id"] = f"evt-{i:06d}"
        ev["order_id"] = f"CMD-{i:06d}"
        ev["seller_id"] = rng.choice(seller_ids)
        if rng.random() < 0.03:
            ev["payment"]["amount"] = "1.00"
        line = json.dumps(ev)
        out += [line] * rng.choice([2, 3])
    rng.shuffle(out)
    return out, n_events


def run(
    backend: str,
    n_events: int,
    workers: int,
    n_sellers: int = 50,
    kill_every: float = 1.0,
    seed: int = 7,
    timeout: float = 1200,
    prefeed: bool = False,
) -> Result:
    rng = random.Random(seed)
    home = Path(tempfile.mkdtemp(prefix="mandat-chaos-"))
    env = {**os.environ, "MANDAT_HOME": str(home), "MANDAT_LEASE_SECONDS": "2"}
    schema = None
    if backend == "postgres":
        schema = f"mandat_chaos_{uuid.uuid4().hex[:8]}"
        with make_engine(PG_URL).begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        env |= {"MANDAT_DATABASE_URL": PG_URL, "MANDAT_DATABASE_SCHEMA": schema}
    else:
        env.pop("MANDAT_DATABASE_URL", None)
        env.pop("MANDAT_DATABASE_SCHEMA", None)
    settings = Settings(
        home=home,
        database_url=env.get("MANDAT_DATABASE_URL") or f"sqlite:///{home / 'mandat.db'}",
        blob_url=str(home / "documents"),
        database_schema=schema,
        lease_seconds=2,
    )
    svc = Mandat(settings)
    svc.migrate()
    all_sellers = sellers(n_sellers)
    svc.save_sellers(all_sellers)
    lines, distinct = deliveries(n_events, [s.id for s in all_sellers], rng)
    deliveries_count = len(lines)

    if prefeed:  # measure the workers alone: every delivery is in the inbox before they start
        for line in lines:
            svc.accept(line)
        lines = []
    cmd = [sys.executable, "-m", "mandat.cli.main", "worker", "--poll", "0.05", "--batch", "20"]
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(workers)
    ]
    fed = threading.Event()

    def feed() -> None:  # deliveries keep arriving while workers run and die
        for line in lines:
            svc.accept(line)
        fed.set()

    started = time.monotonic()
    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    kills = 0
    next_kill = time.monotonic() + kill_every
    try:
        while time.monotonic() - started < timeout:
            time.sleep(0.1)
            if kill_every > 0 and time.monotonic() >= next_kill:
                victim = rng.randrange(workers)
                procs[victim].send_signal(signal.SIGKILL)
                procs[victim].wait()
                kills += 1
                procs[victim] = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                next_kill = time.monotonic() + kill_every * rng.uniform(0.5, 1.5)
            if fed.is_set() and settled(svc):
                break
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
    seconds = time.monotonic() - started
    with svc.reader.connect() as conn:
        statuses = repo.count_inbox_by_status(conn)
        docs = int(conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one())
    report = audit(svc.engine, svc.blobs)
    result = Result(
        backend=backend,
        events=distinct,
        deliveries=deliveries_count,
        kills=kills,
        documents=docs,
        rejected=statuses.get("rejected", 0),
        duplicates=statuses.get("duplicate", 0),
        gaps=sum(len(s.gaps) for s in report.series),
        duplicate_numbers=sum(len(s.duplicates) for s in report.series),
        backwards=sum(len(s.backwards) for s in report.series),
        file_problems=len(report.file_problems)
        + report.unrendered
        + sum(len(s.chain_breaks) + bool(s.head_mismatch) for s in report.series),
        unsettled=sum(n for st, n in statuses.items() if st not in ("issued", "rejected", "duplicate"))
        + (distinct - sum(statuses.values()))
        + (distinct - docs - statuses.get("rejected", 0)),
        seconds=round(seconds, 1),
    )
    svc.engine.dispose()
    if result.ok:
        # Keep a failed run's data folder for the post-mortem; a good one is just disk.
        import shutil

        shutil.rmtree(home, ignore_errors=True)
    if schema:
        with make_engine(PG_URL).begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    return result


def settled(svc: Mandat) -> bool:
    with svc.reader.connect() as conn:
        statuses = repo.count_inbox_by_status(conn)
        pending_renders = int(
            conn.execute(
                sa.select(sa.func.count()).select_from(outbox).where(outbox.c.status == "pending")
            ).scalar_one()
        )
    return not pending_renders and all(st in ("issued", "rejected", "duplicate") for st in statuses)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sellers", type=int, default=50)
    parser.add_argument("--kill-every", type=float, default=1.0, help="seconds between SIGKILLs; 0: none")
    parser.add_argument("--prefeed", action="store_true", help="accept every delivery before workers start")
    args = parser.parse_args()
    result = run(
        args.backend, args.events, args.workers, args.sellers, kill_every=args.kill_every, prefeed=args.prefeed
    )
    rate = round(result.documents / result.seconds, 1) if result.seconds else 0.0
    print(json.dumps({**result.__dict__, "ok": result.ok, "documents_per_s": rate}))
    sys.exit(0 if result.ok else 1)


if __name__ == "__main__":
    main()

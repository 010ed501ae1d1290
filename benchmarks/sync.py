"""Synchronous answers of POST /v1/events under concurrency, while `mandat worker` runs.

The API issues each event in the request; a worker polling the same inbox can claim the event
between its acceptance and the API's own claim, and a redelivery sent at the same time as the
first copy finds it claimed. Then the answer has no outcome yet (`processing`), and the client has
to ask again (docs/api.md). This measures how often, with the API's wait for the other worker
(`sync_wait`, default 2 s) and without it (0 s: the answer as soon as the claim fails).

A live server: uvicorn in a thread of this process, over a fresh MANDAT_HOME (SQLite) or schema
(PostgreSQL), `python -m mandat.cli.main worker` as a subprocess on the same database, and
`concurrency` client threads POSTing the demo generator's deliveries (redeliveries, re-sends and
bad events included) one per request. Afterwards every accepted event must have settled.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
import sqlalchemy as sa

from benchmarks.common import Problems, median, percentile
from benchmarks.e2e import environment, worker_cmd
from benchmarks.events import deliveries

# An answer that carries the event's outcome: a document, or the reason there is none.
SETTLED = ("issued", "duplicate", "rejected", "waiting", "cancelled")


@dataclass
class SyncRun:
    backend: str
    sync_wait: float
    concurrency: int
    posts: int
    seconds: float
    http: Counter[int] = field(default_factory=Counter)  # status codes
    answers: Counter[str] = field(default_factory=Counter)  # event status in the 202 answers
    latency_ms: list[float] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.http[202]

    @property
    def unsettled(self) -> int:
        """Accepted, answered without the outcome (`processing`, `pending`)."""
        return sum(n for status, n in self.answers.items() if status not in SETTLED)

    @property
    def unsettled_share(self) -> float:
        return self.unsettled / self.accepted if self.accepted else 0.0

    @property
    def p50(self) -> float:
        return median(self.latency_ms)

    @property
    def p99(self) -> float:
        return percentile(self.latency_ms, 99)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_one(
    backend: str, n: int, concurrency: int, sync_wait: float, pg_url: str, problems: Problems, seed: int
) -> SyncRun:
    import uvicorn

    from mandat.api.app import create_app
    from mandat.api.auth import create_key
    from mandat.service.app import Mandat
    from mandat.store.schema import inbox

    where = f"sync {backend} wait={sync_wait:g}s"
    with environment(backend, pg_url) as e:
        service = Mandat(e.settings)
        service.migrate()
        sellers, bodies = deliveries(n, seed, f"sync{seed}")
        service.save_sellers(sellers)
        token = create_key(service, "bench", "operator", None)[1]
        app = create_app(service, secret=b"benchmark-secret-of-at-least-32-bytes", sync_wait=sync_wait)
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        worker = subprocess.Popen(worker_cmd(1, until_idle=False), env=e.env, stdout=subprocess.DEVNULL)
        try:
            while not server.started:
                time.sleep(0.02)
            time.sleep(1.0)  # the worker imports and starts polling before the clock starts
            run = SyncRun(backend, sync_wait, concurrency, len(bodies), 0.0)
            lock = threading.Lock()
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30, trust_env=False) as client:

                def post(body: str) -> None:
                    t0 = time.perf_counter()
                    r = client.post("/v1/events", content=body.encode(), headers=headers)
                    ms = (time.perf_counter() - t0) * 1000
                    with lock:
                        run.http[r.status_code] += 1
                        run.latency_ms.append(ms)
                        if r.status_code == 202:
                            run.answers[str(r.json()["status"])] += 1

                started = time.perf_counter()
                with ThreadPoolExecutor(concurrency) as pool:
                    list(pool.map(post, bodies))
                run.seconds = time.perf_counter() - started
            if any(code >= 500 for code in run.http):
                problems.add(where, f"server errors: {dict(run.http)}")
            # Every accepted event settles once the worker has caught up.
            deadline = time.monotonic() + 30
            left = -1
            while time.monotonic() < deadline:
                with service.reader.connect() as conn:
                    left = conn.execute(
                        sa.select(sa.func.count())
                        .select_from(inbox)
                        .where(inbox.c.status.in_(("pending", "processing")))
                    ).scalar_one()
                if not left:
                    break
                time.sleep(0.1)
            if left:
                problems.add(where, f"{left} events still pending or processing 30 s after the last answer")
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            server.should_exit = True
            thread.join(timeout=30)
            service.engine.dispose()
    return run


def run(
    backends: list[str], n: int, concurrency: int, pg_url: str, problems: Problems, log: Callable[[str], None]
) -> list[SyncRun]:
    out = []
    for backend in backends:
        for wait in (2.0, 0.0):
            log(f"sync answers: {backend}, {n} POSTs by {concurrency} clients with `mandat worker`, wait {wait:g} s")
            out.append(run_one(backend, n, concurrency, wait, pg_url, problems, seed=7))
    return out


def markdown(runs: list[SyncRun]) -> list[str]:
    if not runs:
        return []
    lines = [
        "## Synchronous answers of POST /v1/events under concurrency",
        "",
        "A live API (uvicorn, this process) and a `mandat worker` subprocess on the same fresh database; "
        f"{runs[0].concurrency} client threads POST the demo generator's deliveries one per request (redeliveries "
        "and re-sends of the same event included, so two copies often race). **Without outcome** = answered `202` "
        "with status `processing` or `pending`: a worker or a concurrent copy held the event, and the client must "
        "ask `GET /v1/events/{id}` (or wait for the webhook). `wait` is how long the API waits for that other "
        "worker (`create_app(sync_wait=)`, 2 s by default; 0 s was the behaviour before issue 11). Refused "
        "deliveries (the generator's bad events) answer `422` and are not counted as accepted. After each run "
        "every accepted event was checked to have settled.",
        "",
        "| backend | wait s | POSTs | 202 / 4xx | answers (status: count) | without outcome | share | "
        "p50 / p99 ms | POSTs/s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        refused = sum(n for code, n in r.http.items() if 400 <= code < 500)
        answers = ", ".join(f"{k} {v}" for k, v in sorted(r.answers.items()))
        lines.append(
            f"| {r.backend} | {r.sync_wait:g} | {r.posts} | {r.accepted} / {refused} | {answers} | {r.unsettled} | "
            f"{r.unsettled_share * 100:.1f} % | {r.p50:.0f} / {r.p99:.0f} | {r.posts / max(r.seconds, 1e-9):.0f} |"
        )
    lines.append("")
    return lines


if __name__ == "__main__":  # a quick look: python -m benchmarks.sync
    found = Problems()
    result = run(["sqlite"], 150, 8, "", found, print)
    print("\n".join(markdown(result)))
    print(json.dumps(found.items))

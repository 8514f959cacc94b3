"""Phase 6: the archive over HTTP, on one uvicorn worker (`wijkarchief serve`).

Runs last, on the archive the earlier phases built (its data directory, or its PostgreSQL
schema), after the in-process archive is closed: a real `wijkarchief serve` on a free
loopback port, started as a child process (its own process group) with the benchmark's
environment: `WIJKARCHIEF_DATA` (and `WIJKARCHIEF_DATABASE_URL`/`_SCHEMA`) naming that
archive, `WIJKARCHIEF_SEARCH_BACKEND` as the benchmark uses it, no other `WIJKARCHIEF_*`
variable (so the worker follows the log itself, as the in-process archive did). It is always
stopped at the end, also on an error or Ctrl-C. Two figures, each beside a baseline measured
on the same server in the same run:

1. write → searchable: a curator POSTs a new public episode whose title holds a word of its
   own, then a researcher polls `GET /api/search?q=WORD` until the episode is among the hits;
   the latency runs from sending the POST to the first search answer that contains it.
   Baseline: the POST alone (until its answer), so the ratio is what searchability adds.
2. throughput: C clients (threads, one `httpx.Client` each) call one endpoint for S seconds:
   `GET /api/timelines/2020` and `GET /api/search?q=WORD` (a vocabulary word, rotating), as a
   researcher. Baseline: `GET /api/health` (the cheapest route: the log position) on the
   same server with the same clients, so the ratio is the endpoint's own cost.
"""

from __future__ import annotations

import os
import random
import string
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from latency import percentiles
from loadtest import CLI, _auth, cpu_seconds, free_port, stop_process, tracebacks, wait_ready
from synthetic import QUERY_WORDS

from archive.config import Settings

TIMELINE_YEAR = 2020
# Write → searchable: stop after this many seconds once MIN_SAMPLES have run (a Whoosh merge
# inside one POST can take tens of seconds at 10k items), and give up on one sample after
# POLL_TIMEOUT seconds of searching.
WRITE_BUDGET = 30.0
MIN_SAMPLES = 10
POLL_TIMEOUT = 30.0
POLL_PAUSE = 0.005
WARM_UP = 3  # untimed requests per endpoint (and untimed writes) before measuring
SERVER_START_TIMEOUT = 180.0
# The endpoints of the throughput figure: name → (label, path); "health" is the baseline.
ENDPOINTS: dict[str, tuple[str, str]] = {
    "health": ("GET /api/health", "/api/health"),
    "timeline": (f"GET /api/timelines/{TIMELINE_YEAR}", f"/api/timelines/{TIMELINE_YEAR}"),
    "search": ("GET /api/search?q=WORD", "/api/search"),
}
BASELINE = "health"

Log = Callable[[str], None]


def server_env(settings: Settings, search_backend: str) -> dict[str, str]:
    """The benchmark's environment for the server, naming the benchmark's archive."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIJKARCHIEF_")}
    env.pop("CREATE_TABLE", None)
    env["WIJKARCHIEF_DATA"] = str(settings.data_dir)
    env["WIJKARCHIEF_SEARCH_BACKEND"] = search_backend
    if settings.database_url:
        env["WIJKARCHIEF_DATABASE_URL"] = settings.database_url
        env["WIJKARCHIEF_DATABASE_SCHEMA"] = settings.database_schema
    return env


@contextmanager
def serving(
    settings: Settings, search_backend: str, workdir: Path, log: Log
) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    """`wijkarchief serve` (one worker) on a free loopback port until the block ends.

    Yields the base URL, the process and its log file; the process group is stopped on the
    way out, whatever happened in the block.
    """
    port = free_port()
    command = [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port)]
    log_path = workdir / "serve.log"
    with log_path.open("wb") as output:
        server = subprocess.Popen(
            command,
            env=server_env(settings, search_backend),
            cwd=workdir,
            start_new_session=True,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(
            server,
            base,
            lambda: log_path.read_text(errors="replace"),
            timeout=SERVER_START_TIMEOUT,
        )
        yield base, server, log_path
    finally:
        stop_process(server)
        log("HTTP: server stopped")


def _letters(number: int) -> str:
    """A number as lowercase letters (a tokenizer never splits it, a stemmer leaves it be)."""
    digits = string.ascii_lowercase
    out = ""
    while True:
        number, rest = divmod(number, 26)
        out = digits[rest] + out
        if not number:
            return out


def write_to_searchable(
    base: str,
    curator: str,
    researcher: str,
    samples: int,
    tick: Callable[[int], Any] | None = None,
) -> dict[str, Any]:
    """POST a public episode with a word of its own, poll the search until it is found.

    Per sample: `post` (sending the POST until its answer), `searchable` (sending the POST
    until the first search answer that has the episode among its hits) and
    `search_after_post` (the difference). `samples` of them, or fewer (at least MIN_SAMPLES)
    once WRITE_BUDGET seconds have passed.
    """
    tag = _letters(uuid.uuid4().int % 26**5)
    posts: list[float] = []
    searchable: list[float] = []
    polls: list[int] = []
    not_found: list[str] = []
    errors: list[dict[str, Any]] = []
    with (
        httpx.Client(base_url=base, headers=_auth(curator), timeout=120) as writer,
        httpx.Client(base_url=base, headers=_auth(researcher), timeout=120) as reader,
    ):

        def one(number: int) -> tuple[float, float, int] | None:
            word = f"meetpunt{tag}{_letters(number)}"
            ref = f"episodes/http-{tag}-{number}"
            body = {
                "id": ref.split("/")[1],
                "title": f"Proef {word}: vindbaarheid na het schrijven",
                "summary": "Bewoners en vrijwilligers van de buurt melden zich bij de wijkraad.",
                "date": "2020-03",
                "consent": "public",
                "themes": ["participatie"],
            }
            started = time.perf_counter()
            response = writer.post("/api/episodes", json=body)
            posted = time.perf_counter() - started
            if response.status_code != 201:
                errors.append(_error("POST /api/episodes", response))
                return None
            tries = 0
            while True:
                tries += 1
                answer = reader.get("/api/search", params={"q": word})
                now = time.perf_counter() - started
                if answer.status_code != 200:
                    errors.append(_error("GET /api/search", answer))
                    return None
                if any(hit.get("ref") == ref for hit in answer.json()["items"]):
                    return posted, now, tries
                if now > posted + POLL_TIMEOUT:
                    not_found.append(ref)
                    return None
                time.sleep(POLL_PAUSE)

        for number in range(WARM_UP):  # the server's first write and search pay for opening
            one(number)
        began = time.perf_counter()
        for number in range(WARM_UP, WARM_UP + samples):
            if len(searchable) >= MIN_SAMPLES and time.perf_counter() - began > WRITE_BUDGET:
                break
            found = one(number)
            if tick:
                tick(1)
            if found is None:
                continue
            posted, until_found, tries = found
            posts.append(posted)
            searchable.append(until_found)
            polls.append(tries)
    report: dict[str, Any] = {
        "samples": len(searchable),
        "not_found_within_seconds": POLL_TIMEOUT,
        "not_found": not_found,
        "errors": errors,
    }
    if searchable:
        report.update(
            {
                "searchable": percentiles(searchable),
                "post": percentiles(posts),
                "search_after_post": percentiles(
                    [s - p for s, p in zip(searchable, posts, strict=True)]
                ),
                "polls_mean": sum(polls) / len(polls),
                "polls_max": max(polls),
            }
        )
    return report


def _error(op: str, response: httpx.Response) -> dict[str, Any]:
    return {"op": op, "status": response.status_code, "body": response.text[:500]}


def throughput(
    base: str,
    token: str,
    path: str,
    params: Callable[[random.Random], dict[str, Any]] | None,
    clients: int,
    seconds: float,
    server_pid: int,
    seed: int,
) -> dict[str, Any]:
    """`clients` threads calling `path` for `seconds`: req/s, latency, statuses, server CPU."""
    stop = threading.Event()
    latencies: list[list[float]] = [[] for _ in range(clients)]
    statuses: list[Counter[int]] = [Counter() for _ in range(clients)]
    first_errors: list[dict[str, Any]] = []

    def client(number: int) -> None:
        rng = random.Random(f"{seed}:{path}:{number}")
        with httpx.Client(base_url=base, headers=_auth(token), timeout=120) as http:
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    response = http.get(path, params=params(rng) if params else None)
                    status = response.status_code
                except httpx.HTTPError as error:
                    response, status = None, 0
                    if len(first_errors) < 5:
                        first_errors.append({"op": path, "status": 0, "body": repr(error)})
                latencies[number].append(time.perf_counter() - started)
                statuses[number][status] += 1
                if response is not None and status != 200 and len(first_errors) < 5:
                    first_errors.append(_error(path, response))

    # Untimed warm-up: the worker's first answers open searchers, parse dates, fill caches.
    with httpx.Client(base_url=base, headers=_auth(token), timeout=120) as http:
        rng = random.Random(f"{seed}:{path}:warm-up")
        for _ in range(WARM_UP):
            http.get(path, params=params(rng) if params else None)
    threads = [
        threading.Thread(target=client, args=(i,), name=f"http-{i}", daemon=True)
        for i in range(clients)
    ]
    cpu_before = cpu_seconds(server_pid)
    began = time.perf_counter()
    try:
        for thread in threads:
            thread.start()
        time.sleep(seconds)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    elapsed = time.perf_counter() - began  # includes the requests in flight at the stop
    cpu = cpu_seconds(server_pid) - cpu_before
    samples = [s for per_client in latencies for s in per_client]
    counted: Counter[int] = sum(statuses, Counter())
    return {
        "path": path,
        "clients": clients,
        "seconds": elapsed,
        "requests": len(samples),
        "requests_per_second": len(samples) / elapsed,
        **percentiles(samples),
        "statuses": {str(k): v for k, v in sorted(counted.items())},
        "server_cpu_seconds": cpu,
        "server_cpu_ms_per_request": cpu / len(samples) * 1000 if samples else 0.0,
        "errors": first_errors,
    }


def run_http(
    settings: Settings,
    tokens: dict[str, str],
    *,
    search_backend: str,
    workdir: Path,
    samples: int,
    clients: int,
    seconds: float,
    seed: int,
    log: Log,
    tick: Callable[[int], Any] | None = None,
) -> dict[str, Any]:
    """Both figures against one `wijkarchief serve` over the archive of `settings`.

    `tokens` has a "curator" and a "researcher" token of that archive.
    """
    report: dict[str, Any] = {
        "server": "wijkarchief serve (one uvicorn worker, following the log itself)",
        "search_backend": search_backend,
        "clients": clients,
        "seconds_per_endpoint": seconds,
        "timeline_year": TIMELINE_YEAR,
    }
    log(f"HTTP: starting wijkarchief serve (search backend {search_backend})")
    started = time.perf_counter()
    with serving(settings, search_backend, workdir, log) as (base, server, log_path):
        report["startup_seconds"] = time.perf_counter() - started
        log(f"HTTP: ready in {report['startup_seconds']:.1f} s; write → searchable ×{samples}")
        try:
            report["write_to_searchable"] = write_to_searchable(
                base, tokens["curator"], tokens["researcher"], samples, tick
            )
            words = list(QUERY_WORDS)

            def search_params(rng: random.Random) -> dict[str, Any]:
                return {"q": rng.choice(words)}

            report["endpoints"] = {}
            for name, (label, path) in ENDPOINTS.items():
                log(f"HTTP: {label}, {clients} clients × {seconds:g} s")
                params = search_params if name == "search" else None
                report["endpoints"][name] = {
                    "label": label,
                    **throughput(
                        base,
                        tokens["researcher"],
                        path,
                        params,
                        clients,
                        seconds,
                        server.pid,
                        seed,
                    ),
                }
                if tick:
                    tick(1)
        finally:
            report["server_tracebacks"] = tracebacks(log_path.read_text(errors="replace"))
    return report

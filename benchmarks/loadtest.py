"""Load test: N curators and M researchers against a real server, for a bounded time.

    .venv/bin/python benchmarks/loadtest.py --store sqlite --curators 4 --researchers 8 --seconds 60
    .venv/bin/python benchmarks/loadtest.py --store postgres --workers 2 --json -

Sets up a fresh archive (a temporary data directory; on PostgreSQL also a fresh schema in the
database of `--postgres-url`, dropped afterwards), seeds it (`wijkarchief seed`), creates a
token per client (`wijkarchief token create`), starts `wijkarchief serve` on a loopback port
(on PostgreSQL with `--workers W`, and with `--no-follow` plus a `wijkarchief project`
process when the command line has that option), and runs for `--seconds`:

- curators (httpx, curator tokens): read an item (ETag), revise it with `If-Match` (some items
  are shared by every curator, so 412s happen; on 412 they read again and retry), now and
  then register a new story (numbers drawn from a small shared range, so some answer 409) or
  assess a quality;
- researchers (researcher tokens): Dutch searches with quality, kind and year filters (facet
  counts come with every answer), timelines, the Kronieken, lists and item reads.

Then it checks that nothing was lost (`loadcheck.py`): every acknowledged write is in the log
and its item's history exactly once with the value it wrote, on the version it was based on;
each item's final state is its last acknowledged write; nothing else was written.

Prints a table per operation (count, ops/s, latency p50/p95/p99/max, statuses), the errors
with their bodies (any status but 2xx, 409 and 412), the check, the CPU seconds of each
process and the load average; `--json PATH` (or `-`) writes it all as JSON. Exit status 1
when there were errors or lost updates, 2 when the set-up failed. Nothing here is asserted
by a test: the numbers are for reading (docs/load-test.md).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from loadcheck import REVISED_FIELD, Findings, Write, check

ROOT = Path(__file__).resolve().parent.parent
CLI = [str(Path(sys.executable).parent / "wijkarchief")]
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
STARTED = time.perf_counter()

# What researchers ask for.
SEARCH_WORDS = [
    "vrijwilligers",
    "buurt",
    "bewoners",
    "corona",
    "gemeente",
    "speelgoed",
    "Duimdrop",
    "wijkraad",
    "zelfregiehuis",
    "voedselpakketten",
    "jongeren",
    "vertrouwen",
    "subsidie",
    "institutional flexibility",
    '"Delfshaven helpt"',
    "buurt AND bewoners",
    "corona NOT gemeente",
    "veerkracht",
    "programmaraad",
    "",
]
QUALITIES = [
    "mobiliserend-vermogen",
    "verbindend-vermogen",
    "institutionele-souplesse",
    "flexibiliteit",
    "redundantie",
    "robuustheid",
    "vindingrijkheid",
    "reflexiviteit",
    "inclusiviteit",
    "integratief-vermogen",
]
YEARS = [2019, 2020, 2021, 2022]
DATES = ["2020", "2021", "2020-03", "voorjaar 2020", "2021-05-12", "2019/2021"]
WORDS = ["buurt", "bewoners", "vrijwilligers", "speeltuin", "wijkraad", "petitie", "koffie"]
EXPECTED = (409, 412)


def log(message: str) -> None:
    """A progress line on stderr, with the time since the start."""
    print(f"[{time.perf_counter() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


# -- measuring ---------------------------------------------------------------------------


@dataclass
class Sample:
    op: str
    seconds: float
    status: int  # 0: no answer


@dataclass
class Recorder:
    """What one client thread did: samples, errors, write attempts."""

    samples: list[Sample] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    gave_up: int = 0

    def call(
        self, http: httpx.Client, op: str, method: str, path: str, **kwargs: Any
    ) -> httpx.Response | None:
        """One timed request; a status other than 2xx/409/412 (or none) is an error."""
        started = time.perf_counter()
        try:
            response = http.request(method, path, **kwargs)
            response.read()
        except httpx.HTTPError as error:
            self.samples.append(Sample(op, time.perf_counter() - started, 0))
            self.errors.append(
                {
                    "op": op,
                    "method": method,
                    "path": path,
                    "status": 0,
                    "body": f"{type(error).__name__}: {error}",
                }
            )
            return None
        self.samples.append(Sample(op, time.perf_counter() - started, response.status_code))
        if not (response.is_success or response.status_code in EXPECTED):
            self.errors.append(
                {
                    "op": op,
                    "method": method,
                    "path": path,
                    "status": response.status_code,
                    "body": response.text[:1000],
                }
            )
        return response


def status_of(response: httpx.Response | None) -> int:
    """The status of an answer; 0 for none."""
    return response.status_code if response is not None else 0


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted seconds, in milliseconds."""
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index] * 1000


def summarise(samples: list[Sample], seconds: float) -> dict[str, dict[str, Any]]:
    """Per operation: count, ops/s, latency percentiles (all answers) and statuses."""
    by_op: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by_op[s.op].append(s)
    table = {}
    for op in sorted(by_op):
        rows = by_op[op]
        ordered = sorted(s.seconds for s in rows)
        table[op] = {
            "count": len(rows),
            "ops_per_second": len(rows) / seconds,
            "p50_ms": percentile(ordered, 50),
            "p95_ms": percentile(ordered, 95),
            "p99_ms": percentile(ordered, 99),
            "max_ms": ordered[-1] * 1000,
            "mean_ms": sum(ordered) / len(ordered) * 1000,
            "statuses": dict(sorted(Counter(str(s.status) for s in rows).items())),
        }
    return table


# -- the clients -------------------------------------------------------------------------


@dataclass
class Plan:
    """What the clients share: the server, the items, the tokens, the clock."""

    base_url: str
    items: list[str]  # kind/key of every item at the start
    hot: list[str]  # items every curator edits now and then (conflicts)
    marker: str  # in every text the load test writes
    stop: threading.Event
    hot_share: float
    story_numbers: range
    seed: int


def curator(plan: Plan, name: str, token: str, rec: Recorder) -> None:
    """Read, revise with If-Match (retry on 412), sometimes register a story or assess."""
    rng = random.Random(f"{plan.seed}:{name}")
    seq = 0
    with httpx.Client(base_url=plan.base_url, headers=_auth(token), timeout=60.0) as http:
        while not plan.stop.is_set():
            seq += 1
            roll = rng.random()
            if roll < 0.08:
                _register_story(plan, http, name, seq, rng, rec)
            elif roll < 0.18:
                _assess(plan, http, name, seq, rng, rec)
            else:
                _revise(plan, http, name, seq, rng, rec)


def _revise(
    plan: Plan, http: httpx.Client, name: str, seq: int, rng: random.Random, rec: Recorder
) -> None:
    ref = rng.choice(plan.hot if rng.random() < plan.hot_share else plan.items)
    kind = ref.split("/")[0]
    name_of_field = REVISED_FIELD[kind]
    for attempt in range(10):
        read = rec.call(http, "curator: GET item", "GET", f"/api/{ref}")
        if read is None or read.status_code != 200:
            return
        version = int(read.headers["ETag"].strip('"W/'))
        value = f"{plan.marker} {name} #{seq}.{attempt} {rng.choice(WORDS)}"
        response = rec.call(
            http,
            "curator: PATCH item (If-Match)",
            "PATCH",
            f"/api/{ref}",
            json={name_of_field: value, "reason": "belasting"},
            headers={"If-Match": f'"{version}"'},
        )
        write = Write(
            "patch",
            name,
            ref,
            value,
            status_of(response),
            field=name_of_field,
            expected_version=version,
        )
        rec.writes.append(write)
        if response is None:
            return
        if response.is_success:
            body = response.json()
            write.position = int(response.headers["X-Archive-Position"])
            write.answer_version = body.get("version")
            write.answer_value = body.get(name_of_field)
            return
        if response.status_code != 412 or plan.stop.is_set():
            return
    rec.gave_up += 1


def _register_story(
    plan: Plan, http: httpx.Client, name: str, seq: int, rng: random.Random, rec: Recorder
) -> None:
    number = f"{rng.choice(plan.story_numbers):04d}"
    title = f"{plan.marker} verhaal van {name} #{seq}"
    body = {
        "number": number,
        "title": title,
        "body_markdown": " ".join(rng.choice(WORDS) for _ in range(40)),
        "storytellers": [f"Verteller {rng.randrange(100)}"],
        "date": rng.choice(DATES),
        "consent": rng.choice(["public", "research"]),
    }
    response = rec.call(http, "curator: POST story", "POST", "/api/stories", json=body)
    write = Write("story", name, f"stories/{number}", title, status_of(response))
    rec.writes.append(write)
    if response is not None and response.is_success:
        write.position = int(response.headers["X-Archive-Position"])


def _assess(
    plan: Plan, http: httpx.Client, name: str, seq: int, rng: random.Random, rec: Recorder
) -> None:
    ref = rng.choice(plan.hot if rng.random() < plan.hot_share else plan.items)
    for attempt in range(10):
        evidence = f"{plan.marker} bewijs van {name} #{seq}.{attempt}"
        body = {
            "quality": rng.choice(QUALITIES),
            "assessment": rng.choice(["shown", "partial", "lacking"]),
            "evidence": evidence,
            "source": "belastingtest",
        }
        response = rec.call(
            http, "curator: POST assessment", "POST", f"/api/{ref}/assessments", json=body
        )
        write = Write("assessment", name, ref, evidence, status_of(response))
        rec.writes.append(write)
        if response is None:
            return
        if response.is_success:
            write.position = int(response.headers["X-Archive-Position"])
            write.assessment_id = response.json().get("id")
            return
        if response.status_code != 412 or plan.stop.is_set():
            return
    rec.gave_up += 1


def researcher(plan: Plan, name: str, token: str, rec: Recorder) -> None:
    """Searches (filters, facets), timelines, the Kronieken, lists and item reads."""
    rng = random.Random(f"{plan.seed}:{name}")
    with httpx.Client(base_url=plan.base_url, headers=_auth(token), timeout=60.0) as http:
        while not plan.stop.is_set():
            roll = rng.random()
            if roll < 0.40:
                params: dict[str, Any] = {"q": rng.choice(SEARCH_WORDS)}
                if rng.random() < 0.3:
                    params["quality"] = rng.choice(QUALITIES)
                if rng.random() < 0.2:
                    params["kind"] = rng.choice(["episodes", "stories", "media"])
                if rng.random() < 0.2:
                    params["year"] = rng.choice(YEARS)
                rec.call(http, "researcher: search", "GET", "/api/search", params=params)
            elif roll < 0.60:
                year = rng.choice(YEARS)
                fmt = rng.choice(["json", "json", "markdown", "timelinejs"])
                rec.call(
                    http,
                    "researcher: timeline",
                    "GET",
                    f"/api/timelines/{year}",
                    params={"format": fmt},
                )
            elif roll < 0.65:
                rec.call(http, "researcher: kronieken", "GET", "/api/kronieken")
            elif roll < 0.75:
                kind = rng.choice(["episodes", "stories", "media"])
                params = {"quality": rng.choice(QUALITIES)} if rng.random() < 0.5 else {}
                rec.call(http, "researcher: list", "GET", f"/api/{kind}", params=params)
            else:
                ref = rng.choice(plan.hot if rng.random() < 0.3 else plan.items)
                rec.call(http, "researcher: GET item", "GET", f"/api/{ref}")


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


# -- processes ---------------------------------------------------------------------------


def _proc_stats() -> dict[int, tuple[str, list[str]]]:
    """Every live process: pid → (command name, the fields of /proc/PID/stat after it)."""
    stats: dict[int, tuple[str, list[str]]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        stats[int(entry.name)] = (name, raw[raw.rindex(")") + 2 :].split())
    return stats


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its live descendants (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = _proc_stats()
    children: dict[int, list[int]] = defaultdict(list)
    for child, (_, fields) in stats.items():
        children[int(fields[1])].append(child)
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        if current in stats:
            f = stats[current][1]
            total += sum(int(x) for x in f[11:15]) / tick  # utime stime cutime cstime
        todo.extend(children.get(current, []))
    return total


def postgres_cpu() -> dict[int, float]:
    """CPU seconds of each `postgres` process on this host (all databases, all clients)."""
    tick = os.sysconf("SC_CLK_TCK")
    return {
        pid: sum(int(x) for x in fields[11:13]) / tick
        for pid, (name, fields) in _proc_stats().items()
        if name.startswith("postgres")
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_ready(
    server: subprocess.Popen[bytes], base: str, server_log: Callable[[], str], timeout: float = 120
) -> None:
    """Until `base`/api/health answers 200; SystemExit when the server stops or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                f"the server stopped at start-up (exit {server.returncode}):\n"
                + server_log()[-3000:]
            )
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the server did not answer /api/health within {timeout:.0f} s")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to a child started with `start_new_session=True` (its whole process group),
    SIGKILL when it has not ended 20 s later."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


@dataclass
class Setup:
    """The temporary archive, its environment and the processes serving it."""

    args: argparse.Namespace
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="wijkarchief-lt-")))
    schema: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    server: subprocess.Popen[bytes] | None = None
    projector: subprocess.Popen[bytes] | None = None
    layout: str = "follow"
    notes: list[str] = field(default_factory=list)
    port: int = 0

    def prepare(self) -> None:
        """Environment, schema, seed."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("WIJKARCHIEF_")}
        env["WIJKARCHIEF_DATA"] = str(self.root / "data")
        # The search backend is the caller's choice (default: Whoosh), passed on to the server.
        backend = os.environ.get("WIJKARCHIEF_SEARCH_BACKEND")
        if backend:
            env["WIJKARCHIEF_SEARCH_BACKEND"] = backend
        env.pop("CREATE_TABLE", None)
        if self.args.store == "postgres":
            self.schema = f"lt_{uuid.uuid4().hex[:10]}"
            env["WIJKARCHIEF_DATABASE_URL"] = self.args.postgres_url
            env["WIJKARCHIEF_DATABASE_SCHEMA"] = self.schema
            _pg(self.args.postgres_url, f"CREATE SCHEMA {self.schema}")
        self.env = env
        log(f"seeding ({self.args.store}, data in {self.root})")
        self.run_cli("seed")

    def run_cli(self, *words: str) -> str:
        done = subprocess.run(
            [*CLI, *words], env=self.env, cwd=self.root, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise SystemExit(f"wijkarchief {' '.join(words)} failed: {done.stderr.strip()}")
        return done.stdout

    def token(self, role: str, name: str) -> str:
        out = self.run_cli("token", "create", "--role", role, "--name", name)
        match = re.search(rf"\b{re.escape(name)}\.[A-Za-z0-9_-]+", out)
        if not match:
            raise SystemExit(f"no token in the output of token create: {out!r}")
        return match.group(0)

    def start(self) -> str:
        """Start the projector (when used) and the server; return the base URL."""
        help_text = subprocess.run(
            [*CLI, "serve", "--help"], capture_output=True, text=True, env=self.env
        ).stdout
        has_no_follow = "--no-follow" in help_text
        wanted = self.args.layout
        if wanted == "auto":
            wanted = "projector" if self.args.store == "postgres" else "follow"
        if wanted == "projector" and not has_no_follow:
            self.notes.append(
                "`wijkarchief serve` has no --no-follow option yet: ran the default layout "
                "(every worker follows the log itself), no projector process"
            )
            wanted = "follow"
        self.layout = wanted
        logs = self.root / "logs"
        logs.mkdir(exist_ok=True)
        if wanted == "projector":
            self.projector = subprocess.Popen(
                [*CLI, "project"],
                env=self.env,
                cwd=self.root,
                start_new_session=True,
                stdout=(logs / "project.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
        self.port = self.args.port or free_port()
        command = [*CLI, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if self.args.workers > 1:
            command += ["--workers", str(self.args.workers)]
        if wanted == "projector":
            command.append("--no-follow")
        server_env = dict(self.env)
        if self.args.no_create_table:
            server_env["CREATE_TABLE"] = "no"
        log(f"starting: {' '.join(command[1:])} (layout: {wanted})")
        self.server = subprocess.Popen(
            command,
            env=server_env,
            cwd=self.root,
            start_new_session=True,
            stdout=(logs / "serve.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{self.port}"
        wait_ready(self.server, base, self.server_log)
        return base

    def server_log(self) -> str:
        path = self.root / "logs" / "serve.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def projector_log(self) -> str:
        path = self.root / "logs" / "project.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def close(self) -> None:
        """Stop the processes (their own process groups), drop the schema, remove the files."""
        for process in (self.server, self.projector):
            if process is not None:
                stop_process(process)
        if self.schema:
            try:
                _pg(self.args.postgres_url, f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
            except Exception as error:  # the report matters more than the clean-up
                log(f"could not drop schema {self.schema}: {error}")
        if self.args.keep:
            log(f"kept {self.root}")
        else:
            shutil.rmtree(self.root, ignore_errors=True)


def _pg(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)


# -- the run -----------------------------------------------------------------------------


def tracebacks(text: str, limit: int = 5) -> list[str]:
    """The distinct tracebacks in a log: the last 25 lines of each, up to its exception line."""
    found: list[str] = []
    lines = text.splitlines()
    for start, line in enumerate(lines):
        if not line.startswith("Traceback (most recent call last)"):
            continue
        end = start + 1
        while end < len(lines) and (lines[end][:1] in (" ", "\t") or not lines[end].strip()):
            end += 1
        block = "\n".join(lines[max(start, end - 24) : end + 1])
        if block not in found:
            found.append(block)
    return found[:limit]


def code_version() -> str:
    """The commit the tree is at, and how many files differ from it (read-only git calls)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
        ).stdout.splitlines()
    except OSError:
        return "unknown"
    return f"{head} + {len(status)} changed files" if status else head


def load_sampler(stop: threading.Event, into: list[tuple[float, float, float]]) -> None:
    while not stop.wait(5.0):
        into.append(os.getloadavg())


def run(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "store": args.store,
        "curators": args.curators,
        "researchers": args.researchers,
        "seconds": args.seconds,
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "loadavg_before_setup": os.getloadavg(),
        "code": code_version(),
    }
    setup = Setup(args)
    try:
        setup.prepare()
        tokens = {
            f"lt-curator-{i + 1}": setup.token("curator", f"lt-curator-{i + 1}")
            for i in range(args.curators)
        }
        tokens.update(
            {
                f"lt-researcher-{i + 1}": setup.token("researcher", f"lt-researcher-{i + 1}")
                for i in range(args.researchers)
            }
        )
        base = setup.start()
        report["layout"] = setup.layout
        report["notes"] = setup.notes
        curator_token = tokens["lt-curator-1"] if args.curators else setup.token("curator", "lt")
        with httpx.Client(base_url=base, headers=_auth(curator_token), timeout=60) as http:
            items = [
                entry["ref"]
                for kind in ("stories", "episodes", "media")
                for entry in http.get(f"/api/{kind}", params={"limit": 1000}).json()["items"]
            ]
            vocabulary = {q["id"] for q in http.get("/api/qualities").json()["items"]}
            start = http.get("/api/health").json()["position"]
        missing = [q for q in QUALITIES if q not in vocabulary]
        if missing:
            raise SystemExit(f"qualities not in the vocabulary: {missing}")
        hot = [r for r in ("stories/0001", "episodes/duimdrop") if r in items] or items[:2]
        marker = f"LT{uuid.uuid4().hex[:6]}"
        stop = threading.Event()
        plan = Plan(
            base,
            items,
            hot,
            marker,
            stop,
            args.hot_share,
            range(2000, 2000 + args.story_numbers),
            args.seed,
        )
        recorders: dict[str, Recorder] = {}
        threads = []
        for name, token in tokens.items():
            rec = recorders[name] = Recorder()
            target: Callable[..., None] = curator if "curator" in name else researcher
            threads.append(
                threading.Thread(target=target, args=(plan, name, token, rec), name=name)
            )
        loads: list[tuple[float, float, float]] = [os.getloadavg()]
        sampler = threading.Thread(target=load_sampler, args=(stop, loads), daemon=True)
        pg_before = postgres_cpu() if args.store == "postgres" else {}
        cpu_before = _cpu(setup)
        log(
            f"load: {args.curators} curators, {args.researchers} researchers, {args.seconds} s, "
            f"{len(items)} items ({', '.join(hot)} shared), log position {start}"
        )
        began = time.perf_counter()
        sampler.start()
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began
        loads.append(os.getloadavg())
        cpu_after = _cpu(setup)
        report["elapsed_seconds"] = elapsed
        report["loadavg_during"] = loads
        report["cpu_seconds"] = {k: cpu_after[k] - cpu_before[k] for k in cpu_after}
        if args.store == "postgres":
            # Per process, so that backends which ended during the run do not count negative
            # (their CPU is lost instead: an underestimate).
            report["cpu_seconds"]["postgres (its processes on the host, all databases)"] = sum(
                seconds - pg_before.get(pid, 0.0) for pid, seconds in postgres_cpu().items()
            )
        samples = [s for r in recorders.values() for s in r.samples]
        writes = [w for r in recorders.values() for w in r.writes]
        errors = [e for r in recorders.values() for e in r.errors]
        report["operations"] = summarise(samples, elapsed)
        report["all"] = {
            "requests": len(samples),
            "requests_per_second": len(samples) / elapsed,
            "acknowledged_writes_per_second": sum(w.acknowledged for w in writes) / elapsed,
            "gave_up_after_10_tries": sum(r.gave_up for r in recorders.values()),
        }
        report["errors"] = errors
        stale_answers = [
            w for w in writes if w.acknowledged and w.op == "patch" and w.answer_value != w.value
        ]
        report["patch_answers_showing_a_later_write"] = len(stale_answers)
        report["patch_answers_showing_a_later_write_examples"] = [
            f"{w.ref}: wrote version {(w.expected_version or 0) + 1}, answer shows version "
            f"{w.answer_version}"
            for w in stale_answers[:5]
        ]
        log(f"{len(samples)} requests, {len(errors)} errors; checking for lost updates")
        with httpx.Client(base_url=base, headers=_auth(curator_token), timeout=120) as http:
            checked: Findings = check(http, writes, start, marker)
        report["check"] = checked.as_dict()
        report["server_tracebacks"] = tracebacks(setup.server_log())
        report["projector_tracebacks"] = tracebacks(setup.projector_log())
        report["loadavg_after"] = os.getloadavg()
        report["failed"] = bool(errors) or checked.failed
        if report["failed"] and not args.keep:
            kept = Path(tempfile.mkdtemp(prefix="wijkarchief-lt-logs-"))
            shutil.copytree(setup.root / "logs", kept, dirs_exist_ok=True)
            report["logs"] = str(kept)
        elif args.keep:
            report["logs"] = str(setup.root / "logs")
        return report
    finally:
        setup.close()


def _cpu(setup: Setup) -> dict[str, float]:
    cpu = {"load generator (this process)": sum(os.times()[:2])}
    if setup.server:
        cpu["server (all workers)"] = cpu_seconds(setup.server.pid)
    if setup.projector:
        cpu["projector"] = cpu_seconds(setup.projector.pid)
    return cpu


# -- output ------------------------------------------------------------------------------


def render(report: dict[str, Any]) -> str:
    lines = [
        f"== load test: {report['store']}, {report['curators']} curators + "
        f"{report['researchers']} researchers, {report['elapsed_seconds']:.1f} s, "
        f"serve --workers {report['workers']}, layout {report['layout']} ==",
    ]
    lines.append(f"code: {report['code']}")
    lines += [f"note: {n}" for n in report.get("notes", [])]
    head = ("operation", "count", "ops/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "statuses")
    rows = [head]
    for op, r in report["operations"].items():
        statuses = " ".join(f"{k}×{v}" for k, v in r["statuses"].items())
        rows.append(
            (
                op,
                f"{r['count']:,}",
                f"{r['ops_per_second']:.1f}",
                f"{r['p50_ms']:.0f}",
                f"{r['p95_ms']:.0f}",
                f"{r['p99_ms']:.0f}",
                f"{r['max_ms']:.0f}",
                statuses,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    for n, row in enumerate(rows):
        cells = [
            row[0].ljust(widths[0]),
            *(c.rjust(w) for c, w in zip(row[1:-1], widths[1:-1], strict=True)),
        ]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    a = report["all"]
    lines.append(
        f"all: {a['requests']:,} requests, {a['requests_per_second']:.1f}/s; "
        f"acknowledged writes {a['acknowledged_writes_per_second']:.1f}/s; "
        f"gave up after 10 tries: {a['gave_up_after_10_tries']}"
    )
    c = report["check"]
    verdict = "no lost updates" if c["ok"] else "LOST OR UNEXPECTED WRITES"
    lines.append(
        f"check: {verdict} — {c['acknowledged_writes']} acknowledged of {c['attempted_writes']} "
        f"attempted writes, {c['events_after_start']} events in the log after the start, "
        f"{c['items_checked']} items checked"
    )
    for key in ("lost", "unacknowledged", "final_state", "views", "notes"):
        for entry in c[key][:20]:
            lines.append(f"  {key}: {entry}")
        if len(c[key]) > 20:
            lines.append(f"  {key}: … {len(c[key]) - 20} more")
    lines.append(
        f"PATCH answers that already show a later write: "
        f"{report['patch_answers_showing_a_later_write']}"
    )
    for example in report["patch_answers_showing_a_later_write_examples"]:
        lines.append(f"  {example}")
    errors = report["errors"]
    lines.append(f"errors (status other than 2xx/409/412, or no answer): {len(errors)}")
    distinct = Counter((e["op"], e["status"], e["body"][:300]) for e in errors)
    for (op, status, body), n in distinct.most_common(10):
        lines.append(f"  {n}× {op}: {status} {body}")
    for tb in report["server_tracebacks"] + report["projector_tracebacks"]:
        lines.append("  log: " + tb.replace("\n", "\n       "))
    if report.get("logs"):
        lines.append(f"server and projector logs: {report['logs']}")
    cpu = ", ".join(f"{k} {v:.1f} s" for k, v in report["cpu_seconds"].items())
    lines.append(
        f"CPU during the load ({report['cpus']} cores × {report['elapsed_seconds']:.0f} s "
        f"= {report['cpus'] * report['elapsed_seconds']:.0f} s): {cpu}"
    )
    one_minute = [round(x[0], 2) for x in report["loadavg_during"]]
    lines.append(
        f"load average (1 min): before set-up {report['loadavg_before_setup'][0]:.2f}, during "
        f"{min(one_minute):.2f}-{max(one_minute):.2f}, after {report['loadavg_after'][0]:.2f}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--curators", type=int, default=4)
    parser.add_argument("--researchers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=1, help="serve --workers (default 1)")
    parser.add_argument(
        "--layout",
        choices=["auto", "follow", "projector"],
        default="auto",
        help="projector: serve --no-follow plus `wijkarchief project` (auto: on PostgreSQL)",
    )
    parser.add_argument(
        "--postgres-url", default=os.environ.get("WIJKARCHIEF_DATABASE_URL") or DEFAULT_PG
    )
    parser.add_argument(
        "--no-create-table",
        action="store_true",
        help="serve with CREATE_TABLE=no (the runbook's start-up workaround)",
    )
    parser.add_argument(
        "--hot-share",
        type=float,
        default=0.5,
        help="share of a curator's edits that go to the items all of them edit",
    )
    parser.add_argument(
        "--story-numbers",
        type=int,
        default=60,
        help="new stories draw their number from this many (collisions: 409)",
    )
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--json", metavar="PATH", help="write the report as JSON (-: stdout)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory and logs")
    args = parser.parse_args(argv)
    try:
        report = run(args)
    except SystemExit as stop:
        log(f"set-up failed: {stop}")
        return 2
    if args.json == "-":
        json.dump(report, sys.stdout, indent=2, ensure_ascii=False, default=str)
        print()
    else:
        print(render(report))
        if args.json:
            Path(args.json).write_text(
                json.dumps(report, indent=2, ensure_ascii=False, default=str)
            )
    return 1 if report["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())

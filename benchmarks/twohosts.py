"""Load test with two hosts on one PostgreSQL database behind nginx (issue 20).

    .venv/bin/python benchmarks/twohosts.py --curators 4 --researchers 8 --seconds 60

The same clients as `loadtest.py` (curators revising with If-Match, registering, assessing;
researchers searching, reading timelines, lists and items), the same no-lost-update check,
but against two hosts: each a `wijkarchief serve --no-follow --workers W` and a
`wijkarchief project` with a data directory (search index) of its own, on one fresh schema,
with nginx (`docs/nginx.conf`, round-robin) in front. Beside them a prober measures stale
reads: it registers a story through the proxy and at once searches for its word through the
proxy and on each host directly, each once without and once with `X-Archive-Min-Position`
(the write's position), and counts the searches that miss it. Prints the same table as
`loadtest.py` plus the stale reads; `--json PATH` writes the report. Nothing is asserted:
the numbers are for `docs/load-test.md`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import loadtest as lt
from loadcheck import Write, check

sys.path.insert(0, str(lt.ROOT))
from tests.proxy import main_config, site_config

MIN = "X-Archive-Min-Position"


class TwoHosts(lt.Setup):
    """`loadtest.Setup` (schema, seed, tokens, host A) plus host B and nginx."""

    server_b: subprocess.Popen[bytes] | None = None
    projector_b: subprocess.Popen[bytes] | None = None
    nginx: subprocess.Popen[bytes] | None = None

    def start_all(self) -> tuple[str, str, str]:
        """Host A (as `loadtest`), host B, nginx; their base URLs (A, B, proxy)."""
        base_a = self.start()
        logs = self.root / "logs"
        env_b = {**self.env, "WIJKARCHIEF_DATA": str(self.root / "data-b")}
        self.projector_b = subprocess.Popen(
            [*lt.CLI, "project"], env=env_b, cwd=self.root, start_new_session=True,
            stdout=(logs / "project-b.log").open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        port_b = lt.free_port()
        command = [*lt.CLI, "serve", "--host", "127.0.0.1", "--port", str(port_b), "--no-follow"]
        if self.args.workers > 1:
            command += ["--workers", str(self.args.workers)]
        self.server_b = subprocess.Popen(
            command, env=env_b, cwd=self.root, start_new_session=True,
            stdout=(logs / "serve-b.log").open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        base_b = f"http://127.0.0.1:{port_b}"
        lt.wait_ready(self.server_b, base_b, lambda: (logs / "serve-b.log").read_text())
        work = self.root / "nginx"
        work.mkdir()
        port = lt.free_port()
        upstreams = [base.removeprefix("http://") for base in (base_a, base_b)]
        site = work / "site.conf"
        site.write_text(site_config(f"127.0.0.1:{port}", upstreams))
        (work / "nginx.conf").write_text(main_config(work, site))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.nginx = subprocess.Popen(
            [nginx, "-p", str(work), "-e", str(work / "error.log"), "-c",
             str(work / "nginx.conf"), "-g", "daemon off;"],
            start_new_session=True, stdout=(logs / "nginx.log").open("wb"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        proxy = f"http://127.0.0.1:{port}"
        lt.wait_ready(self.nginx, proxy, lambda: (logs / "nginx.log").read_text())
        return base_a, base_b, proxy

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far of this process, each host's server and projector, and nginx."""
        cpu = {"load generator (this process)": sum(os.times()[:2])}
        named = {
            "server A": self.server, "projector A": self.projector, "server B": self.server_b,
            "projector B": self.projector_b, "nginx": self.nginx,
        }  # fmt: skip
        for name, process in named.items():
            if process is not None:
                cpu[name] = lt.cpu_seconds(process.pid)
        return cpu

    def close(self) -> None:
        for process in (self.nginx, self.server_b, self.projector_b):
            if process is not None:
                lt.stop_process(process)
        super().close()


def probe(plan: lt.Plan, token: str, out: dict[str, Any], rec: lt.Recorder) -> None:
    """Write a story, then search for it at once without and with the write's position."""
    proxy, stop = plan.base_url, plan.stop
    auth = lt._auth(token)
    number = 8000
    with httpx.Client(headers=auth, timeout=60) as http:
        while not stop.is_set() and number < 9999:
            number += 1
            word = "qv" + "".join("bcdfghjklm"[int(d)] for d in str(number))
            title = f"{plan.marker} proef {word}"
            written = http.post(
                f"{proxy}/api/stories",
                json={
                    "number": str(number),
                    "title": title,
                    "body_markdown": "x",
                    "consent": "public",
                },
            )
            write = Write("story", "lt-prober", f"stories/{number}", title, written.status_code)
            rec.writes.append(write)
            if written.status_code != 201:
                out["write_errors"] += 1
                continue
            position = written.headers["X-Archive-Position"]
            write.position = int(position)
            # Through the proxy (either host), then on each host directly (one of them took
            # the write; the other has it once its own projector has indexed it).
            for target in out["targets"]:
                for mode, headers in (("without", {}), ("with", {MIN: position})):
                    found = http.get(f"{target}/api/search", params={"q": word}, headers=headers)
                    counts = out[f"{out['targets'][target]} {mode}"]
                    counts[0] += 1
                    if found.status_code != 200 or found.json()["total"] != 1:
                        counts[1] += 1
            time.sleep(0.2)


def run(args: argparse.Namespace) -> dict[str, Any]:
    args.store, args.layout, args.no_create_table, args.port = "postgres", "projector", False, 0
    report: dict[str, Any] = {
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "store": "postgres, two hosts behind nginx",
        "curators": args.curators,
        "researchers": args.researchers,
        "seconds": args.seconds,
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "loadavg_before_setup": os.getloadavg(),
        "code": lt.code_version(),
        "notes": [],
        "cpu_seconds": {},
    }
    setup = TwoHosts(args)
    try:
        setup.prepare()
        tokens = {f"lt-curator-{i + 1}": setup.token("curator", f"lt-curator-{i + 1}")
                  for i in range(args.curators)}  # fmt: skip
        tokens.update({f"lt-researcher-{i + 1}": setup.token("researcher", f"lt-researcher-{i + 1}")
                       for i in range(args.researchers)})  # fmt: skip
        prober = setup.token("curator", "lt-prober")
        base_a, base_b, proxy = setup.start_all()
        report["layout"] = "2 hosts × (serve --no-follow + project), nginx round-robin"
        curator_token = tokens["lt-curator-1"]
        with httpx.Client(base_url=proxy, headers=lt._auth(curator_token), timeout=60) as http:
            items = [
                entry["ref"]
                for kind in ("stories", "episodes", "media")
                for entry in http.get(f"/api/{kind}", params={"limit": 1000}).json()["items"]
            ]
            start = http.get("/api/health").json()["position"]
        hot = [r for r in ("stories/0001", "episodes/duimdrop") if r in items] or items[:2]
        stop = threading.Event()
        plan = lt.Plan(proxy, items, hot, f"LT{os.getpid()}", stop, args.hot_share,
                       range(2000, 2000 + args.story_numbers), args.seed)  # fmt: skip
        recorders = {name: lt.Recorder() for name in [*tokens, "lt-prober"]}
        threads = [
            threading.Thread(
                target=lt.curator if "curator" in name else lt.researcher,
                args=(plan, name, token, recorders[name]),
            )
            for name, token in tokens.items()
        ]
        targets = {proxy: "proxy", base_a: "host A", base_b: "host B"}
        stale: dict[str, Any] = {"targets": targets, "write_errors": 0}
        for name in targets.values():
            stale[f"{name} without"], stale[f"{name} with"] = [0, 0], [0, 0]
        threads.append(
            threading.Thread(target=probe, args=(plan, prober, stale, recorders["lt-prober"]))
        )
        loads = [os.getloadavg()]
        cpu_before = setup.cpu()
        lt.log(f"load through {proxy}: {args.curators} curators, {args.researchers} researchers")
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        loads.append(os.getloadavg())
        report["cpu_seconds"] = {k: v - cpu_before[k] for k, v in setup.cpu().items()}
        samples = [s for r in recorders.values() for s in r.samples]
        writes = [w for r in recorders.values() for w in r.writes]
        errors = [e for r in recorders.values() for e in r.errors]
        report.update(elapsed_seconds=elapsed, loadavg_during=loads, errors=errors,
                      operations=lt.summarise(samples, elapsed), stale_reads=stale)  # fmt: skip
        report["all"] = {
            "requests": len(samples),
            "requests_per_second": len(samples) / elapsed,
            "acknowledged_writes_per_second": sum(w.acknowledged for w in writes) / elapsed,
            "gave_up_after_10_tries": sum(r.gave_up for r in recorders.values()),
        }
        report["patch_answers_showing_a_later_write"] = 0
        report["patch_answers_showing_a_later_write_examples"] = []
        with httpx.Client(base_url=proxy, headers=lt._auth(curator_token), timeout=120) as http:
            # The prober's stories are writes too, acknowledged outside the curators' plan.
            report["check"] = check(http, writes, start, plan.marker).as_dict()
        logs = setup.root / "logs"
        report["server_tracebacks"] = lt.tracebacks(
            "".join(p.read_text(errors="replace") for p in logs.glob("serve*.log"))
        )
        report["projector_tracebacks"] = lt.tracebacks(
            "".join(p.read_text(errors="replace") for p in logs.glob("project*.log"))
        )
        report["loadavg_after"] = os.getloadavg()
        report["failed"] = bool(errors)
        return report
    finally:
        setup.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--curators", type=int, default=4)
    parser.add_argument("--researchers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=1, help="serve --workers per host")
    parser.add_argument("--postgres-url", default=lt.DEFAULT_PG)
    parser.add_argument("--hot-share", type=float, default=0.5)
    parser.add_argument("--story-numbers", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    report = run(args)
    print(lt.render(report))
    s = report["stale_reads"]
    print("stale reads (a search right after the write; missed of asked):")
    for name in s["targets"].values():
        (asked, missed), (asked_with, missed_with) = s[f"{name} without"], s[f"{name} with"]
        print(f"  {name}: without the position {missed} of {asked}, "
              f"with it {missed_with} of {asked_with}")  # fmt: skip
    print(f"prober write errors: {s['write_errors']}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    return 1 if report["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())

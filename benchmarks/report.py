"""The readable table of one run (figure, baseline, ratio = figure ÷ baseline)."""

from __future__ import annotations

from typing import Any

Row = tuple[str, str, str, str]


def rate(value: float, unit: str = "ev/s") -> str:
    """A throughput with thousands separators (one decimal below 100)."""
    return f"{value:,.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"


def ratio(value: float, base: float) -> str:
    """figure ÷ baseline, two significant decimals."""
    return f"{value / base:.3g}" if base else "—"


def mib(kib: float) -> str:
    """KiB as MiB."""
    return f"{kib / 1024:,.0f} MiB"


def duration(seconds: float) -> str:
    """Seconds, or minutes and seconds."""
    if seconds < 120:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {seconds % 60:.0f} s"


def _filled(rows: list[Row]) -> list[Row]:
    """The rows that have a value."""
    return [row for row in rows if row[1]]


def write_rows(run: dict[str, Any]) -> list[Row]:
    """Phase 1: the bulk write beside the bare app in the same shape."""
    w = run["write"]
    warm = run["edtf_warmup"]
    times = f"{w['save_seconds']:.1f} s / {w['domain_seconds']:.1f} s"
    tenths = ""
    if "last_tenth_events_per_second" in w:
        tenths = " / ".join(rate(w[f"{k}_tenth_events_per_second"]) for k in ("first", "last"))
    return _filled(
        [
            (
                f"bulk write via app.save, 100 aggregates per commit ({w['events']:,} events)",
                rate(w["events_per_second"]),
                rate(w["bare_events_per_second"]),
                ratio(w["events_per_second"], w["bare_events_per_second"]),
            ),
            ("  incl. building the aggregates", rate(w["events_per_second_incl_domain"]), "", ""),
            ("  in the first / last tenth of the commits", tenths, "", ""),
            ("  seconds in app.save / in the domain", times, f"{w['bare_save_seconds']:.1f} s", ""),
            (
                f"  EDTF warm-up: {warm['distinct']} distinct dates, once per process",
                duration(warm["seconds"]),
                "",
                "",
            ),
        ]
    )


def command_rows(run: dict[str, Any]) -> list[Row]:
    """Curator commands through the full Archive, beside one-event commits."""
    c = run.get("commands")
    if not c:
        return []
    bare = c["bare_commits_per_second"]
    rows: list[Row] = [
        (
            f"curator commands: Archive.register ×{c['commands']} ({c['events']} events)",
            rate(c["commands_per_second"], "cmd/s"),
            rate(bare, "commits/s"),
            ratio(c["commands_per_second"], bare),
        ),
        (
            "  latency p50 / p95 / p99 / max",
            _p(c["latency"], "p50_ms", "p95_ms", "p99_ms", "max_ms"),
            _p(c["bare_latency"], "p50_ms", "p95_ms", "p99_ms", "max_ms"),
            ratio(c["latency"]["p50_ms"], c["bare_latency"]["p50_ms"]),
        ),
    ]
    if "commands_per_second_with_catch_up" in c:
        rows.append(
            (
                f"  with the next read's catch-up ({c['burst_catch_up_seconds']:.2f} s for all)",
                rate(c["commands_per_second_with_catch_up"], "cmd/s"),
                rate(bare, "commits/s"),
                ratio(c["commands_per_second_with_catch_up"], bare),
            )
        )
    if c.get("interleaved_commands"):
        rows.append(
            (
                f"  each followed by a read ×{c['interleaved_commands']}, p50 / p95",
                rate(c["interleaved_commands_per_second"], "cmd/s")
                + " · "
                + _p(c["interleaved_latency"], "p50_ms", "p95_ms"),
                rate(bare, "commits/s"),
                ratio(c["interleaved_commands_per_second"], bare),
            )
        )
    total = c["commands"] + c.get("interleaved_commands", 0)
    for name, seconds in c["parts_seconds"].items():
        rows.append((f"    {name}, mean", f"{seconds / total * 1000:.1f} ms/cmd", "", ""))
    return rows


REBUILD_LABELS = {
    "all": "rebuild: Archive.rebuild(), every view",
    "catalogue": "  catalogue alone (own Followers)",
    "search": "  search index alone (own Followers)",
}


def rebuild_rows(run: dict[str, Any]) -> list[Row]:
    """Replay, rebuild and the per-view breakdown (each from its own process)."""
    probes = run["probes"]
    replay = probes["replay"]
    replay_rate = replay["events"] / replay["seconds"]
    bare_rate = run["bare_replay_events_per_second"]
    rows: list[Row] = [
        (
            "decoded replay of the archive's log (its ShreddingMapper)",
            rate(replay_rate),
            f"bare log {rate(bare_rate)}",
            ratio(replay_rate, bare_rate),
        )
    ]
    for mode, label in REBUILD_LABELS.items():
        probe = probes.get(mode)
        if probe is None:
            continue
        events_rate = probe["events"] / probe["seconds"]
        memory = f"{duration(probe['seconds'])} / {mib(probe['peak_rss_kib'])}"
        rows += [
            (
                label,
                rate(events_rate),
                f"replay {rate(replay_rate)}",
                ratio(events_rate, replay_rate),
            ),
            ("    wall / peak RSS (RSS before)", memory, f"({mib(probe['rss_before_kib'])})", ""),
        ]
        if probe.get("views"):
            split = ", ".join(f"{name} {duration(s)}" for name, s in probe["views"].items())
            rows.append(("    of which", split, "", ""))
    return rows


def search_rows(run: dict[str, Any]) -> list[Row]:
    """Latency per shape and role, beside the bare engine."""
    latency = run.get("latency")
    if not latency:
        return []
    cold = f"{latency['cold_first_search_seconds'] * 1000:.0f} ms"
    index = f"{latency.get('documents', 0):,} documents in {latency.get('segments')} segments"
    rows: list[Row] = [
        ("search index after the rebuild", index, "", ""),
        ("search: first query after opening (searcher, facet sets)", cold, "", ""),
        ("search latency below: p50 / p95 / p99; ratio on p95", "", "bare engine", ""),
    ]
    for shape, row in latency["shapes"].items():
        bare = row["bare"]
        for role in ("public", "curator"):
            stats = row[role]
            label = f"search {shape} [{role}] ×{stats['queries']}"
            rows.append(
                (
                    f"{label}, ~{stats['mean_matches']:,.0f} hits",
                    _p(stats, "p50_ms", "p95_ms", "p99_ms"),
                    _p(bare, "p50_ms", "p95_ms", "p99_ms"),
                    ratio(stats["p95_ms"], bare["p95_ms"]),
                )
            )
    return rows


def http_rows(run: dict[str, Any]) -> list[Row]:
    """The archive over HTTP on one server worker, beside a POST alone and GET /api/health."""
    h = run.get("http")
    if not h:
        return []
    rows: list[Row] = [
        (
            f"HTTP: wijkarchief serve, one worker, search {h['search_backend']}; p50 / p95",
            f"ready in {h['startup_seconds']:.1f} s",
            "",
            "",
        )
    ]
    w = h.get("write_to_searchable") or {}
    if w.get("samples"):
        rows += [
            (
                f"  write → searchable ×{w['samples']}: POST, search until found; ratios",
                _p(w["searchable"], "p50_ms", "p95_ms"),
                f"POST alone {_p(w['post'], 'p50_ms', 'p95_ms')}",
                " / ".join(ratio(w["searchable"][k], w["post"][k]) for k in ("p50_ms", "p95_ms")),
            ),
            (
                "    of which the searches after the POST; polls mean / max",
                _p(w["search_after_post"], "p50_ms", "p95_ms"),
                f"{w['polls_mean']:.2f} / {w['polls_max']}",
                "",
            ),
        ]
    missing = len(w.get("not_found", [])) + len(w.get("errors", []))
    if missing:
        rows.append(
            (
                f"    not found within {w['not_found_within_seconds']:.0f} s / failed requests",
                f"{len(w['not_found'])} / {len(w['errors'])}",
                "",
                "",
            )
        )
    endpoints = h.get("endpoints", {})
    base = endpoints.get("health")
    for name, e in endpoints.items():
        if name == "health" or base is None:
            continue
        rows += [
            (
                f"  {e['label']}, {e['clients']} clients × {e['seconds']:.0f} s "
                f"({e['requests']:,} requests)",
                rate(e["requests_per_second"], "req/s"),
                f"{base['label']} {rate(base['requests_per_second'], 'req/s')}",
                ratio(e["requests_per_second"], base["requests_per_second"]),
            ),
            (
                "    latency p50 / p95; ratio on p95",
                _p(e, "p50_ms", "p95_ms"),
                _p(base, "p50_ms", "p95_ms"),
                ratio(e["p95_ms"], base["p95_ms"]),
            ),
            (
                "    server CPU per request",
                f"{e['server_cpu_ms_per_request']:.1f} ms",
                f"{base['server_cpu_ms_per_request']:.1f} ms",
                ratio(e["server_cpu_ms_per_request"], base["server_cpu_ms_per_request"]),
            ),
        ]
    bad = {
        e["label"]: n
        for e in endpoints.values()
        if (n := sum(v for k, v in e["statuses"].items() if k != "200"))
    }
    if bad:
        failed = ", ".join(f"{label} {n}" for label, n in bad.items())
        rows.append(("  answers other than 200 (failed runs)", failed, "", ""))
    if h.get("server_tracebacks"):
        found = str(len(h["server_tracebacks"]))
        rows.append(("  server tracebacks (see the JSON)", found, "", ""))
    return rows


def _p(stats: dict[str, float], *keys: str) -> str:
    """Milliseconds joined with slashes."""
    return " / ".join(f"{stats[k]:.1f}" for k in keys) + " ms"


def table(run: dict[str, Any]) -> str:
    """The whole table of one size, with a header line."""
    rows = [("figure", "value", "baseline", "ratio"), *write_rows(run), *command_rows(run)]
    if "probes" in run:
        rows += rebuild_rows(run)
    rows += search_rows(run)
    rows += http_rows(run)
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [
        f"== {run['items']:,} items, {run['write']['events']:,} events, {run['store']} "
        f"(run took {duration(run['seconds'])}) =="
    ]
    for number, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    phases = ", ".join(f"{k} {duration(v)}" for k, v in run.get("phase_seconds", {}).items())
    lines.append(f"time per phase: {phases}")
    loads = ", ".join(
        f"{k} {start[0]:.1f} → {end[0]:.1f}" for k, (start, end) in run.get("loadavg", {}).items()
    )
    if loads:
        lines.append(f"load average (1 min) at the start → end of each phase: {loads}")
    return "\n".join(line.rstrip() for line in lines)

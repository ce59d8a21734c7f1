"""The figures as Markdown: one table, the databases side by side, each target marked met or missed."""

import os
import platform
import re
from datetime import UTC, datetime

DB_LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
GROWTH_BEGIN, GROWTH_END = "<!-- bench:growth:begin -->", "<!-- bench:growth:end -->"
MAIN_STAGES = ("redirect", "dashboard", "ingest")  # the main table's; growth has a table of its own
TARGETS = {
    "ratio": 0.70,  # app / bare baseline req/s
    "p99_vs_baseline": 1.5,  # app p99 / bare baseline p99, same run
    "p99_ms": 25.0,  # redirect p99 at 32 connections
    "endpoint_ms": 150.0,  # every analytics endpoint, median
    "export_s": 5.0,  # CSV export of 100,000 links
    "bulk_s": 3.0,  # bulk creation of 10,000 links
}


def machine():
    """One line saying where the figures were taken."""
    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
        memory_kib = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
        memory = f"{memory_kib / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration):
        memory = "unknown RAM"
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def markdown(results):
    """`results` maps "sqlite"/"postgres" to what bench/run.py measured on that database."""
    dbs = [db for db in ("sqlite", "postgres") if db in results]
    first = results[dbs[0]]
    lines = [
        f"Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; "
        + "; ".join(f"{DB_LABELS[db]} {results[db]['database_version']}" for db in dbs)
        + ".",
        "",
        f"Dataset: {_dataset(first)}. Shared machine: compare the columns and the ratios, "
        "not absolute figures across runs.",
        "",
    ]
    redirect = {db: results[db].get("redirect") for db in dbs}
    if any(redirect.values()):
        settings = next(r for r in redirect.values() if r)
        lines += [
            f"Redirect: gunicorn {settings['workers']} sync workers, access log "
            f"{'on' if settings['access_log'] else 'off'}, wrk -t2 -c{settings['connections']} "
            f"-d{settings['duration']}s over random tokens with a desktop Chrome User-Agent; "
            f"{settings['rounds']} interleaved rounds (baseline, app, app alone, ...), medians. "
            "App: the worker runs beside it, deriving the figures and finding hot leads on the same "
            "cores, as deployed on one machine. App alone: the worker is stopped during the round and "
            "catches up after it, as when it runs on another machine.",
            "",
        ]
    header = "| figure | " + " | ".join(DB_LABELS[db] for db in dbs) + " | target |"
    lines += [header, "|" + " --- |" * (len(dbs) + 2)]
    lines += _redirect_rows(redirect, dbs)
    lines += _dashboard_rows({db: results[db].get("dashboard") for db in dbs}, dbs)
    lines += _export_rows({db: results[db] for db in dbs}, dbs)
    lines += _ingest_rows({db: results[db].get("ingest") for db in dbs}, dbs)
    lines += ["", "Targets:", ""] + [f"- {verdict}" for verdict in verdicts(results)]
    return "\n".join(lines) + "\n"


def growth_markdown(results):
    """The growth table of a run with --growth (empty when it measured none)."""
    dbs = [db for db in ("sqlite", "postgres") if db in results]
    growth = {db: results[db].get("growth") for db in dbs}
    if not any(growth.values()):
        return ""
    stamp = (
        f"Growth run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; "
        + "; ".join(f"{DB_LABELS[db]} {results[db]['database_version']}" for db in dbs if growth[db])
        + "."
    )
    return "\n".join([stamp, "", *_growth_table(growth, dbs)]) + "\n"


def verdicts(results):
    """One sentence per target and database: met, or missed and by how much."""
    out = []
    for db, result in results.items():
        label = DB_LABELS[db]
        redirect = result.get("redirect")
        if redirect:
            baseline_p99 = redirect["baseline"]["p99_ms"]
            out += _series_verdicts(f"{label}: redirect", "", redirect["app"], redirect["ratio"], baseline_p99)
            p99 = redirect["app"]["p99_ms"]
            out.append(
                _verdict(
                    f"{label}: redirect p99 {p99:.1f} ms",
                    p99 < TARGETS["p99_ms"],
                    f"{p99 - TARGETS['p99_ms']:.1f} ms over 25 ms",
                )
            )
            if redirect.get("app_alone"):
                out += _series_verdicts(
                    f"{label}: redirect alone",
                    " (worker stopped during the round)",
                    redirect["app_alone"],
                    redirect["alone_ratio"],
                    baseline_p99,
                )
        slow = [
            row
            for row in result.get("dashboard") or []
            if row["endpoint"] != "export.csv" and (row["status"] != 200 or row["median_ms"] >= TARGETS["endpoint_ms"])
        ]
        if result.get("dashboard") is not None:
            out.append(
                _verdict(
                    f"{label}: every analytics endpoint under 150 ms median",
                    not slow,
                    "; ".join(
                        f"{r['endpoint']} {r['filters']}: "
                        + (f"{r['median_ms']:.0f} ms" if r["status"] == 200 else f"HTTP {r['status']}")
                        for r in slow
                    ),
                )
            )
            exports = [
                row for row in result["dashboard"] if row["endpoint"] == "export.csv" and row["filters"] == "range=all"
            ]
            for row in exports:
                out.append(
                    _verdict(
                        f"{label}: CSV export of {row.get('rows', '?')} links "
                        + (f"in {row['median_ms'] / 1000:.2f} s" if row["status"] == 200 else f"HTTP {row['status']}"),
                        row["status"] == 200 and row["median_ms"] / 1000 < TARGETS["export_s"],
                        f"{row['median_ms'] / 1000 - TARGETS['export_s']:.2f} s over 5 s"
                        if row["status"] == 200
                        else "",
                    )
                )
        memory = result.get("export_memory")
        if memory and len(memory) == 2 and all("rss_growth_mib" in m for m in memory.values()):
            full, small = memory["all links"], memory["one campaign"]
            # Flat: 20x the rows may not cost more than 2x the memory (plus a few MiB of slack),
            # judged on the Python heap (exact) and on RSS (includes the driver's buffers).
            flat = all(full[key] <= 2 * small[key] + 8 for key in ("rss_growth_mib", "heap_peak_mib"))
            out.append(
                _verdict(
                    f"{label}: export memory for {full['rows']} rows vs {small['rows']}: heap peak "
                    f"{full['heap_peak_mib']:.1f} vs {small['heap_peak_mib']:.1f} MiB, RSS growth "
                    f"{full['rss_growth_mib']:.0f} vs {small['rss_growth_mib']:.0f} MiB",
                    flat,
                    "it grows with the row count",
                )
            )
        ingest = result.get("ingest")
        if ingest:
            bulk = ingest["bulk"]
            out.append(
                _verdict(
                    f"{label}: bulk creation of {bulk['size']} links in {bulk['seconds']:.2f} s "
                    f"(HTTP {bulk['status']})",
                    bulk["status"] in (200, 201) and bulk["seconds"] < TARGETS["bulk_s"],
                    f"{bulk['seconds'] - TARGETS['bulk_s']:.2f} s over 3 s"
                    if bulk["status"] in (200, 201)
                    else "the request failed",
                )
            )
    return out


def write(results, latest_path, docs_path):
    """Write what the run measured to bench/results/latest.md and between the markers of
    docs/BENCHMARKS.md: the main table replaces the main table, the growth table the growth table,
    so that a run of one leaves the other in place. A run that measured only part of the main
    table (one database, or some stages with --only) goes to latest.md alone: the documented table
    keeps every figure of the last complete run. Return the table and the paths written."""
    measured_main = any("dataset" in result for result in results.values())
    main = markdown(results) if measured_main else ""
    growth = growth_markdown(results)
    table = "\n".join(part for part in (main, growth) if part)
    latest_path.parent.mkdir(parents=True, exist_ok=True)
    latest_path.write_text(table)
    if not measured_every_main_figure(results):
        main = ""
    if not main and not growth:
        return table, [latest_path]
    document = docs_path.read_text() if docs_path.exists() else ""
    if BEGIN in document:
        block = document[document.index(BEGIN) + len(BEGIN) : document.index(END)].strip("\n")
    else:
        block = ""
    old_main, _, old_growth = block.partition(GROWTH_BEGIN)
    old_growth = old_growth.partition(GROWTH_END)[0].strip("\n")
    main = main or (old_main.strip("\n") + "\n" if old_main.strip() else "")
    growth = growth or (old_growth + "\n" if old_growth else "")
    new_block = main + (f"\n{GROWTH_BEGIN}\n{growth}{GROWTH_END}\n" if growth else "")
    if BEGIN in document:
        document = re.sub(
            re.escape(BEGIN) + ".*?" + re.escape(END),
            lambda _: f"{BEGIN}\n{new_block}{END}",
            document,
            flags=re.S,
        )
    else:
        document = (
            "# Benchmarks\n\nProduced by `python bench/run.py --db both` (see bench/README.md); the block "
            f"between the markers is rewritten by every run.\n\n{BEGIN}\n{new_block}{END}\n"
        )
    docs_path.write_text(document)
    return table, [latest_path, docs_path]


def measured_every_main_figure(results) -> bool:
    """Both databases, each with every stage of the main table."""
    return set(results) == {"sqlite", "postgres"} and all(
        results[db].get(stage) is not None for db in results for stage in MAIN_STAGES
    )


def _series_verdicts(subject, how, series, ratio, baseline_p99):
    """The share of the baseline's req/s, the p99 against the baseline's and the lost clicks of one
    series of redirect rounds ("app" or "app alone")."""
    p99, lost, errors = series["p99_ms"], series["lost_clicks"], series["errors"]
    return [
        _verdict(
            f"{subject}{how} at {ratio:.2f} of the bare baseline",
            ratio >= TARGETS["ratio"],
            f"{(TARGETS['ratio'] - ratio) / TARGETS['ratio']:.0%} short of 0.70",
        ),
        _verdict(
            f"{subject} p99 {p99:.1f} ms, {p99 / baseline_p99:.2f} x the bare baseline's",
            p99 <= TARGETS["p99_vs_baseline"] * baseline_p99,
            f"over {TARGETS['p99_vs_baseline']} x",
        ),
        _verdict(
            f"{subject}: {lost} lost clicks ({series['clicks_stored']} stored, {series['human_clicks']} of them human)",
            lost == 0 and errors == 0,
            f"{errors} errors",
        ),
    ]


def _verdict(text, met, why_missed):
    return f"{text}: **met**" if met else f"{text}: **missed** ({why_missed})"


def _dataset(result):
    data = result["dataset"]
    return (
        f"{data['links']:,} links in {data['campaigns']} campaigns, {data['icps']} ICPs "
        f"({data['null_icp_share']:.0%} without), {data['clicks']:,} clicks over {data['days']} days "
        f"({data['machine_click_share']:.1%} machine clicks); {data['status']}"
    )


def _row(label, cells, target=""):
    return f"| {label} | " + " | ".join(cells) + f" | {target} |"


def _redirect_rows(redirect, dbs):
    if not any(redirect.values()):
        return []

    def cell(db, get):
        return get(redirect[db]) if redirect[db] else "not run"

    return [
        _row("redirect req/s: app", [cell(db, lambda r: f"{r['app']['requests_per_second']:,.0f}") for db in dbs]),
        _row(
            "redirect req/s: app alone (worker stopped during the round)",
            [cell(db, lambda r: _alone(r, lambda a: f"{a['requests_per_second']:,.0f}")) for db in dbs],
        ),
        _row(
            "redirect req/s: bare baseline",
            [cell(db, lambda r: f"{r['baseline']['requests_per_second']:,.0f}") for db in dbs],
        ),
        _row("**app / baseline**", [cell(db, lambda r: f"**{r['ratio']:.2f}**") for db in dbs], "≥ 0.70"),
        _row(
            "**app alone / baseline**",
            [cell(db, lambda r: _alone(r, lambda a: f"**{r['alone_ratio']:.2f}**")) for db in dbs],
            "≥ 0.70",
        ),
        _row(
            "CPU µs per redirect, in-process: app / baseline (baseline / app)",
            [
                cell(
                    db,
                    lambda r: (
                        f"{r['cpu']['app_us']:.0f} / {r['cpu']['baseline_us']:.0f} ({r['cpu']['ratio']:.2f})"
                        if r.get("cpu")
                        else "not run"
                    ),
                )
                for db in dbs
            ],
        ),
        _row(
            "p50 ms: app / baseline",
            [cell(db, lambda r: f"{r['app']['p50_ms']:.1f} / {r['baseline']['p50_ms']:.1f}") for db in dbs],
        ),
        _row(
            "p99 ms: app / baseline",
            [cell(db, lambda r: f"{r['app']['p99_ms']:.1f} / {r['baseline']['p99_ms']:.1f}") for db in dbs],
            "app < 25",
        ),
        _row(
            "p50 / p99 ms: app alone",
            [cell(db, lambda r: _alone(r, lambda a: f"{a['p50_ms']:.1f} / {a['p99_ms']:.1f}")) for db in dbs],
        ),
        _row(
            "app alone: 302s / clicks stored / lost; worker caught up after (s)",
            [
                cell(
                    db,
                    lambda r: _alone(
                        r,
                        lambda a: (
                            f"{a['answered']:,} / {a['clicks_stored']:,} / {a['lost_clicks']}; "
                            f"{a.get('catch_up_seconds', 0.0):.1f}"
                        ),
                    ),
                )
                for db in dbs
            ],
            "0 lost",
        ),
        _row(
            "app: 302s / clicks stored / human / lost",
            [
                cell(
                    db,
                    lambda r: (
                        f"{r['app']['answered']:,} / {r['app']['clicks_stored']:,} / "
                        f"{r['app']['human_clicks']:,} / {r['app']['lost_clicks']}"
                    ),
                )
                for db in dbs
            ],
            "0 lost",
        ),
        _row("app: non-2xx/3xx + socket errors", [cell(db, lambda r: f"{r['app']['errors']}") for db in dbs], "0"),
        _row(
            "app: worker caught up after a round (s, median)",
            [cell(db, lambda r: f"{r['app'].get('catch_up_seconds', 0.0):.1f}") for db in dbs],
            "",
        ),
        _row(
            "baseline: 302s / clicks stored / lost",
            [
                cell(
                    db,
                    lambda r: (
                        f"{r['baseline']['answered']:,} / {r['baseline']['clicks_stored']:,} / "
                        f"{r['baseline']['lost_clicks']}"
                    ),
                )
                for db in dbs
            ],
        ),
    ]


def _alone(redirect, show):
    """A cell of the app-alone rounds (runs before they existed have none)."""
    return show(redirect["app_alone"]) if redirect.get("app_alone") else "not run"


def _dashboard_rows(dashboard, dbs):
    if not any(dashboard.values()):
        return []
    keyed = {db: {(r["endpoint"], r["filters"]): r for r in (dashboard[db] or [])} for db in dbs}
    order = list(dict.fromkeys(key for db in dbs for key in keyed[db]))
    rows = []
    for endpoint, filters in order:
        is_export = endpoint == "export.csv"
        cells = []
        for db in dbs:
            row = keyed[db].get((endpoint, filters))
            if row is None:
                cells.append("not run")
            elif row["status"] != 200:
                cells.append(f"HTTP {row['status']} {row.get('error', '')}".strip())
            elif is_export:
                cells.append(f"{row['median_ms'] / 1000:.2f} s / {row['p95_ms'] / 1000:.2f} s ({row['rows']:,} rows)")
            else:
                cells.append(f"{row['median_ms']:.0f} / {row['p95_ms']:.0f}")
        label = f"{endpoint}, {filters}: median / p95" + (" (time to last byte)" if is_export else " ms")
        target = ("< 5 s" if filters == "range=all" else "") if is_export else "median < 150"
        rows.append(_row(label, cells, target))
    return rows


def _export_rows(results, dbs):
    if not any(results[db].get("export_memory") for db in dbs):
        return []
    rows = []
    for scope in ("all links", "one campaign"):
        cells = []
        for db in dbs:
            memory = (results[db].get("export_memory") or {}).get(scope)
            cells.append(
                f"{memory['rows']:,} rows: RSS +{memory['rss_growth_mib']:.0f} MiB, "
                f"heap peak {memory['heap_peak_mib']:.1f} MiB"
                if memory and "rows" in memory
                else (memory or {}).get("error", "not run").replace("|", "/")
            )
        rows.append(_row(f"export.csv memory, {scope}", cells, "flat in row count"))
    return rows


def _growth_table(growth, dbs):
    """Each dashboard figure's median (range=all, every campaign) at each dataset size, and how many
    times slower it is on the largest than on the smallest: about 1 when its cost follows the links
    (fixed) and not the clicks."""
    dbs = [db for db in dbs if growth.get(db)]
    if not dbs:
        return []
    first = growth[dbs[0]]
    links = first[0]["dataset"]["links"]
    sizes = {db: [point["dataset"]["clicks"] for point in growth[db]] for db in dbs}
    header, rule = ["figure"], ["---"]
    for db in dbs:
        header += [f"{DB_LABELS[db]} {_size(clicks)}" for clicks in sizes[db]]
        header.append(f"{DB_LABELS[db]} {_size(sizes[db][-1])} / {_size(sizes[db][0])}")
        rule += ["---:"] * (len(sizes[db]) + 1)
    medians = {db: [{row["endpoint"]: row for row in point["figures"]} for point in growth[db]] for db in dbs}
    figures = list(dict.fromkeys(row["endpoint"] for db in dbs for point in growth[db] for row in point["figures"]))
    lines = [
        f"Growth: median ms of each dashboard figure, range=all over every campaign, on datasets of "
        f"{links:,} links and a growing number of clicks (each cached in a database of its own). "
        "The last column of each database is the largest size's median over the smallest's: about 1 when "
        "the figure's cost follows the links, not the clicks.",
        "",
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(rule) + " |",
    ]
    for figure in figures:
        cells = [figure]
        for db in dbs:
            times = [_growth_median(point.get(figure)) for point in medians[db]]
            cells += [f"{ms:.0f}" if ms is not None else "failed" for ms in times]
            smallest, largest = times[0], times[-1]
            cells.append(f"{largest / smallest:.1f}" if smallest and largest is not None else "")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _growth_median(row):
    return row["median_ms"] if row and row["status"] == 200 else None


def _size(clicks):
    """100k, 1M, 3M, 2.5M, 20k: a click count as the growth table's column says it."""
    for unit, scale in (("M", 1_000_000), ("k", 1_000)):
        if clicks >= scale:
            return f"{clicks / scale:g}{unit}"
    return str(clicks)


def _ingest_rows(ingest, dbs):
    if not any(ingest.values()):
        return []
    return [
        _row(
            "single POST /api/links/: p50 / p95 ms",
            [
                f"{ingest[db]['single']['p50_ms']:.1f} / {ingest[db]['single']['p95_ms']:.1f}"
                if ingest[db]
                else "not run"
                for db in dbs
            ],
        ),
        _row(
            "bulk POST of a JSON list of links",
            [
                (
                    f"{ingest[db]['bulk']['size']:,} links: {ingest[db]['bulk']['seconds']:.2f} s "
                    f"(HTTP {ingest[db]['bulk']['status']})"
                )
                if ingest[db]
                else "not run"
                for db in dbs
            ],
            "10,000 in < 3 s",
        ),
    ]

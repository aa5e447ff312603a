"""bench/results.md and bench/results.png from a driver's results.json.

python -m bench.report bench/out/results.json   # rewrites bench/results.{md,png}
"""

import json
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

SCENARIOS = {
    "get": "GET /items/{id}",
    "list": "GET /items?sort=price&limit=20&cursor=…",
    "patch": "PATCH /items/{id}",
    "post": "POST /items",
}
CEILING = "ceiling"
CATALOGS = ("catalog-1w", "catalog-2w")
RATIO_TARGET = 0.5
P99_TARGET = 2.0
VS_SYNC, VS_TUTORIAL = 3.0, 2.5


def best_catalog(medians: dict[str, Any], scenario: str) -> str | None:
    present = [name for name in CATALOGS if name in medians]
    return max(present, key=lambda name: medians[name][scenario]["rps"], default=None)


def table(medians: dict[str, Any], scenario: str) -> list[str]:
    ceiling = medians.get(CEILING, {}).get(scenario)
    lines = [
        f"### {SCENARIOS[scenario]}",
        "",
        "| app | req/s | × ceiling | p50 ms | p99 ms | p99 × ceiling | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for app, by_scenario in medians.items():
        m = by_scenario[scenario]
        ratio = f"{m['rps'] / ceiling['rps']:.2f}" if ceiling else "–"
        p99 = f"{m['p99_ms'] / ceiling['p99_ms']:.2f}" if ceiling else "–"
        lines.append(
            f"| {app} | {m['rps']:,.0f} | {ratio} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} "
            f"| {p99} | {m['errors']} |"
        )
    return [*lines, ""]


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def targets(medians: dict[str, Any]) -> list[str]:
    lines = [
        "| scenario | best Catalog | × ceiling req/s | p99 × ceiling | × sync | × tutorial |",
        "|---|---|---|---|---|---|",
    ]
    for scenario in SCENARIOS:
        name = best_catalog(medians, scenario)
        if name is None or CEILING not in medians:
            continue
        cat, ceil = medians[name][scenario], medians[CEILING][scenario]
        ratio, p99 = cat["rps"] / ceil["rps"], cat["p99_ms"] / ceil["p99_ms"]
        cells = [
            f"{ratio:.2f} ({verdict(ratio >= RATIO_TARGET)})",
            f"{p99:.2f} ({verdict(p99 <= P99_TARGET)})" if scenario != "post" else f"{p99:.2f}",
        ]
        for other, goal in (("sync", VS_SYNC), ("tutorial", VS_TUTORIAL)):
            rps = medians[other][scenario]["rps"] if other in medians else 0
            if rps:
                times = cat["rps"] / rps
                cells.append(f"{times:.2f} ({verdict(times >= goal)})")
            else:  # not run, or it answered nothing (see its log in bench/out)
                cells.append("–")
        lines.append(f"| {scenario} | {name} | {' | '.join(cells)} |")
    return [*lines, ""]


def environment(env: dict[str, Any], settings: dict[str, Any], seconds: int) -> list[str]:
    packages = ", ".join(f"{name} {version}" for name, version in env["packages"].items())
    return [
        f"- Machine: {env['cpus']} CPUs ({env['cpu_model']}), {env['memory_gib']:.1f} GiB RAM, "
        f"{env['os']}; load average {env['load_before']} before the run, "
        f"{env['load_after']} after (other work on the machine shows here).",
        f"- PostgreSQL {env['postgres']} on the same machine; {env['wrk']}; "
        f"Python {env['python']}; {packages}.",
        f"- Load: wrk, {settings['threads']} threads, {settings['connections']} connections, "
        f"{settings['warmup']} s warm-up then {settings['duration']} s measured, per app and "
        f"scenario, in {settings['rounds']} interleaved rounds (in each round every app in "
        "turn, in an order that rotates, is started, measured on every scenario and stopped); "
        f"the figures are the medians over the rounds. Whole run: {seconds} s.",
        "- Apps: each served by uvicorn with uvloop and httptools, no access log, 1 worker "
        "(Catalog also with 2), on the same database. Reference apps: pool of 10 connections; "
        "Catalog: its defaults (`CATALOG_DB_POOL_SIZE` 10), "
        "`CATALOG_LOG_LEVEL=WARNING` (no per-request log line, as the others).",
        "- Data: 1,000 users, 100,000 items (prices 0.00–9,999.99); the bench user owns items "
        "1–20,000. GET picks a random id; list starts from one of 2,000 random real keyset "
        "positions (cursors in Catalog's format); PATCH changes the price of the bench user's "
        "items, each wrk thread walking its own slice (no two requests on one row); POST "
        "creates an item (the rows it adds are deleted after each measurement). Tokens: each "
        "app's own `POST /auth/token`, once; Catalog and the ceiling remember a verified token "
        "until it expires, the tutorial and sync apps verify it on every request.",
    ]


def write_markdown(summary: dict[str, Any], path: Path) -> None:
    medians, settings = summary["medians"], summary["settings"]
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (bench/run); every figure below comes from that one run.",
        "",
        *environment(summary["environment"], settings, summary["seconds"]),
        "",
        "## Targets (best of Catalog with 1 and 2 workers)",
        "",
        *targets(medians),
        "## Per scenario",
        "",
    ]
    for scenario in settings["scenarios"]:
        lines += table(medians, scenario)
    lines += ["![requests/s relative to the ceiling](results.png)", ""]
    path.write_text("\n".join(lines))


def plot(summary: dict[str, Any], path: Path) -> None:
    medians, scenarios = summary["medians"], summary["settings"]["scenarios"]
    apps = list(medians)
    width = 0.8 / len(apps)
    figure, axes = plt.subplots(figsize=(10, 5))
    for n, app in enumerate(apps):
        ratios = [
            medians[app][s]["rps"] / medians[CEILING][s]["rps"] if CEILING in medians else 0
            for s in scenarios
        ]
        positions = [i + (n - (len(apps) - 1) / 2) * width for i in range(len(scenarios))]
        bars = axes.bar(positions, ratios, width, label=app)
        axes.bar_label(bars, fmt="%.2f", fontsize=7)
    axes.axhline(RATIO_TARGET, color="grey", linestyle="--", linewidth=1, label="0.5× target")
    axes.set_xticks(range(len(scenarios)), [SCENARIOS[s] for s in scenarios], fontsize=8)
    axes.set_ylabel("requests/s ÷ ceiling's (median of rounds)")
    axes.set_title("Catalog and the reference apps, relative to the bare asyncpg ceiling")
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write(results: Path, directory: Path) -> None:
    summary = json.loads(results.read_text())
    write_markdown(summary, directory / "results.md")
    plot(summary, directory / "results.png")
    print(f"wrote {directory / 'results.md'} and {directory / 'results.png'}")


if __name__ == "__main__":
    write(Path(sys.argv[1]), Path(__file__).resolve().parent)

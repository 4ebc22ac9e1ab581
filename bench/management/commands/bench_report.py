"""`manage.py bench_report [FILE ...]`: stored results (default: every bench/results/*.json
but the test tier's) side by side as one Markdown table, for README.md's Performance section.
Runs list their figures in the same order, so the rows line up."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

ORDER = {"county": 0, "city": 1, "province": 2}
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class Command(BaseCommand):
    help = "Print stored benchmark results side by side as a Markdown table."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", type=Path)

    def handle(self, *args, files, **options):
        files = files or sorted((Path(settings.BASE_DIR) / "bench" / "results").glob("*.json"))
        results = [json.loads(path.read_text()) for path in files]
        results = [result for result in results if result["tier"] in ORDER]
        results.sort(key=lambda result: (result["database"] != "sqlite", ORDER[result["tier"]]))
        self.stdout.write(markdown(results))


def markdown(results):
    lines = ["| run | command | generated | population built in | figures that hold |", "|---|---|---|---:|---:|"]
    for result in results:
        held = sum(figure["holds"] for figure in result["figures"])
        lines.append(
            f"| {result['tier']}, {result['machine']['database']} | `{result['command']}` | {result['generated_at']} "
            f"| {result['population']['seconds']} s | {held} of {len(result['figures'])} |"
        )
    lines += ["", "Each cell: value (ratio to its baseline), ✓ when the goal holds, ✗ when it does not.", ""]
    header = " | ".join(f"{r['tier']} {NAMES[r['database']]}" for r in results)
    lines += [f"| figure | goal | {header} |", "|---|---|" + "---|" * len(results)]
    longest = max(results, key=lambda result: len(result["figures"]))
    for index, figure in enumerate(longest["figures"]):
        cells = []
        for result in results:
            if index >= len(result["figures"]):
                cells.append("")
                continue
            item = result["figures"][index]
            ratio = "" if item["ratio"] is None else f" ({item['ratio']:.2f}×)"
            cells.append(f"{_number(item['value'])} {item.get('unit', '')}{ratio} {'✓' if item['holds'] else '✗'}")
        lines.append(f"| {figure['name']} | {figure['goal']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _number(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"
    return f"{value:,}"

"""Rules of the codebase that a reviewer would otherwise have to remember."""

import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["unionportal", "organizations", "accounts", "cadres", "standards", "activities", "relief", "reports", "bench"]
UNSCOPED = re.compile(r"\.objects\.(get|filter|all|exclude)\(")


def test_vendored_assets_match_their_recorded_checksums():
    vendor = ROOT / "static" / "vendor"
    lines = (vendor / "SHA256SUMS").read_text().splitlines()
    assert len(lines) >= 10
    for line in lines:
        digest, name = line.split(maxsplit=1)
        assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == digest, name


def test_templates_load_nothing_from_the_internet():
    offenders = []
    for template in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]:
        text = template.read_text()
        for match in re.finditer(r"""(?:src|href)=["'](https?:)?//""", text):
            offenders.append(f"{template.relative_to(ROOT)}: {text[match.start() : match.start() + 60]}")
    assert offenders == []


def test_views_and_reports_never_query_without_restrict():
    """Zulip-style lint: a view reaching a model must go through restrict(user)."""
    offenders = []
    for app in APPS:
        for name in ("views.py", "reports.py", "exports.py"):
            path = ROOT / app / name
            if not path.exists():
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if UNSCOPED.search(line) and "restrict" not in line:
                    offenders.append(f"{app}/{name}:{number}: {line.strip()}")
    assert offenders == []


def test_no_layer_imports_a_layer_below_it():
    """DESIGN.md's layers: each app imports only apps above it; the composition root
    (settings and URLs) wires them all together and is exempt."""
    composition_root = {ROOT / "unionportal" / "urls.py", ROOT / "unionportal" / "settings.py"}
    offenders = []
    for index, app in enumerate(APPS):
        below = APPS[index + 1 :]
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path in composition_root:
                continue
            for line in path.read_text().splitlines():
                match = re.match(r"\s*(?:from|import)\s+(\w+)", line)
                if match and match.group(1) in below:
                    offenders.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert offenders == []

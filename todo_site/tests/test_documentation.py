"""The README a newcomer reads in minutes, and the documentation's links that lead on from it."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from bench import quoted

ROOT = Path(settings.BASE_DIR)
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def anchors(page):
    """The anchors GitHub gives a page's headings."""
    titles = re.findall(r"^#{1,6} (.+)$", page.read_text(), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-") for title in titles}


def test_the_readme_stays_short():
    assert len((ROOT / "README.md").read_text().splitlines()) < 250


def test_every_make_target_is_in_the_readme():
    targets = re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(), re.MULTILINE)
    readme = (ROOT / "README.md").read_text()
    assert targets
    assert [target for target in targets if f"make {target}" not in readme] == []


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_link_leads_somewhere(page):
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = target.partition("#")
        destination = (page.parent / path).resolve() if path else page
        if not destination.exists() or anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(target)
    assert broken == []


PERIODS = {"15 minutes": 15 * 60, "an hour": 3600, "a day": 86400}


def test_the_security_pages_throttle_table_quotes_the_settings():
    """docs/SECURITY.md explains each throttle's numbers; THROTTLES is where they are defined."""
    rows = re.findall(r"^\| `(\w+)`: [^|]+\| (\d+) in ([^|]+?) \|", (ROOT / "docs" / "SECURITY.md").read_text(), re.M)
    table = {rule: {"limit": int(limit), "seconds": PERIODS[period]} for rule, limit, period in rows}
    assert table == settings.THROTTLES


@pytest.mark.parametrize("name", sorted(quoted.BLOCKS))
def test_the_pages_quote_the_committed_figures(name):
    """A block of figures in a page is what `make bench` or `make load` would write from the committed
    docs/benchmarks.json or docs/load.json: no page quotes another run."""
    page, _, _ = quoted.BLOCKS[name]
    assert quoted.blocks((ROOT / "docs" / page).read_text())[name] == quoted.render(name)


def test_refreshing_a_page_rewrites_its_blocks_only(tmp_path):
    for source in ("benchmarks.json", "load.json"):
        (tmp_path / source).write_text((ROOT / "docs" / source).read_text())
    page = (ROOT / "docs" / "SCALING.md").read_text()
    stale = quoted.BLOCK.sub(lambda block: f"{block[1]}| a row of another run |\n{block[4]}", page)
    assert stale != page
    (tmp_path / "SCALING.md").write_text(stale)
    quoted.refresh("load.json", docs=tmp_path)
    assert (tmp_path / "SCALING.md").read_text() == page

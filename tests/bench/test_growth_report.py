"""bench/report.py's growth table: figure x size, the largest size over the smallest, in its own
place inside the figures block of docs/BENCHMARKS.md."""

from bench import report

DOCUMENT = """# Benchmarks

Text kept above.

<!-- bench:begin -->
Run of yesterday: the main table.
<!-- bench:end -->

Analysis kept below.
"""


def growth_point(clicks, overview_ms, links_ms):
    return {
        "database_version": "15.20",
        "dataset": {"links": 100_000, "clicks": clicks},
        "figures": [
            {"endpoint": "overview", "filters": "range=all", "status": 200, "median_ms": overview_ms},
            {"endpoint": "links (first page)", "filters": "range=all", "status": 200, "median_ms": links_ms},
        ],
    }


def growth_results():
    points = [
        growth_point(100_000, 40.0, 10.0),
        growth_point(1_000_000, 60.0, 11.0),
        growth_point(3_000_000, 80.0, 12.0),
    ]
    return {"postgres": {"database_version": "15.20", "growth": points}}


def test_the_table_gives_each_figure_at_each_size_and_the_ratio():
    """One row per figure, one column per size, then 3M / 100k."""
    lines = report.growth_markdown(growth_results()).splitlines()
    assert "| figure | PostgreSQL 100k | PostgreSQL 1M | PostgreSQL 3M | PostgreSQL 3M / 100k |" in lines
    assert "| overview | 40 | 60 | 80 | 2.0 |" in lines
    assert "| links (first page) | 10 | 11 | 12 | 1.2 |" in lines


def test_a_growth_run_leaves_the_main_table_in_place(tmp_path):
    """Only the growth part of the block is written; the main table and the text around it stay."""
    docs = tmp_path / "BENCHMARKS.md"
    docs.write_text(DOCUMENT)
    report.write(growth_results(), tmp_path / "latest.md", docs)
    report.write(growth_results(), tmp_path / "latest.md", docs)
    text = docs.read_text()
    assert text.startswith(
        "# Benchmarks\n\nText kept above.\n\n<!-- bench:begin -->\nRun of yesterday: the main table.\n"
    )
    assert text.count("<!-- bench:growth:begin -->") == 1
    assert "| overview | 40 | 60 | 80 | 2.0 |" in text
    assert text.endswith("<!-- bench:growth:end -->\n<!-- bench:end -->\n\nAnalysis kept below.\n")


def test_sizes_read_as_the_column_says_them():
    assert [report._size(n) for n in (20_000, 100_000, 1_000_000, 2_500_000, 3_000_000)] == [
        "20k",
        "100k",
        "1M",
        "2.5M",
        "3M",
    ]

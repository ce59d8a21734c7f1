"""bench/report.py's redirect rows and verdicts: the app beside the worker and the app alone, each
against the same bare baseline."""

from bench import report


def series(requests_per_second, p99_ms, lost=0):
    return {
        "requests_per_second": requests_per_second,
        "p50_ms": p99_ms / 2,
        "p99_ms": p99_ms,
        "answered": 1000,
        "clicks_stored": 1000 - lost,
        "human_clicks": 1000 - lost,
        "lost_clicks": lost,
        "errors": 0,
        "catch_up_seconds": 3.0,
    }


def redirect_results(alone_rps, alone_p99):
    baseline = series(2000.0, 20.0)
    app, alone = series(900.0, 60.0), series(alone_rps, alone_p99)
    return {
        "sqlite": {
            "database_version": "3.40.1",
            "dataset": {
                "links": 100_000,
                "campaigns": 20,
                "icps": 12,
                "null_icp_share": 0.1,
                "clicks": 1_000_000,
                "days": 90,
                "machine_click_share": 0.05,
                "status": "cached",
            },
            "redirect": {
                "baseline": baseline,
                "app": app,
                "app_alone": alone,
                "ratio": app["requests_per_second"] / baseline["requests_per_second"],
                "alone_ratio": alone["requests_per_second"] / baseline["requests_per_second"],
                "workers": 4,
                "connections": 32,
                "duration": 10,
                "rounds": 3,
                "access_log": False,
            },
        }
    }


def test_both_series_get_their_ratio_and_their_verdicts():
    """The worker's share and the redirect alone are reported and judged apart."""
    results = redirect_results(alone_rps=1500.0, alone_p99=28.0)
    lines = report.markdown(results).splitlines()
    assert "| **app / baseline** | **0.45** | ≥ 0.70 |" in lines
    assert "| **app alone / baseline** | **0.75** | ≥ 0.70 |" in lines
    verdicts = report.verdicts(results)
    assert "SQLite: redirect at 0.45 of the bare baseline: **missed** (36% short of 0.70)" in verdicts
    assert "SQLite: redirect alone (worker stopped during the round) at 0.75 of the bare baseline: **met**" in verdicts
    assert "SQLite: redirect alone p99 28.0 ms, 1.40 x the bare baseline's: **met**" in verdicts


def test_a_slow_redirect_alone_is_missed():
    verdicts = report.verdicts(redirect_results(alone_rps=1200.0, alone_p99=40.0))
    assert (
        "SQLite: redirect alone (worker stopped during the round) at 0.60 of the bare baseline: **missed** (14% short of 0.70)"
        in verdicts
    )
    assert "SQLite: redirect alone p99 40.0 ms, 2.00 x the bare baseline's: **missed** (over 1.5 x)" in verdicts


def test_a_partial_run_goes_to_latest_only_and_leaves_the_documented_table(tmp_path):
    """--only redirect on one database: latest.md has its figures, docs/BENCHMARKS.md keeps the
    last complete run's table whole."""
    docs, latest = tmp_path / "BENCHMARKS.md", tmp_path / "latest.md"
    document = (
        "# Benchmarks\n\n<!-- bench:begin -->\nRun of yesterday: every figure.\n<!-- bench:end -->\n\nAnalysis.\n"
    )
    docs.write_text(document)

    _, written = report.write(redirect_results(1500.0, 25.0), latest, docs)

    assert written == [latest]  # what the bench says it wrote
    assert docs.read_text() == document
    assert "| **app alone / baseline** | **0.75** |" in latest.read_text()

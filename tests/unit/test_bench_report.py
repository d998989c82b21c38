"""bench/compare/report.py: ratios carry their spread, and a difference inside it is a tie."""

from __future__ import annotations

from bench.compare import report
from bench.compare.runner import Samples


def _samples(cold, rss=(40.0,)):
    return Samples(cold=list(cold), crash=[0.2], status=[0.2], memory=[20.0], rss=list(rss), lost=[0],
                   whole=[0.4], in_order=[True], stop=[0.3])


def _cold_ratio(ours, theirs) -> str:
    rows = report.make_rows({"platform": _samples(ours), "PM2 7": _samples(theirs)}, 1000)
    return next(r for r in rows if r.measure.startswith("cold")).ratio(["PM2 7"])


def test_overlapping_spreads_are_a_tie_with_the_ratio_range():
    assert _cold_ratio([1.0, 1.2, 1.4], [0.9, 1.05, 1.4]) == "1.14 [0.71–1.56] tie"


def test_separate_spreads_are_a_difference():
    assert _cold_ratio([1.0, 1.2, 1.4], [0.6, 0.7, 0.8]) == "1.71 [1.25–2.33]"


def test_rss_is_reported_beside_pss():
    rows = report.make_rows({"platform": _samples([1.0], rss=[46.0]), "PM2 7": _samples([1.0], rss=[70.0])}, 1000)
    assert [r.measure for r in rows if "memory" in r.measure] == ["daemon memory (PSS)", "daemon memory (RSS)"]
    assert next(r for r in rows if "RSS" in r.measure).cells == {"platform": "46.0 MB", "PM2 7": "70.0 MB"}


def test_hung_recovery_says_how_many_rounds_never_came_back_and_never_is_not_a_figure():
    ours, pm2 = _samples([1.0]), _samples([1.0])
    ours.hung, pm2.hung = [3.2, None, 3.6], [None, None]
    rows = report.make_rows({"platform": ours, "PM2 7": pm2}, 1000)
    hung = next(r for r in rows if r.measure.startswith("hung"))
    assert hung.cells == {"platform": "3.400 s (1 of 3 never)", "PM2 7": f"never (in {report.HANG_CAP_S:g} s)"}
    assert hung.ranges == {"platform": (3.2, 3.6)} and hung.ratio(["PM2 7"]) == "—"


def test_the_log_file_rows_give_the_ratio_to_the_floor_round_by_round_and_what_was_lost_or_split():
    ours, theirs = _samples([1.0]), _samples([1.0])
    ours.in_file, ours.file_floor, ours.file_lost, ours.file_split = [0.12, None, 0.10], [0.06, 0.05, 0.05], [0, 3, 0], [0, 1, 0]
    theirs.in_file, theirs.file_floor, theirs.file_lost, theirs.file_split = [0.06, 0.07], [0.06, 0.05], [0, 0], [0, 0]
    rows = {r.measure: r for r in report.make_rows({"platform": ours, "supervisord": theirs}, 1000)}
    assert rows["burst → in the log file"].cells == {"platform": "0.110 s (1 of 3 never)", "supervisord": "0.065 s"}
    assert rows["no-manager floor: burst → file"].cells == {"platform": "0.050 s", "supervisord": "0.055 s"}
    assert rows["in the log file ÷ floor (same round)"].cells == {"platform": "2.00× [2.00–2.00]", "supervisord": "1.20× [1.00–1.40]"}
    assert rows["lines lost / split in the log file"].cells == {"platform": "3 / 1", "supervisord": "0 / 0"}


def test_a_manager_that_keeps_no_log_file_has_no_figure_there():
    rows = {r.measure: r for r in report.make_rows({"platform": _samples([1.0]), "honcho": _samples([1.0])}, 1000)}
    assert rows["burst → in the log file"].cells == {"platform": "n/a", "honcho": "n/a"}
    assert rows["lines lost / split in the log file"].cells == {"platform": "n/a", "honcho": "n/a"}


def test_cold_start_over_the_floor_is_paired_by_round_and_set_against_no_other():
    ours, honcho = _samples([0.30, 0.50, 0.20]), _samples([0.24, 0.40, 0.30])
    rows = report.make_rows({"platform": ours, "honcho": honcho}, 1000, floors=[0.20, 0.25, 0.20])
    floor = next(r for r in rows if r.measure.startswith("cold start ÷"))
    assert floor.measure == "cold start ÷ no-manager floor (0.200 s)"
    assert floor.cells == {"platform": "1.50× [1.00–2.00]", "honcho": "1.50× [1.20–1.60]"}
    assert floor.ratio(["honcho"]) == "—"  # each cell is a ratio already


def test_no_floor_row_without_floor_figures():
    rows = report.make_rows({"platform": _samples([1.0]), "PM2 7": _samples([1.0])}, 1000)
    assert not [r for r in rows if r.measure.startswith("cold start ÷")]


def test_start_all_with_the_daemon_up_is_na_for_a_manager_without_one():
    ours, supervisord, honcho = _samples([1.0]), _samples([1.0]), _samples([1.0])
    ours.start_all, supervisord.start_all = [0.30, 0.20, 0.25], [0.26, 0.28, 0.27]
    rows = report.make_rows({"platform": ours, "supervisord": supervisord, "honcho": honcho}, 1000)
    row = next(r for r in rows if r.measure.startswith("start all"))
    assert row.cells == {"platform": "0.250 s", "supervisord": "0.270 s", "honcho": "n/a (no daemon)"}
    assert row.ratio(["supervisord", "honcho"]) == "0.93 [0.71–1.15]"  # honcho, without a figure, is not the best

"""The one progress bar of the `tms` commands: redrawn in place on a terminal, plain lines
at each tenth of the work elsewhere."""

from __future__ import annotations

import io

from rich.console import Console

from tms_entrypoints.cli.progress import ProgressBar


def console(*, terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=100, color_system=None), out


def test_elsewhere_than_a_terminal_a_line_for_each_tenth_and_nothing_redrawn() -> None:
    shown, out = console(terminal=False)
    with ProgressBar("Writing report.xlsx", total=40, console=shown) as bar:
        for _ in range(40):
            bar.advance(1)
        bar.finish()
    lines = out.getvalue().splitlines()
    # The first step, then each tenth reached.
    assert lines == [
        "Writing report.xlsx   2.5%",
        *(f"Writing report.xlsx {tenth * 10:5.1f}%" for tenth in range(1, 11)),
    ]
    assert "\r" not in out.getvalue()
    assert "\x1b" not in out.getvalue()


def test_stages_are_named_and_percentages_stay_within_100() -> None:
    shown, out = console(terminal=False)
    with ProgressBar("demo data", console=shown) as bar:
        bar.update(0, "users")
        bar.update(55, "sessions")
        bar.update(120, "done")
    assert out.getvalue().splitlines() == [
        "demo data   0.0% users",
        "demo data  55.0% sessions",
        "demo data 100.0% done",
    ]


def test_on_a_terminal_one_bar_is_redrawn_in_place() -> None:
    shown, out = console(terminal=True)
    with ProgressBar("Writing report.csv", total=4, console=shown) as bar:
        for _ in range(4):
            bar.advance(1)
            shown.file.flush()
        bar.finish()
    text = out.getvalue()
    assert "\r" in text or "\x1b[" in text, "redrawn, not written line after line"
    assert "Writing report.csv" in text
    assert "100.0%" in text.split("\r")[-1], "the last drawing is the finished bar"


def test_nothing_shows_before_the_first_step() -> None:
    shown, out = console(terminal=False)
    with ProgressBar("demo data", console=shown):
        pass
    assert out.getvalue() == ""

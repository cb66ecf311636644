"""The shared foundations of supervision: the one colour rule (every edge) and the one clock (Asia/Shanghai)."""
import datetime

import pytest

from app import clock
from app.deadlines import Colour, colour, expected_progress, is_overdue

D = datetime.date


# ---------------------------------------------------------------------------------------------------------
# colour()

def test_due_today_is_still_on_time():
    assert colour(D(2020, 7, 10), D(2020, 7, 10), days=0) == Colour.BLUE
    assert colour(D(2020, 7, 10), D(2020, 7, 10)) != Colour.RED
    assert not is_overdue(D(2020, 7, 10), D(2020, 7, 10))


def test_the_day_after_the_deadline_is_red():
    assert colour(D(2020, 7, 10), D(2020, 7, 11)) == Colour.RED
    assert is_overdue(D(2020, 7, 10), D(2020, 7, 11))


def test_warn_window_edges():
    # deadline tomorrow with a warning window of 1 day: blue; 2 days away: not yet
    assert colour(D(2020, 7, 11), D(2020, 7, 10), days=1) == Colour.BLUE
    assert colour(D(2020, 7, 12), D(2020, 7, 10), days=1) == Colour.NONE
    # a window of 0: only the day itself
    assert colour(D(2020, 7, 11), D(2020, 7, 10), days=0) == Colour.NONE


def test_done_on_time_is_green_and_done_late_is_yellow():
    assert colour(D(2020, 7, 10), D(2020, 8, 1), done_on=D(2020, 7, 10)) == Colour.GREEN
    assert colour(D(2020, 7, 10), D(2020, 8, 1), done_on=D(2020, 7, 9)) == Colour.GREEN
    # a red caught up turns yellow, never green: the record keeps that it was late
    assert colour(D(2020, 7, 10), D(2020, 7, 12)) == Colour.RED
    assert colour(D(2020, 7, 10), D(2020, 7, 12), done_on=D(2020, 7, 11)) == Colour.YELLOW
    # a datetime of completion counts by its date
    assert colour(D(2020, 7, 10), D(2020, 7, 12), done_on=datetime.datetime(2020, 7, 10, 23, 59)) == Colour.GREEN


def test_behind_the_even_schedule_is_yellow():
    start, deadline = D(2020, 7, 1), D(2020, 7, 31)  # 30 days
    today = D(2020, 7, 16)  # half the time gone
    assert expected_progress(start, deadline, today) == pytest.approx(0.5)
    assert colour(deadline, today, progress=0.49, start=start) == Colour.YELLOW
    assert colour(deadline, today, progress=0.5, start=start) == Colour.NONE
    assert colour(deadline, today, progress=0.9, start=start) == Colour.NONE
    # behind schedule wins over "deadline near"
    assert colour(deadline, D(2020, 7, 30), progress=0.5, start=start) == Colour.YELLOW
    assert colour(deadline, D(2020, 7, 30), progress=1.0, start=start) == Colour.BLUE
    # overdue wins over everything while open
    assert colour(deadline, D(2020, 8, 1), progress=1.0, start=start) == Colour.RED
    # no start, no schedule to be behind
    assert colour(deadline, today, progress=0.0) == Colour.NONE


def test_green_none_and_no_deadline():
    assert colour(D(2020, 12, 31), D(2020, 7, 1)) == Colour.NONE
    assert colour(None, D(2020, 7, 1)) == Colour.NONE
    assert colour(None, D(2020, 7, 1), done_on=D(2020, 7, 1)) == Colour.GREEN


def test_warn_days_comes_from_the_configuration(app):
    deadline, today = D(2020, 7, 20), D(2020, 7, 10)  # ten days away
    with app.app_context():
        old = app.config.get("DEADLINE_WARN_DAYS")
        try:
            app.config["DEADLINE_WARN_DAYS"] = 7
            assert colour(deadline, today) == Colour.NONE
            app.config["DEADLINE_WARN_DAYS"] = 10
            assert colour(deadline, today) == Colour.BLUE
        finally:
            app.config["DEADLINE_WARN_DAYS"] = old


def test_badge_draws_the_colour_and_its_label(app):
    from app.deadlines import badge

    with app.test_request_context():
        html = str(badge(Colour.RED))
    assert "deadline-red" in html and "label-danger" in html


# ---------------------------------------------------------------------------------------------------------
# clock

def test_shannan_late_evening_is_still_the_same_day():
    with clock.frozen(datetime.datetime(2020, 7, 10, 23, 30)) as at:
        assert clock.today() == D(2020, 7, 10)
        assert clock.utcnow() == datetime.datetime(2020, 7, 10, 15, 30)
        assert at.utcoffset() == datetime.timedelta(hours=8)


def test_utc_afternoon_is_already_tomorrow_in_shannan():
    utc = datetime.datetime(2020, 7, 10, 17, 0, tzinfo=datetime.timezone.utc)
    with clock.frozen(utc):
        assert clock.today() == D(2020, 7, 11)
        assert clock.now().hour == 1
        assert clock.utcnow() == datetime.datetime(2020, 7, 10, 17, 0)


def test_a_frozen_date_is_noon_in_shannan_and_unfreezes():
    with clock.frozen(D(2020, 7, 10)):
        assert clock.now() == datetime.datetime(2020, 7, 10, 12, 0, tzinfo=clock.TZ)
        with clock.frozen(D(2020, 1, 1)):
            assert clock.today() == D(2020, 1, 1)
        assert clock.today() == D(2020, 7, 10)  # nested freezes restore the outer one
    assert clock.now().tzinfo is not None and clock.now().utcoffset() == datetime.timedelta(hours=8)

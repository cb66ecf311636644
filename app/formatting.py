"""How values read on pages: local time, yes/no, blanks."""
import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local_time(value):
    """Timestamps are stored in UTC and read in Beijing time, to the second."""
    if value is None:
        return ""
    return value.replace(tzinfo=datetime.timezone.utc).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S")


def blank_if_none(value):
    return "" if value is None else value


def yes_no(value):
    return gettext("Yes") if value else gettext("No")

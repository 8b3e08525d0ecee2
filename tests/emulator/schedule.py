"""schedule.py - maintenance window schedule expressions: validation and the next runs.

SSM takes three forms (the SSM user guide, "Reference: Cron and rate expressions for
Systems Manager"):

- ``cron(minutes hours day-of-month month day-of-week year)``, an optional leading
  seconds field making seven; exactly one of day-of-month / day-of-week is ``?``.
  Day-of-week runs 1-7 from SUN; ``L`` (last day of the month, or ``5L`` the last
  Thursday), ``W`` (``15W`` the weekday nearest the 15th, ``LW`` the last weekday) and
  ``#`` (``2#3`` the third Monday) as in EventBridge. Evaluated in the window's
  ``ScheduleTimezone`` (UTC without one), then moved ``ScheduleOffset`` days later.
- ``rate(N minute(s)|hour(s)|day(s))``: every N units from the window's StartDate,
  else from its creation.
- ``at(yyyy-mm-ddThh:mm:ss)``: once, in the window's time zone.

``StartDate``/``EndDate`` bound all three. Occurrences are produced lazily, in order,
as UTC epoch seconds; ``execution_time`` formats one the way
DescribeMaintenanceWindowSchedule and NextExecutionTime spell it (``2020-02-19T16:00Z``,
UTC, minutes: the AWS CLI reference's example output).
"""

import calendar
import datetime
import re

from ssm_common import UTC, iso_utc, parse_time

_MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
_DAYS = "SUN|MON|TUE|WED|THU|FRI|SAT"
MAX_YEAR = 2199   # the cron year field's upper bound


def _cron_field_ok(field, lo, hi, names=None, extra=()):
    """One cron field: '*', or a comma list of values, ranges and steps."""
    if field == "*":
        return True
    for part in field.split(","):
        if part in extra:
            continue
        base, _, step = part.partition("/")
        if step and (not step.isdigit() or int(step) < 1):
            return False
        if base == "*":
            continue
        lo_s, dash, hi_s = base.partition("-")
        for v in ([lo_s, hi_s] if dash else [lo_s]):
            if names and v.upper() in names.split("|"):
                continue
            if not v.isdigit() or not lo <= int(v) <= hi:
                return False
    return True


def _cron_fields(expr):
    """The six fields of a cron(...) expression (a leading seconds field dropped)."""
    f = re.fullmatch(r"cron\((.*)\)", expr).group(1).split()
    return f[1:] if len(f) == 7 else f


def schedule_kind(expr):
    """Return 'cron', 'rate' or 'at' for a valid SSM maintenance window schedule,
    None when the expression is invalid."""
    m = re.fullmatch(r"cron\((.*)\)", expr)
    if m:
        # Six required fields (minutes hours day-of-month month day-of-week year);
        # an optional seconds field may come first (the SSM user guide).
        f = m.group(1).split()
        if len(f) == 7:
            if not _cron_field_ok(f[0], 0, 59):
                return None
            f = f[1:]
        if len(f) != 6:
            return None
        minute, hour, dom, month, dow, year = f
        if (dom == "?") == (dow == "?"):
            return None  # exactly one of day-of-month / day-of-week must be '?'
        ok = (_cron_field_ok(minute, 0, 59) and _cron_field_ok(hour, 0, 23)
              and (dom == "?" or _cron_field_ok(dom, 1, 31, extra=("L", "W", "LW"))
                   or re.fullmatch(r"([1-9]|[12][0-9]|3[01])W", dom))
              and _cron_field_ok(month, 1, 12, _MONTHS)
              and (dow == "?" or _cron_field_ok(dow, 1, 7, _DAYS, extra=("L",))
                   or re.fullmatch(r"([1-7]|%s)(#[1-5]|L)" % _DAYS, dow.upper()))
              and _cron_field_ok(year, 1970, MAX_YEAR))
        return "cron" if ok else None
    m = re.fullmatch(r"rate\((\d+) (minute|hour|day)(s?)\)", expr)
    if m:
        n = int(m.group(1))
        # singular unit for 1, plural otherwise: rate(1 day), rate(2 days)
        return "rate" if n >= 1 and (n == 1) == (m.group(3) == "") else None
    m = re.fullmatch(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)", expr)
    if m:
        try:
            datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            return None
        return "at"
    return None


def timezone_ok(name):
    try:
        import zoneinfo
        zoneinfo.ZoneInfo(name)
        return True
    except Exception:  # noqa: BLE001 - any failure means "not an IANA zone"
        return False


def _zone(name):
    if not name:
        return UTC
    import zoneinfo
    return zoneinfo.ZoneInfo(name)


# ---- cron expansion -----------------------------------------------------------------

def _value(v, names):
    if names:
        upper = v.upper()
        listed = names.split("|")
        if upper in listed:
            return listed.index(upper) + 1
    return int(v)


def _expand(field, lo, hi, names=None):
    """The set of values a plain cron field (no L/W/#) selects."""
    if field in ("*", "?"):
        return set(range(lo, hi + 1))
    out = set()
    for part in field.split(","):
        base, _, step = part.partition("/")
        step = int(step) if step else 1
        if base == "*":
            a, b = lo, hi
        elif "-" in base:
            a_s, b_s = base.split("-", 1)
            a, b = _value(a_s, names), _value(b_s, names)
        else:
            a = _value(base, names)
            b = hi if step > 1 else a
        if a <= b:
            out.update(range(a, b + 1, step))
        else:  # wrapping range, e.g. FRI-MON
            out.update(v for i, v in enumerate(list(range(a, hi + 1)) + list(range(lo, b + 1)))
                       if i % step == 0)
    return out


def _aws_dow(d):
    """SSM/EventBridge day of week of a date: 1 = Sunday ... 7 = Saturday."""
    return (d.weekday() + 1) % 7 + 1


def _nearest_weekday(year, month, day):
    last = calendar.monthrange(year, month)[1]
    day = min(day, last)
    d = datetime.date(year, month, day)
    wd = d.weekday()
    if wd == 5:   # Saturday -> Friday, unless that leaves the month
        return day - 1 if day > 1 else day + 2
    if wd == 6:   # Sunday -> Monday, unless that leaves the month
        return day + 1 if day < last else day - 2
    return day


def _days_of_month(dom, dow, year, month):
    """The days of (year, month) the day fields select, sorted."""
    last = calendar.monthrange(year, month)[1]
    days = set()
    if dom != "?":
        for part in dom.split(","):
            if part == "L":
                days.add(last)
            elif part == "LW":   # the last weekday: Saturday -> Friday, Sunday -> Friday
                wd = datetime.date(year, month, last).weekday()
                days.add(last - max(0, wd - 4))
            elif part.endswith("W"):
                days.add(_nearest_weekday(year, month, int(part[:-1])))
            else:
                days.update(d for d in _expand(part, 1, 31) if d <= last)
        return sorted(days)
    for part in dow.split(","):
        m = re.fullmatch(r"(\w+)#([1-5])", part)
        if m:
            want, nth = _value(m.group(1), _DAYS), int(m.group(2))
            hits = [d for d in range(1, last + 1)
                    if _aws_dow(datetime.date(year, month, d)) == want]
            if nth <= len(hits):
                days.add(hits[nth - 1])
            continue
        m = re.fullmatch(r"(\w+)L", part)
        if m or part == "L":
            want = _value(m.group(1), _DAYS) if m else 7   # "L" alone: Saturday
            days.add(max(d for d in range(1, last + 1)
                         if _aws_dow(datetime.date(year, month, d)) == want))
            continue
        wanted = _expand(part, 1, 7, _DAYS)
        days.update(d for d in range(1, last + 1)
                    if _aws_dow(datetime.date(year, month, d)) in wanted)
    return sorted(days)


def _cron_local_times(expr, start_local_date):
    """Local naive datetimes the cron expression selects, from `start_local_date` on."""
    minute, hour, dom, month, dow, year = _cron_fields(expr)
    minutes = sorted(_expand(minute, 0, 59))
    hours = sorted(_expand(hour, 0, 23))
    months = sorted(_expand(month, 1, 12, _MONTHS))
    years = sorted(y for y in _expand(year, 1970, MAX_YEAR) if y >= start_local_date.year)
    for y in years:
        for mo in months:
            if (y, mo) < (start_local_date.year, start_local_date.month):
                continue
            for d in _days_of_month(dom, dow, y, mo):
                day = datetime.date(y, mo, d)
                if day < start_local_date:
                    continue
                for h in hours:
                    for mi in minutes:
                        yield datetime.datetime(y, mo, d, h, mi)


# ---- occurrences ----------------------------------------------------------------------

_RATE_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def occurrences(window, after):
    """UTC epochs (floats) of the window's scheduled runs strictly after `after`,
    ascending, bounded by its StartDate/EndDate. `window` holds the
    GetMaintenanceWindow members (Schedule, ScheduleTimezone, ScheduleOffset,
    StartDate, EndDate, CreatedDate)."""
    expr = window["Schedule"]
    kind = schedule_kind(expr)
    zone = _zone(window.get("ScheduleTimezone"))
    start = parse_time(window["StartDate"]) if window.get("StartDate") else None
    end = parse_time(window["EndDate"]) if window.get("EndDate") else None
    floor = max(after, start - 1e-6) if start is not None else after

    def ok(t):
        return t > floor

    if kind == "at":
        local = datetime.datetime.strptime(expr[3:-1], "%Y-%m-%dT%H:%M:%S")
        t = local.replace(tzinfo=zone).timestamp()
        if ok(t) and (end is None or t <= end):
            yield t
        return
    if kind == "rate":
        m = re.fullmatch(r"rate\((\d+) (minute|hour|day)s?\)", expr)
        step = int(m.group(1)) * _RATE_SECONDS[m.group(2)]
        base = start if start is not None else float(window.get("CreatedDate") or after)
        k = max(1, int((floor - base) // step) + 1)
        while True:
            t = base + k * step
            if end is not None and t > end:
                return
            if ok(t):
                yield t
            k += 1
    if kind != "cron":
        return
    offset = datetime.timedelta(days=int(window.get("ScheduleOffset") or 0))
    first = datetime.datetime.fromtimestamp(floor, zone) - offset
    for local in _cron_local_times(expr, first.date()):
        t = (local + offset).replace(tzinfo=zone).timestamp()
        if not ok(t):
            continue
        if end is not None and t > end:
            return
        yield t


def next_runs(window, after, n):
    """The first `n` occurrences after `after` (fewer when the schedule ends)."""
    out = []
    for t in occurrences(window, after):
        out.append(t)
        if len(out) >= n:
            break
    return out


def execution_time(epoch):
    """The spelling of a scheduled execution time in SSM's answers."""
    return iso_utc(epoch, minutes=True)

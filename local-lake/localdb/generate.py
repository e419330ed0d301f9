"""Deterministic generator for the three TICKIT tables not shipped as real rows: users, listing, sales.

Pure functions: same inputs and seed, same rows. Valid rows come in exactly the TICKIT counts times the
scale; a fixed, documented set of deliberate anomalies (see `anomalies()`) is added on top of them.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from .tables import LIKES, SAMPLE_DIR, read_real

BASE_COUNTS = {"users": 49_990, "listing": 192_497, "sales": 172_456}
YEAR_START = dt.datetime(2008, 1, 1)
CENT = Decimal("0.01")
COMMISSION_RATE = Decimal("0.15")

FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard "
    "Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty "
    "Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua "
    "Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Ronald "
    "Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Amy Jacob Angela"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips "
    "Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris"
).split()
CITIES = (
    ("New York", "NY"),
    ("Los Angeles", "CA"),
    ("Chicago", "IL"),
    ("Houston", "TX"),
    ("Phoenix", "AZ"),
    ("Philadelphia", "PA"),
    ("San Antonio", "TX"),
    ("San Diego", "CA"),
    ("Dallas", "TX"),
    ("San Jose", "CA"),
    ("Austin", "TX"),
    ("Jacksonville", "FL"),
    ("Columbus", "OH"),
    ("Charlotte", "NC"),
    ("Indianapolis", "IN"),
    ("San Francisco", "CA"),
    ("Seattle", "WA"),
    ("Denver", "CO"),
    ("Nashville", "TN"),
    ("Oklahoma City", "OK"),
    ("Boston", "MA"),
    ("Portland", "OR"),
    ("Las Vegas", "NV"),
    ("Detroit", "MI"),
    ("Memphis", "TN"),
    ("Louisville", "KY"),
    ("Baltimore", "MD"),
    ("Milwaukee", "WI"),
    ("Albuquerque", "NM"),
    ("Tucson", "AZ"),
    ("Fresno", "CA"),
    ("Sacramento", "CA"),
    ("Kansas City", "MO"),
    ("Atlanta", "GA"),
    ("Miami", "FL"),
    ("Raleigh", "NC"),
    ("Omaha", "NE"),
    ("Minneapolis", "MN"),
    ("Tulsa", "OK"),
    ("Cleveland", "OH"),
    ("Tampa", "FL"),
    ("New Orleans", "LA"),
    ("Pittsburgh", "PA"),
    ("Cincinnati", "OH"),
    ("St. Louis", "MO"),
    ("Orlando", "FL"),
    ("Salt Lake City", "UT"),
    ("Richmond", "VA"),
    ("Boise", "ID"),
    ("Anchorage", "AK"),
    ("Honolulu", "HI"),
    ("Providence", "RI"),
    ("Hartford", "CT"),
    ("Buffalo", "NY"),
    ("Birmingham", "AL"),
)
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
# Median ticket price by category name; prices are lognormal around it, whole dollars within 20..2500.
MEDIAN_PRICE = {
    "MLB": 45,
    "NHL": 70,
    "NFL": 120,
    "NBA": 90,
    "MLS": 35,
    "Musicals": 110,
    "Plays": 75,
    "Opera": 140,
    "Pop": 85,
    "Jazz": 60,
    "Classical": 65,
}
PRICE_RANGE = (20, 2500)
NUMTICKETS_MAX = 30
QTY_WEIGHTS = (35, 25, 15, 10, 6, 4, 3, 2)  # qtysold 1..8, then capped by what is left on the listing
SELLER_SHARE = 0.6  # share of users who ever list tickets

# The deliberate anomalies, on top of the valid rows. Bad timestamps are unparseable by any reading
# of M/d/yyyy HH:mm:ss (also by Spark's lenient legacy parser), so no parser can accept them.
BAD_SALETIMES = ("not a timestamp", "2008-02-18T02:36:48", "N/A")
DUPLICATED_LISTINGS = 2
NULL_SALESID_ROWS = 1


def anomalies() -> list[dict]:
    """The deliberate anomalies a correct pipeline must quarantine or dedupe, with their exact counts."""
    return [
        {
            "table": "sales",
            "kind": "unparseable_timestamp",
            "column": "saletime",
            "rows": len(BAD_SALETIMES),
            "outcome": "quarantined",
            "values": list(BAD_SALETIMES),
        },
        {
            "table": "sales",
            "kind": "null_primary_key",
            "column": "salesid",
            "rows": NULL_SALESID_ROWS,
            "outcome": "quarantined",
        },
        {
            "table": "listing",
            "kind": "duplicate_row",
            "column": None,
            "rows": DUPLICATED_LISTINGS,
            "outcome": "deduplicated",
        },
    ]


def counts(scale: float) -> dict[str, int]:
    """Valid rows per generated table at `scale` (rounded half up); anomalies come on top."""
    if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    result = {table: math.floor(base * scale + 0.5) for table, base in BASE_COUNTS.items()}
    if result["users"] < 2 or result["listing"] < 1:
        raise ValueError(
            f"scale {scale} is too small: it yields {result}; need at least 2 users and 1 listing"
        )
    return result


def format_time(value: dt.datetime) -> str:
    """'M/d/yyyy HH:mm:ss', e.g. 2/18/2008 02:36:48."""
    return f"{value.month}/{value.day}/{value.year} {value:%H:%M:%S}"


def _rng(seed: int, table: str) -> random.Random:
    return random.Random(f"{seed}:{table}")


def generate_users(count: int, seed: int) -> list[tuple]:
    rng = _rng(seed, "users")
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    rows = []
    for userid in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        city, state = rng.choice(CITIES)
        username = (
            "".join(rng.choices(letters, k=3))
            + f"{rng.randrange(100):02d}"
            + "".join(rng.choices(letters, k=3))
        )
        email = f"{first}.{last}{userid}@{rng.choice(EMAIL_DOMAINS)}".lower()
        phone = f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randrange(10000):04d}"
        likes = tuple(None if rng.random() < 0.3 else rng.random() < 0.45 for _ in LIKES)
        rows.append((userid, username, first, last, city, state, email, phone) + likes)
    return rows


def _dateids(dates: list[tuple]) -> dict[dt.date, int]:
    return {row[1]: row[0] for row in dates}


def _on_known_date(moment: dt.datetime, dateids: dict[dt.date, int], step: dt.timedelta) -> dt.datetime:
    """Shift by `step` until the day is in the date table (the real table has no 2008-02-29)."""
    for _ in range(7):
        if moment.date() in dateids:
            return moment
        moment += step
    raise ValueError(f"no date near {moment.date()} in the date table")


def generate_listings(
    count: int, seed: int, events: list[tuple], categories: list[tuple], dates: list[tuple], user_count: int
) -> list[tuple]:
    """Listings of real events, listed on or before the event's day in 2008, by a skewed pool of sellers."""
    rng = _rng(seed, "listing")
    dateids = _dateids(dates)
    catname = {row[0]: row[2] for row in categories}
    event_weights = _cumulative(rng.lognormvariate(0, 1) for _ in events)
    chosen_events = rng.choices(events, cum_weights=event_weights, k=count)
    sellers = rng.sample(range(1, user_count + 1), max(1, int(user_count * SELLER_SHARE)))
    chosen_sellers = rng.choices(
        sellers, cum_weights=_cumulative(rng.paretovariate(2.5) for _ in sellers), k=count
    )
    ticket_weights = _cumulative(1 / n**1.3 for n in range(1, NUMTICKETS_MAX + 1))
    rows = []
    for listid, event, sellerid in zip(range(1, count + 1), chosen_events, chosen_sellers, strict=True):
        eventid, _, catid, _, _, start = event
        listtime = start - dt.timedelta(
            days=min(int(rng.expovariate(1 / 25)), 120), seconds=rng.randint(60, 86399)
        )
        if listtime < YEAR_START:
            listtime = YEAR_START + dt.timedelta(
                seconds=int((start - YEAR_START).total_seconds() * rng.random())
            )
        listtime = _on_known_date(listtime, dateids, dt.timedelta(days=-1))
        numtickets = rng.choices(range(1, NUMTICKETS_MAX + 1), cum_weights=ticket_weights)[0]
        median = MEDIAN_PRICE.get(catname[catid], 80)
        price = min(max(round(rng.lognormvariate(math.log(median), 0.7)), PRICE_RANGE[0]), PRICE_RANGE[1])
        price = Decimal(price).quantize(CENT)
        rows.append(
            (
                listid,
                sellerid,
                eventid,
                dateids[listtime.date()],
                numtickets,
                price,
                (price * numtickets).quantize(CENT),
                format_time(listtime),
            )
        )
    return rows


def _cumulative(weights) -> list[float]:
    total, result = 0.0, []
    for weight in weights:
        total += weight
        result.append(total)
    return result


def _parse_time(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%m/%d/%Y %H:%M:%S")


class _Seller:
    """Draws sales off listings without ever selling more tickets than a listing has."""

    def __init__(
        self,
        rng: random.Random,
        listings: list[tuple],
        sold: Counter,
        events: list[tuple],
        dates: list[tuple],
        user_count: int,
    ):
        self.rng, self.listings, self.user_count = rng, listings, user_count
        self.dateids = _dateids(dates)
        self.starts = {row[0]: row[5] for row in events}
        self.left = {row[0]: row[4] - sold[row[0]] for row in listings}
        self.open = [index for index, row in enumerate(listings) if self.left[row[0]] > 0]

    def sale(self, salesid: int | None, saletime: str | None = None) -> tuple:
        if not self.open:
            raise ValueError("not enough listed tickets for the requested sales: raise the listing count")
        rng = self.rng
        position = rng.randrange(len(self.open))
        listid, sellerid, eventid, _, _, price, _, listtime_text = self.listings[self.open[position]]
        qtysold = min(rng.choices(range(1, len(QTY_WEIGHTS) + 1), weights=QTY_WEIGHTS)[0], self.left[listid])
        self.left[listid] -= qtysold
        if self.left[listid] == 0:
            self.open[position] = self.open[-1]
            self.open.pop()
        listtime = _parse_time(listtime_text)
        window = max(int((self.starts[eventid] - listtime).total_seconds()), 2)
        moment = _on_known_date(
            listtime + dt.timedelta(seconds=rng.randint(1, window - 1)), self.dateids, dt.timedelta(days=1)
        )
        buyerid = sellerid
        while buyerid == sellerid:
            buyerid = rng.randint(1, self.user_count)
        pricepaid = (price * qtysold).quantize(CENT)
        commission = (pricepaid * COMMISSION_RATE).quantize(CENT, rounding=ROUND_HALF_UP)
        return (
            salesid,
            listid,
            sellerid,
            buyerid,
            eventid,
            self.dateids[moment.date()],
            qtysold,
            pricepaid,
            commission,
            saletime if saletime is not None else format_time(moment),
        )


def generate_sales(
    count: int, seed: int, listings: list[tuple], events: list[tuple], dates: list[tuple], user_count: int
) -> list[tuple]:
    """Valid sales: each off a listing (same seller and event), by another user, after the listing time."""
    seller = _Seller(_rng(seed, "sales"), listings, Counter(), events, dates, user_count)
    return [seller.sale(salesid) for salesid in range(1, count + 1)]


def anomaly_rows(
    seed: int,
    listings: list[tuple],
    sales: list[tuple],
    events: list[tuple],
    dates: list[tuple],
    user_count: int,
) -> dict[str, list[tuple]]:
    """The rows of `anomalies()`: extra sales (bad saletime, null salesid) and exact listing duplicates."""
    rng = _rng(seed, "anomalies")
    sold = Counter()
    for row in sales:
        sold[row[1]] += row[6]
    seller = _Seller(rng, listings, sold, events, dates, user_count)
    next_id = max((row[0] for row in sales), default=0) + 1
    bad = [seller.sale(next_id + offset, text) for offset, text in enumerate(BAD_SALETIMES)]
    null_key = [seller.sale(None) for _ in range(NULL_SALESID_ROWS)]
    duplicates = [listings[index] for index in rng.sample(range(len(listings)), DUPLICATED_LISTINGS)]
    return {"sales": bad + null_key, "listing": duplicates}


def generate_dataset(
    scale: float = 1, seed: int = 2008, sample_dir: Path = SAMPLE_DIR
) -> dict[str, list[tuple]]:
    """All seven tables: the real rows, the generated valid rows and, on top, the anomalies."""
    sizes = counts(scale)
    tables = {table: read_real(table, sample_dir) for table in ("category", "venue", "date", "event")}
    tables["users"] = generate_users(sizes["users"], seed)
    listings = generate_listings(
        sizes["listing"], seed, tables["event"], tables["category"], tables["date"], sizes["users"]
    )
    sales = generate_sales(sizes["sales"], seed, listings, tables["event"], tables["date"], sizes["users"])
    extra = anomaly_rows(seed, listings, sales, tables["event"], tables["date"], sizes["users"])
    tables["listing"] = listings + extra["listing"]
    tables["sales"] = sales + extra["sales"]
    return tables

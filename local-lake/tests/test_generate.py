"""The TICKIT generator: exact counts, determinism, referential integrity, money rules, anomalies."""

import datetime as dt
import re
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from localdb.generate import anomalies, counts, format_time, generate_dataset
from localdb.tables import read_real

TIME = re.compile(r"^(1[0-2]|[1-9])/([12]\d|3[01]|[1-9])/2008 ([01]\d|2[0-3]):[0-5]\d:[0-5]\d$")


@pytest.fixture(scope="module")
def small():
    return generate_dataset(scale=0.05, seed=11)


def parse(text):
    return dt.datetime.strptime(text, "%m/%d/%Y %H:%M:%S")


def test_counts_are_the_tickit_counts_times_the_scale_rounded():
    assert counts(1) == {"users": 49_990, "listing": 192_497, "sales": 172_456}
    assert counts(0.02) == {"users": 1000, "listing": 3850, "sales": 3449}
    assert counts(2) == {"users": 99_980, "listing": 384_994, "sales": 344_912}


@pytest.mark.parametrize("scale", [0, -1, float("nan"), float("inf"), "1", 0.00001])
def test_bad_scales_are_refused(scale):
    with pytest.raises(ValueError, match="scale"):
        counts(scale)


def test_full_scale_has_exactly_the_tickit_counts_plus_the_documented_anomalies():
    tables = generate_dataset(scale=1, seed=2008)
    sizes = {name: len(rows) for name, rows in tables.items()}
    assert sizes == {"category": 11, "venue": 202, "date": 365, "event": 8798,
                     "users": 49_990, "listing": 192_497 + 2, "sales": 172_456 + 4}  # fmt: skip


def test_the_same_seed_gives_the_same_rows_and_another_seed_other_rows(small):
    assert generate_dataset(scale=0.05, seed=11) == small
    other = generate_dataset(scale=0.05, seed=12)
    assert other["sales"] != small["sales"] and other["users"] != small["users"]
    assert other["event"] == small["event"]  # real rows do not depend on the seed


def test_time_format_is_unpadded_month_and_day():
    assert format_time(dt.datetime(2008, 2, 18, 2, 36, 48)) == "2/18/2008 02:36:48"
    assert format_time(dt.datetime(2008, 11, 5, 23, 0, 9)) == "11/5/2008 23:00:09"


def test_users_look_like_tickit_users(small):
    users = small["users"]
    assert [u[0] for u in users] == list(range(1, 2500 + 1))
    for user in users:
        assert re.fullmatch(r"[A-Z]{3}\d{2}[A-Z]{3}", user[1]), user
        assert re.fullmatch(r"[A-Z]{2}", user[5]), user
        assert re.fullmatch(r"\(\d{3}\) \d{3}-\d{4}", user[7]), user
        assert "@example." in user[6]
        assert all(like in (True, False, None) for like in user[8:]) and len(user[8:]) == 10
    likes = Counter(like for user in users for like in user[8:])
    assert likes[None] > 0 and likes[True] > 0 and likes[False] > 0


def test_listings_reference_real_events_dates_and_users(small):
    events = {e[0]: e for e in small["event"]}
    dates = {d[0]: d[1] for d in small["date"]}
    users = len(small["users"])
    catnames = {c[0]: c[2] for c in small["category"]}
    prices = defaultdict(list)
    for _, sellerid, eventid, dateid, numtickets, price, total, listtime in small["listing"]:
        event = events[eventid]
        assert 1 <= sellerid <= users
        assert TIME.fullmatch(listtime), listtime
        when = parse(listtime)
        assert dates[dateid] == when.date()  # dateid is the listing day's
        assert dt.datetime(2008, 1, 1) <= when < event[5]  # listed before the event starts
        assert 1 <= numtickets <= 30
        assert Decimal(20) <= price <= Decimal(2500)
        assert total == price * numtickets
        prices[catnames[event[2]]].append(price)
    numtickets = Counter(row[4] for row in small["listing"])
    assert numtickets[1] + numtickets[2] > numtickets[15] + numtickets[16]  # skewed to small lots
    median = {name: sorted(p)[len(p) // 2] for name, p in prices.items()}
    assert median["Opera"] > median["Pop"]  # prices depend on the category


def test_sales_follow_their_listing_and_the_money_rules(small):
    listings = {row[0]: row for row in small["listing"]}
    dates = {d[0]: d[1] for d in small["date"]}
    sold = Counter()
    for salesid, listid, sellerid, buyerid, eventid, dateid, qty, pricepaid, commission, saletime in small[
        "sales"
    ]:
        listing = listings[listid]
        assert (sellerid, eventid) == (listing[1], listing[2])
        assert buyerid != sellerid and 1 <= buyerid <= len(small["users"])
        assert pricepaid == listing[5] * qty  # the TOTAL of the sale
        assert commission == (pricepaid * Decimal("0.15")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        sold[listid] += qty
        if salesid is not None and TIME.fullmatch(saletime):
            assert parse(saletime) > parse(listing[7])
            assert dates[dateid] == parse(saletime).date()
    assert all(total <= listings[listid][4] for listid, total in sold.items())  # never oversold


def test_anomalies_are_exactly_the_documented_ones(small):
    documented = {(a["table"], a["kind"]): a["rows"] for a in anomalies()}
    assert documented == {("sales", "unparseable_timestamp"): 3, ("sales", "null_primary_key"): 1,
                          ("listing", "duplicate_row"): 2}  # fmt: skip
    sales = small["sales"]
    unparseable = [row for row in sales if not TIME.fullmatch(row[9])]
    assert sorted(row[9] for row in unparseable) == sorted(["not a timestamp", "2008-02-18T02:36:48", "N/A"])
    assert [row for row in sales if row[0] is None] and len([row for row in sales if row[0] is None]) == 1
    ids = [row[0] for row in sales if row[0] is not None]
    assert len(ids) == len(set(ids)) == counts(0.05)["sales"] + 3  # keys stay unique
    duplicates = {row: n for row, n in Counter(small["listing"]).items() if n > 1}
    assert len(duplicates) == 2 and set(duplicates.values()) == {2}
    assert len({row[0] for row in small["listing"]}) == counts(0.05)["listing"]


def test_real_rows_are_read_typed_and_a_malformed_line_is_named(tmp_path):
    venue = read_real("venue")
    assert len(venue) == 202 and sum(v[4] for v in venue if v[3] == "FL") == 250_411
    (tmp_path / "category.txt").write_text("1|Sports|MLB|Major League Baseball\n2|Sports|NHL\n")
    with pytest.raises(ValueError, match=r"category.txt:2: expected 4 fields, got 3"):
        read_real("category", tmp_path)
    with pytest.raises(ValueError, match="no real rows for table 'users'"):
        read_real("users")

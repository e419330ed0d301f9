from datetime import datetime
from decimal import Decimal as D

import pytest
from medallion import gold

SALES_DDL = (
    "salesid int, listid int, sellerid int, buyerid int, eventid int, dateid smallint, qtysold smallint, "
    "pricepaid decimal(8,2), commission decimal(8,2), saletime timestamp"
)
# salesid, sellerid, buyerid, eventid, qtysold, pricepaid, commission, saletime
SALES = [
    (1, 10, 20, 100, 2, D("100.00"), D("15.00"), datetime(2008, 1, 5, 10, 0)),
    (2, 10, 21, 101, 1, D("51.00"), D("7.65"), datetime(2008, 1, 20, 9, 30)),
    (3, 11, 20, 100, 4, D("300.00"), D("45.00"), datetime(2008, 2, 1, 0, 0)),
    (4, 12, 22, 999, 0, D("0.00"), D("0.00"), datetime(2008, 4, 10, 8, 0)),  # unknown event+buyer, zero qty
    (5, 99, 20, 102, 3, D("90.00"), D("13.50"), datetime(2008, 3, 3, 3, 3)),  # unknown seller
]


@pytest.fixture(scope="module")
def tables(spark):
    sales = spark.createDataFrame(
        [(s, 7, sel, buy, ev, 1, q, p, c, t) for s, sel, buy, ev, q, p, c, t in SALES], SALES_DDL
    )
    event = spark.createDataFrame(
        [
            (100, 1, 1, "Event A", datetime(2008, 1, 10, 20, 0)),
            (101, 2, 2, "Event B", datetime(2008, 1, 15, 19, 0)),  # venue 2 is missing
            (102, 1, 3, "Event C", datetime(2008, 3, 1, 14, 0)),  # category 3 is missing
            (103, 1, 1, "Event D", datetime(2008, 2, 1, 20, 0)),  # no listings, no sales
        ],
        "eventid int, venueid smallint, catid smallint, eventname string, starttime timestamp",
    )
    venue = spark.createDataFrame(
        [(1, "Arena", "Springfield", "IL", 5000)],
        "venueid smallint, venuename string, venuecity string, venuestate string, venueseats int",
    )
    category = spark.createDataFrame(
        [(1, "Sports", "MLB", "Baseball"), (2, "Shows", "Musicals", "Musicals")],
        "catid smallint, catgroup string, catname string, catdesc string",
    )
    listing = spark.createDataFrame(
        [(1, 100, 10), (2, 100, 2), (3, 101, 4), (4, 102, 0), (5, 555, 5), (6, None, 1)],
        "listid int, eventid int, numtickets smallint",
    )
    users = spark.createDataFrame(
        [
            (10, "alice01", "Alice", "Ames", "Austin", "TX"),
            (11, "bob02", "Bob", "Burr", "Boston", "MA"),
            (12, "carol03", "Carol", "Cole", "Chicago", "IL"),
            (20, "dan04", "Dan", "Dorn", "Denver", "CO"),
            (21, "erin05", "Erin", "Eck", "Eugene", "OR"),
        ],
        "userid int, username string, firstname string, lastname string, city string, state string",
    )
    return {
        "sales": sales,
        "event": event,
        "venue": venue,
        "category": category,
        "listing": listing,
        "users": users,
    }


def _rows(df, order):
    return [r.asDict() for r in df.orderBy(*order).collect()]


def test_sales_by_month(tables):
    out = gold.sales_by_month(tables["sales"])
    assert out.columns == [
        "gross_sales",
        "commission",
        "tickets_sold",
        "orders",
        "avg_ticket_price",
        "year",
        "month",
    ]
    assert [tuple(r.values()) for r in _rows(out, ["year", "month"])] == [
        (D("151.00"), D("22.65"), 3, 2, D("50.33"), 2008, 1),  # 151 / 3 tickets, rounded
        (D("300.00"), D("45.00"), 4, 1, D("75.00"), 2008, 2),
        (D("90.00"), D("13.50"), 3, 1, D("30.00"), 2008, 3),
        (D("0.00"), D("0.00"), 0, 1, None, 2008, 4),  # no tickets: no average, no error
    ]
    assert dict(out.dtypes)["gross_sales"] == "decimal(18,2)"
    assert dict(out.dtypes)["avg_ticket_price"] == "decimal(18,2)"


def test_sales_by_category_keeps_sales_of_unknown_events(tables):
    out = gold.sales_by_category(tables["sales"], tables["event"], tables["category"])
    assert [tuple(r.values()) for r in _rows(out, ["catgroup", "catname"])] == [
        ("Musicals", D("51.00"), D("7.65"), 1, 1, D("51.00"), "Shows"),
        ("MLB", D("400.00"), D("60.00"), 6, 2, D("66.67"), "Sports"),
        # sale 5 (event of a missing category) and sale 4 (missing event)
        ("Unknown", D("90.00"), D("13.50"), 3, 2, D("30.00"), "Unknown"),
    ]


def test_event_performance_keeps_events_without_venue_or_sales(tables):
    t = tables
    out = gold.event_performance(t["event"], t["venue"], t["category"], t["listing"], t["sales"])
    assert out.columns == [
        "eventid", "eventname", "catname", "venueid", "venuename", "venuecity", "venuestate",
        "tickets_listed", "tickets_sold", "sell_through", "gross_sales", "year", "month",
    ]  # fmt: skip
    assert [tuple(r.values()) for r in _rows(out, ["eventid"])] == [
        (100, "Event A", "MLB", 1, "Arena", "Springfield", "IL", 12, 6, 0.5, D("400.00"), 2008, 1),
        (101, "Event B", "Musicals", 2, "Unknown venue", None, None, 4, 1, 0.25, D("51.00"), 2008, 1),
        (102, "Event C", None, 1, "Arena", "Springfield", "IL", 0, 3, None, D("90.00"), 2008, 3),
        (103, "Event D", "MLB", 1, "Arena", "Springfield", "IL", 0, 0, None, D("0.00"), 2008, 2),
    ]


def test_top_sellers(tables):
    out = gold.top_sellers(tables["sales"], tables["users"])
    assert out.columns == [
        "rank", "sellerid", "username", "firstname", "lastname", "city", "state",
        "gross_sales", "tickets_sold", "year",
    ]  # fmt: skip
    assert [tuple(r.values()) for r in _rows(out, ["year", "rank"])] == [
        (1, 11, "bob02", "Bob", "Burr", "Boston", "MA", D("300.00"), 4, 2008),
        (2, 10, "alice01", "Alice", "Ames", "Austin", "TX", D("151.00"), 3, 2008),
        (3, 99, None, None, None, None, None, D("90.00"), 3, 2008),  # seller missing from users
        (4, 12, "carol03", "Carol", "Cole", "Chicago", "IL", D("0.00"), 0, 2008),
    ]


def test_top_buyers(tables):
    out = gold.top_buyers(tables["sales"], tables["users"])
    assert [tuple(r.values()) for r in _rows(out, ["year", "rank"])] == [
        (1, 20, "dan04", "Dan", "Dorn", "Denver", "CO", D("490.00"), 9, 3, 2008),
        (2, 21, "erin05", "Erin", "Eck", "Eugene", "OR", D("51.00"), 1, 1, 2008),
        (3, 22, None, None, None, None, None, D("0.00"), 0, 1, 2008),
    ]
    assert out.columns[-4:] == ["total_spent", "tickets_bought", "orders", "year"]


def test_top_ten_per_year_with_ties_broken_by_id(spark, tables):
    # 12 sellers with equal gross in 2008 (ids 1..12), inserted in reverse; one seller in 2009.
    rows = [(i, 7, i, 20, 100, 1, 1, D("10.00"), D("1.50"), datetime(2008, 5, 1)) for i in range(12, 0, -1)]
    rows.append((13, 7, 5, 20, 100, 1, 1, D("5.00"), D("0.75"), datetime(2009, 1, 1)))
    out = gold.top_sellers(spark.createDataFrame(rows, SALES_DDL), tables["users"])
    assert [(r["year"], r["rank"], r["sellerid"]) for r in _rows(out, ["year", "rank"])] == [
        *[(2008, i, i) for i in range(1, 11)],
        (2009, 1, 5),
    ]


def test_orphan_counts(tables):
    assert gold.orphan_counts(tables) == {
        "sales_unknown_event": 1,  # sale 4 -> event 999
        "sales_unknown_seller": 1,  # sale 5 -> seller 99
        "sales_unknown_buyer": 1,  # sale 4 -> buyer 22
        "listings_unknown_event": 2,  # listing 5 -> event 555, listing 6 -> no event
        "events_unknown_venue": 1,  # event 101 -> venue 2
        "events_unknown_category": 1,  # event 102 -> category 3
    }


def test_every_model_is_partitioned_by_columns_it_produces(tables):
    for name, model in gold.MODELS.items():
        out = gold.build_model(name, tables)
        assert out.columns[-len(model.partition_by) :] == list(model.partition_by), name

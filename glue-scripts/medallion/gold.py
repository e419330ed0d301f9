"""Gold models: TICKIT analytics tables for Athena, each a function of silver DataFrames.

`pricepaid` is the total paid for a sale (not a ticket price), so the average ticket price is
sum(pricepaid) / sum(qtysold), null when no tickets were sold. Orphan foreign keys are kept:
a sale of an unknown event counts under category 'Unknown', a seller or buyer missing from users
keeps its id with null names, an event whose venue is missing is 'Unknown venue'. `orphan_counts`
reports how many rows each gap affects (in the gold run summary).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

MONEY = "decimal(18,2)"
UNKNOWN = "Unknown"
UNKNOWN_VENUE = "Unknown venue"
TOP_N = 10
USER_COLUMNS = ("username", "firstname", "lastname", "city", "state")


def _money(col: Column) -> Column:
    return col.cast(MONEY)


def _average(total: Column, count: Column) -> Column:
    """total / count rounded to cents; null (not a division error) when count is 0 or null."""
    return _money(F.when(count != 0, F.round(total / count, 2)))


def _sales_measures() -> list[Column]:
    gross, tickets = F.sum("pricepaid"), F.sum("qtysold")
    return [
        _money(gross).alias("gross_sales"),
        _money(F.sum("commission")).alias("commission"),
        tickets.cast("bigint").alias("tickets_sold"),
        F.count(F.lit(1)).alias("orders"),
        _average(gross, tickets).alias("avg_ticket_price"),
    ]


def _with_year_month(df: DataFrame, ts_column: str) -> DataFrame:
    return df.withColumns({"year": F.year(ts_column).cast("int"), "month": F.month(ts_column).cast("int")})


def sales_by_month(sales: DataFrame) -> DataFrame:
    """Sales measures per calendar month of `saletime`; partitioned by year, month."""
    return (
        _with_year_month(sales, "saletime")
        .groupBy("year", "month")
        .agg(*_sales_measures())
        .select("gross_sales", "commission", "tickets_sold", "orders", "avg_ticket_price", "year", "month")
    )


def sales_by_category(sales: DataFrame, event: DataFrame, category: DataFrame) -> DataFrame:
    """Sales measures per category (sales -> event -> category); sales whose event or category is
    unknown count under catgroup/catname 'Unknown'. Partitioned by catgroup."""
    joined = sales.join(event.select("eventid", "catid"), "eventid", "left").join(
        category.select("catid", "catgroup", "catname"), "catid", "left"
    )
    named = joined.withColumns({c: F.coalesce(c, F.lit(UNKNOWN)) for c in ("catgroup", "catname")})
    return (
        named.groupBy("catgroup", "catname")
        .agg(*_sales_measures())
        .select(
            "catname", "gross_sales", "commission", "tickets_sold", "orders", "avg_ticket_price", "catgroup"
        )
    )


def event_performance(
    event: DataFrame, venue: DataFrame, category: DataFrame, listing: DataFrame, sales: DataFrame
) -> DataFrame:
    """One row per event: venue ('Unknown venue' when missing), tickets listed and sold, sell-through
    (null without listed tickets) and gross sales; partitioned by year, month of `starttime`."""
    listed = listing.groupBy("eventid").agg(F.sum("numtickets").cast("bigint").alias("tickets_listed"))
    sold = sales.groupBy("eventid").agg(
        F.sum("qtysold").cast("bigint").alias("tickets_sold"), _money(F.sum("pricepaid")).alias("gross_sales")
    )
    joined = (
        event.join(venue.select("venueid", "venuename", "venuecity", "venuestate"), "venueid", "left")
        .join(category.select("catid", "catname"), "catid", "left")
        .join(listed, "eventid", "left")
        .join(sold, "eventid", "left")
    )
    listed_total = F.coalesce("tickets_listed", F.lit(0).cast("bigint"))
    sold_total = F.coalesce("tickets_sold", F.lit(0).cast("bigint"))
    return _with_year_month(joined, "starttime").select(
        "eventid",
        "eventname",
        "catname",
        "venueid",
        F.coalesce("venuename", F.lit(UNKNOWN_VENUE)).alias("venuename"),
        "venuecity",
        "venuestate",
        listed_total.alias("tickets_listed"),
        sold_total.alias("tickets_sold"),
        F.when(listed_total > 0, sold_total / listed_total).cast("double").alias("sell_through"),
        F.coalesce("gross_sales", _money(F.lit(0))).alias("gross_sales"),
        "year",
        "month",
    )


def _top_per_year(
    sales: DataFrame, users: DataFrame, key: str, measures: list[Column], order_by: str
) -> DataFrame:
    """Top TOP_N values of `key` per sale year by `order_by` desc then `key` asc, with user details
    (null for ids missing from users)."""
    per_key = _with_year_month(sales, "saletime").groupBy("year", key).agg(*measures)
    window = Window.partitionBy("year").orderBy(
        F.col(order_by).desc_nulls_last(), F.col(key).asc_nulls_last()
    )
    top = per_key.withColumn("rank", F.row_number().over(window)).where(F.col("rank") <= TOP_N)
    people = users.select(F.col("userid").alias(key), *USER_COLUMNS)
    measure_names = [c for c in per_key.columns if c not in ("year", key)]
    return top.join(people, key, "left").select("rank", key, *USER_COLUMNS, *measure_names, "year")


def top_sellers(sales: DataFrame, users: DataFrame) -> DataFrame:
    """Top 10 sellers per year by gross sales; partitioned by year."""
    measures = [
        _money(F.sum("pricepaid")).alias("gross_sales"),
        F.sum("qtysold").cast("bigint").alias("tickets_sold"),
    ]
    return _top_per_year(sales, users, "sellerid", measures, "gross_sales")


def top_buyers(sales: DataFrame, users: DataFrame) -> DataFrame:
    """Top 10 buyers per year by total spent; partitioned by year."""
    measures = [
        _money(F.sum("pricepaid")).alias("total_spent"),
        F.sum("qtysold").cast("bigint").alias("tickets_bought"),
        F.count(F.lit(1)).alias("orders"),
    ]
    return _top_per_year(sales, users, "buyerid", measures, "total_spent")


def _unmatched(rows: DataFrame, column: str, dimension: DataFrame, key: str) -> int:
    """Rows whose `column` (null included) has no match in `dimension.key`."""
    return rows.join(dimension.select(F.col(key).alias(column)), column, "left_anti").count()


def orphan_counts(tables: dict[str, DataFrame]) -> dict[str, int]:
    """How many rows reference a missing dimension row, per relationship the models use."""
    t = tables
    return {
        "sales_unknown_event": _unmatched(t["sales"], "eventid", t["event"], "eventid"),
        "sales_unknown_seller": _unmatched(t["sales"], "sellerid", t["users"], "userid"),
        "sales_unknown_buyer": _unmatched(t["sales"], "buyerid", t["users"], "userid"),
        "listings_unknown_event": _unmatched(t["listing"], "eventid", t["event"], "eventid"),
        "events_unknown_venue": _unmatched(t["event"], "venueid", t["venue"], "venueid"),
        "events_unknown_category": _unmatched(t["event"], "catid", t["category"], "catid"),
    }


@dataclass(frozen=True)
class Model:
    build: Callable[..., DataFrame]
    inputs: tuple[str, ...]
    partition_by: tuple[str, ...]


MODELS: dict[str, Model] = {
    "sales_by_month": Model(sales_by_month, ("sales",), ("year", "month")),
    "sales_by_category": Model(sales_by_category, ("sales", "event", "category"), ("catgroup",)),
    "event_performance": Model(
        event_performance, ("event", "venue", "category", "listing", "sales"), ("year", "month")
    ),
    "top_sellers": Model(top_sellers, ("sales", "users"), ("year",)),
    "top_buyers": Model(top_buyers, ("sales", "users"), ("year",)),
}
GOLD_INPUTS = ("sales", "listing", "event", "venue", "category", "users")


def build_model(name: str, tables: dict[str, DataFrame]) -> DataFrame:
    model = MODELS[name]
    return model.build(*[tables[t] for t in model.inputs])

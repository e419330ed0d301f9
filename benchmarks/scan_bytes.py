"""How many bytes Spark reads to answer "gross sales per month" from gold versus from silver.

Runs the same question twice on local Spark — from the gold `sales_by_month` model and from the
silver `sales` table — and prints one JSON object with, per side, the bytes of the files the scan
selected (`filesSize`, after partition pruning), the bytes actually read (`bytesRead` from the
task input metrics, after column pruning), the number of files, and the answer's checksum so the
two sides can be compared. Silver and gold are Iceberg tables of the local Glue catalog
(AWS_ENDPOINT_URL_GLUE): Usage: python benchmarks/scan_bytes.py --silver-db DB --gold-db DB
"""

from __future__ import annotations

import argparse
import json
import sys

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

# A scan node's metrics: Spark's file scans name them filesSize/numFiles, Iceberg's scans
# totalDataFileSize/resultDataFiles (org.apache.iceberg.spark.source.metrics).
METRIC_NAMES = {"filesSize": ("filesSize", "totalDataFileSize"), "numFiles": ("numFiles", "resultDataFiles")}


def _scan_metrics(plan) -> dict[str, int]:
    """Sums the file-scan metrics of every scan node of an executed physical plan (py4j objects)."""
    totals = {"filesSize": 0, "numFiles": 0}
    stack = [plan]
    while stack:
        node = stack.pop()
        metrics = node.metrics()
        for name, names in METRIC_NAMES.items():
            for metric_name in names:
                metric = metrics.get(metric_name)
                if metric.isDefined():
                    totals[name] += int(metric.get().value())
        children = node.children()
        stack.extend(children.apply(i) for i in range(children.size()))
    return totals


def _input_bytes(spark: SparkSession) -> int:
    """Bytes read by all stages so far, from Spark's status store (what the UI shows as Input)."""
    sc, jvm = spark.sparkContext._jsc.sc(), spark.sparkContext._jvm
    sc.listenerBus().waitUntilEmpty()
    empty = jvm.java.util.ArrayList()
    no_quantiles = spark.sparkContext._gateway.new_array(jvm.double, 0)
    # stageList(statuses, details, withSummaries, unsortedQuantiles, taskStatus): empty filters = all stages.
    stages = sc.statusStore().stageList(empty, False, False, no_quantiles, empty)
    return sum(int(stages.apply(i).inputBytes()) for i in range(stages.size()))


def measure(spark: SparkSession, df: DataFrame) -> dict:
    query = df.orderBy("year", "month")
    before = _input_bytes(spark)
    rows = query.collect()
    read = _input_bytes(spark) - before
    metrics = _scan_metrics(query._jdf.queryExecution().executedPlan())
    return {
        "bytesRead": read,
        "filesSize": metrics["filesSize"],
        "files": metrics["numFiles"],
        "months": len(rows),
        "grossSales": str(sum((r["gross_sales"] for r in rows if r["gross_sales"] is not None), 0)),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--silver-db", required=True, help="silver catalog database")
    parser.add_argument("--gold-db", required=True, help="gold catalog database")
    args = parser.parse_args(argv)
    from local_spark import local_iceberg_session
    from medallion.iceberg import table_name

    # The executed plan must be the one that ran, for its scan metrics.
    spark = local_iceberg_session("medallion-bench-scan", "gold", {"spark.sql.adaptive.enabled": "false"})
    tables = [
        r["tableName"]
        for r in spark.sql(f"SHOW TABLES IN {table_name(args.silver_db, 'x').rsplit('.', 1)[0]}").collect()
    ]
    sales = [t for t in tables if t.endswith("_sales")]
    if len(sales) != 1:
        print(f"scan_bytes: need exactly one silver <source>_sales table, found {sales}", file=sys.stderr)
        return 1
    spark.sparkContext.setLogLevel("ERROR")
    gold = spark.table(table_name(args.gold_db, "sales_by_month")).select("year", "month", "gross_sales")
    silver = (
        spark.table(table_name(args.silver_db, sales[0]))
        .groupBy("year", "month")
        .agg(F.sum("pricepaid").cast("decimal(18,2)").alias("gross_sales"))
    )
    result = {"gold": measure(spark, gold), "silver": measure(spark, silver)}
    spark.stop()
    print("SCAN_BYTES " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Local source databases for the medallion lake: PostgreSQL + MariaDB servers, the TICKIT loader,
a local crawler and an independent SQL computation of the gold measures."""

from .crawl import crawl
from .errors import LocalDbError
from .expected import expected
from .generate import anomalies, counts, generate_dataset
from .load import load
from .servers import start, stop

__all__ = [
    "LocalDbError",
    "anomalies",
    "counts",
    "crawl",
    "expected",
    "generate_dataset",
    "load",
    "start",
    "stop",
]

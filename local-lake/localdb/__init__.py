"""Local source databases for the medallion lake: PostgreSQL + MariaDB servers, the TICKIT loader,
a local crawler and the verify copy of the sources (verify.py)."""

from .crawl import crawl
from .errors import LocalDbError
from .generate import anomalies, counts, generate_dataset
from .load import load
from .servers import start, stop

__all__ = [
    "LocalDbError",
    "anomalies",
    "counts",
    "crawl",
    "generate_dataset",
    "load",
    "start",
    "stop",
]

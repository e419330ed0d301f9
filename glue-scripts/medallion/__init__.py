"""Pure building blocks of the medallion Glue jobs (bronze, silver, gold).

Modules hold DataFrame -> DataFrame transformations and pure helpers; the entry scripts
(`bronze_job.py`, `silver_job.py`, `gold_job.py`) do argument parsing and I/O only. The package
is shipped to Glue as a zip in `--extra-py-files` and must not depend on anything but PySpark.
"""

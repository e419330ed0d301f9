"""Silver's check that it read every row bronze wrote of a batch: the rows read from each batch's
Avro files against the row count in bronze's run summary of that batch
(`<bronze_path>/_run_summaries/<source>/<table>/<batch_id>.json`, field `rows`, written after the
batch's files). A damaged file must fail its table, never arrive partly: Spark returns what it read
of a corrupt file when `ignoreCorruptFiles` is on (so silver's reads turn it off), and a file cut at
an Avro block boundary, or to nothing, reads without any error at all.
https://spark.apache.org/docs/3.5.4/sql-data-sources-generic-options.html#ignore-corrupt-files
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

BATCH_FOLDER = "batch_id="
# Options of every bronze read: a corrupt or vanished file raises instead of being skipped.
STRICT_READ = {"ignoreCorruptFiles": "false", "ignoreMissingFiles": "false"}


class IncompleteBatchError(RuntimeError):
    """Silver could not read a bronze batch whole: its table keeps its previous silver."""


def summary_path(bronze_path: str, source: str, table: str, batch_id: str) -> str:
    """Where the bronze job writes a table's run summary of a batch."""
    return f"{bronze_path.rstrip('/')}/_run_summaries/{source}/{table}/{batch_id}.json"


def batch_of(file: str) -> str:
    """The batch id of a file below a `batch_id=<id>` folder."""
    for part in reversed(file.split("/")[:-1]):
        if part.startswith(BATCH_FOLDER):
            return part[len(BATCH_FOLDER) :]
    raise ValueError(f"{file} is not in a {BATCH_FOLDER}<id> folder")


def problems(
    files: Sequence[str],
    read: Sequence[tuple[str, datetime, int]],
    written: Mapping[str, int | None],
    summaries: Mapping[str, str],
    since: Mapping[str, datetime] | None = None,
) -> list[str]:
    """What differs between the rows read and the rows bronze wrote, one text per batch naming its
    files. `files` are the batches' Avro files; `read` is (file, `_ingested_at`, rows) per file and
    bronze run; `written` the rows of each batch's summary (None: no summary at `summaries[batch]`).
    A batch is compared by the rows of the bronze run that wrote the summary (a re-run on Glue of an
    incremental table adds to the batch instead of replacing it): those ingested at or after the
    run's start (`since[batch]`, the summary's `ingested_at`: a `rows` reconcile's re-read rows are
    ingested later in the same run), else, for summaries without it, the newest `_ingested_at`."""
    by_batch: dict[str, list[str]] = {}
    for file in files:
        by_batch.setdefault(batch_of(file), []).append(file)
    found = []
    for batch, batch_files in sorted(by_batch.items()):
        expected = written.get(batch)
        if expected is None:
            found.append(
                f"batch {batch}: no bronze run summary at {summaries[batch]}, so its files "
                f"({', '.join(sorted(batch_files))}) cannot be checked; re-run bronze for the batch "
                "(or delete its folder if bronze failed after writing it and a later batch re-read its rows)"
            )
            continue
        runs = [(at, file, n) for file, at, n in read if file in batch_files]
        start = (since or {}).get(batch)
        newest = max((at for at, _, _ in runs), default=None)
        runs = [r for r in runs if (r[0] >= start if start is not None else r[0] == newest)]
        got = sum(n for _, _, n in runs)
        if got != expected:
            per_file = {f: sum(n for _, file, n in runs if file == f) for f in batch_files}
            listed = ", ".join(f"{f} ({n} rows)" for f, n in sorted(per_file.items()))
            found.append(
                f"batch {batch}: bronze wrote {expected} rows, silver read {got} from {listed}; "
                "a file is damaged: restore it or re-run bronze for the batch"
            )
    return found

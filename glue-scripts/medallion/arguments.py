"""Job argument parsing shared by the three entry scripts.

The names come from job_arguments.json in this package, the single definition that the component
(packages/medallion-lake/src/model/job-arguments.ts) also reads. Glue passes `--name value` pairs plus its
own system arguments (`--JOB_RUN_ID`, `--job-bookmark-option`, `--TempDir`, `--enable-metrics`,
...), which are accepted and ignored here except the run id (the batch id fallback). On Glue, `io.start` hands
the system arguments to `Job.init` through awsglue's own `getResolvedOptions`.
"""

from __future__ import annotations

import json
from importlib import resources

# Package data, read through importlib.resources so that it loads from the --extra-py-files zip
# as well as from a directory: https://docs.python.org/3.11/library/importlib.resources.html
JOB_ARGUMENTS: dict[str, dict[str, list[str]]] = json.loads(
    resources.files(__package__).joinpath("job_arguments.json").read_text(encoding="utf-8")
)["jobs"]

# Glue system arguments the jobs read (the batch id fallback); never required.
GLUE_RUNTIME_ARGUMENTS = ("JOB_RUN_ID",)


class ArgumentError(ValueError):
    """A job was started with missing or malformed arguments."""


def parse_pairs(argv: list[str]) -> dict[str, str]:
    """Reads `--name value`, `--name=value` and bare `--flag` tokens; positional tokens are errors."""
    pairs: dict[str, str] = {}
    i = 0
    while i < len(argv):
        token = argv[i]
        if not token.startswith("--") or token == "--":
            raise ArgumentError(f"unexpected argument {token!r} at position {i}: expected --name value")
        name, sep, value = token[2:].partition("=")
        if not sep:
            has_value = i + 1 < len(argv) and not argv[i + 1].startswith("--")
            value = argv[i + 1] if has_value else ""
            i += 1 if has_value else 0
        pairs[name] = value
        i += 1
    return pairs


def parse_job_arguments(job: str, argv: list[str]) -> dict[str, str | None]:
    """Returns exactly the contract arguments of `job` (absent optional ones as None) plus the
    Glue runtime arguments, raising ArgumentError naming every missing or empty required one."""
    if job not in JOB_ARGUMENTS:
        raise ArgumentError(f"unknown job {job!r}: expected one of {', '.join(JOB_ARGUMENTS)}")
    pairs = parse_pairs(argv)
    names = JOB_ARGUMENTS[job]
    missing = [n for n in names["required"] if not pairs.get(n)]
    if missing:
        raise ArgumentError(f"{job} job: missing required argument(s) {', '.join('--' + n for n in missing)}")
    wanted = [*names["required"], *names["optional"], *GLUE_RUNTIME_ARGUMENTS]
    return {n: (pairs.get(n) or None) for n in wanted}

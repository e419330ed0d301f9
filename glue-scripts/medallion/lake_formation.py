"""Lake Formation mode (docs/governance.md): the classification LF-tag the silver and gold jobs set on
their tables. The component declares the tag (`<lake>-<env>-classification`, values `unclassified`,
`pii`, `sensitive`) and passes its key as `--lake_formation_tag`; consumer grants are LF-tag
expressions that match `unclassified` columns (plus the classifications a grant names), so a column
tagged `pii` is excluded from every grant that does not name `pii`.

Order matters: the columns are tagged first, the table last. A new table carries no classification
tag, so it matches no consumer grant until its classified columns are tagged; a column without its own
value inherits the table's (https://docs.aws.amazon.com/lake-formation/latest/dg/TBAC-assigning-tags.html:
a column's value overrides the one it inherits). Every column gets its value explicitly each run, so a
column that is no longer classified is set back to `unclassified`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

UNCLASSIFIED = "unclassified"


class LakeFormationError(RuntimeError):
    """Lake Formation refused to tag a table or its columns."""


def lake_formation_client():
    """The Lake Formation client, with the job role's credentials and region."""
    import boto3

    return boto3.client("lakeformation")


def tag_assignments(columns: Sequence[str], classifications: Mapping[str, str]) -> dict[str, list[str]]:
    """The value each column gets (value -> columns, in table order); `classifications` is keyed by
    lowercase column name."""
    by_value: dict[str, list[str]] = {}
    for column in columns:
        by_value.setdefault(classifications.get(column.lower(), UNCLASSIFIED), []).append(column)
    return by_value


def _add(client, resource: dict, key: str, value: str, where: str) -> None:
    try:
        response = client.add_lf_tags_to_resource(
            Resource=resource, LFTags=[{"TagKey": key, "TagValues": [value]}]
        )
    except Exception as error:
        raise LakeFormationError(f"AddLFTagsToResource {key}={value} on {where}: {error}") from error
    # Per-column refusals come back as Failures, not as an error.
    failures = response.get("Failures") or []
    if failures:
        raise LakeFormationError(f"AddLFTagsToResource {key}={value} on {where}: {failures}")


def tag_table(
    client, database: str, table: str, columns: Sequence[str], classifications: Mapping[str, str], key: str
) -> dict[str, list[str]]:
    """Tags each column of `database.table` with its classification (or `unclassified`), then the
    table with `unclassified`. Returns what it assigned (value -> columns)."""
    assigned = tag_assignments(columns, classifications)
    for value, names in assigned.items():
        resource = {"TableWithColumns": {"DatabaseName": database, "Name": table, "ColumnNames": names}}
        _add(client, resource, key, value, f"{database}.{table} columns {', '.join(names)}")
    _add(
        client, {"Table": {"DatabaseName": database, "Name": table}}, key, UNCLASSIFIED, f"{database}.{table}"
    )
    return assigned

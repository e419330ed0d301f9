"""Declared data-quality rules as the lake spec carries them (`tables[].rules`, built by the component
from the config's `rules`). Pure parsing and validation; evaluation is in `quality`."""

from __future__ import annotations

import re
from dataclasses import dataclass

SEVERITIES = ("error", "warn")
ROW_CHECKS = ("notNull", "range", "acceptedValues", "pattern", "reference")
TABLE_CHECKS = ("rowCount", "unique", "freshness")
# Gold model tests only: models are SQL already, so a test may be a SQL condition every row meets.
EXPRESSION_CHECK = "expression"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class RuleError(ValueError):
    """A rule in the lake spec is malformed; the message names the offending path."""


@dataclass(frozen=True)
class Reference:
    source: str
    table: str
    column: str


@dataclass(frozen=True)
class Rule:
    name: str
    check: str
    severity: str
    column: str | None = None
    columns: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    values: tuple[str | int | float | bool, ...] = ()
    pattern: str | None = None
    reference: Reference | None = None
    max_age_hours: float | None = None
    expression: str | None = None

    @property
    def is_row_rule(self) -> bool:
        return self.check in (*ROW_CHECKS, EXPRESSION_CHECK)


def _need(raw: dict, key: str, path: str, kinds: tuple[type, ...]):
    value = raw.get(key)
    if not isinstance(value, kinds) or isinstance(value, bool) and bool not in kinds or value == "":
        raise RuleError(f"{path}.{key}: expected {' or '.join(k.__name__ for k in kinds)}, got {value!r}")
    return value


def _optional_number(raw: dict, key: str, path: str) -> float | None:
    return None if raw.get(key) is None else _need(raw, key, path, (int, float))


def parse_rule(
    raw: object, path: str, columns: set[str], checks: tuple[str, ...] = ROW_CHECKS + TABLE_CHECKS
) -> Rule:
    """One rule of a table whose declared columns are `columns`; `checks` are the kinds allowed."""
    if not isinstance(raw, dict):
        raise RuleError(f"{path}: expected an object")
    name = _need(raw, "name", path, (str,))
    if not _NAME.match(name):
        raise RuleError(f"{path}.name: {name!r} must be lowercase letters, digits and _")
    check = _need(raw, "check", path, (str,))
    if check not in checks:
        raise RuleError(f"{path}.check: unknown check {check!r}, expected one of {', '.join(checks)}")
    severity = _need(raw, "severity", path, (str,))
    if severity not in SEVERITIES:
        raise RuleError(f"{path}.severity: expected one of {', '.join(SEVERITIES)}, got {severity!r}")
    columnless = ("rowCount", "unique", EXPRESSION_CHECK)
    needed = [raw.get("column")] if check not in columnless else list(raw.get("columns") or [])
    if check == "unique" and not needed:
        raise RuleError(f"{path}.columns: a unique rule needs at least one column")
    for col in needed:
        if col not in columns:
            raise RuleError(f"{path}: column {col!r} is not among the declared columns")
    reference = None
    if check == "reference":
        ref = raw.get("reference")
        if not isinstance(ref, dict):
            raise RuleError(f"{path}.reference: expected an object")
        reference = Reference(
            *(_need(ref, k, f"{path}.reference", (str,)) for k in ("source", "table", "column"))
        )
    rule = Rule(
        name=name,
        check=check,
        severity=severity,
        column=raw.get("column") if check not in columnless else None,
        columns=tuple(needed) if check == "unique" else (),
        min=_optional_number(raw, "min", path),
        max=_optional_number(raw, "max", path),
        values=tuple(_need(raw, "values", path, (list,))) if check == "acceptedValues" else (),
        pattern=_need(raw, "pattern", path, (str,)) if check == "pattern" else None,
        reference=reference,
        max_age_hours=_need(raw, "maxAgeHours", path, (int, float)) if check == "freshness" else None,
        expression=_need(raw, "expression", path, (str,)) if check == EXPRESSION_CHECK else None,
    )
    if check in ("range", "rowCount"):
        if rule.min is None and rule.max is None:
            raise RuleError(f"{path}: a {check} rule needs min, max or both")
        if rule.min is not None and rule.max is not None and rule.min > rule.max:
            raise RuleError(f"{path}: impossible range, min {rule.min} > max {rule.max}")
    if check == "pattern":
        try:
            re.compile(rule.pattern)
        except re.error as err:
            raise RuleError(f"{path}.pattern: not a valid regular expression: {err}") from err
    if check == "acceptedValues" and not rule.values:
        raise RuleError(f"{path}.values: expected at least one value")
    return rule


def parse_rules(
    raw: object, path: str, columns: set[str], checks: tuple[str, ...] = ROW_CHECKS + TABLE_CHECKS
) -> tuple[Rule, ...]:
    """The `rules` of a table (absent means none); names must be unique within the table."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RuleError(f"{path}: expected a list")
    if raw and not columns:
        raise RuleError(f"{path}: rules need the table's declared columns")
    rules = tuple(parse_rule(r, f"{path}[{i}]", columns, checks) for i, r in enumerate(raw))
    names = [r.name for r in rules]
    if len(set(names)) != len(names):
        raise RuleError(f"{path}: rule names must be unique within a table: {names}")
    return rules

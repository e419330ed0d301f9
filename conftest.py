"""Marks the tests that need Java or a server by the fixtures they use, so that `npm run test:unit`
(`pytest -m "not spark and not servers and not integration"`) runs the rest in seconds and `npm test`
still runs everything. Modules that start servers themselves carry `pytestmark = pytest.mark.servers`."""

from __future__ import annotations

import pytest

# Fixture -> marker: the session's SparkSession needs Java; moto's and the database servers are servers.
MARKERS = {"spark": "spark", "moto_endpoint": "servers", "glue": "servers", "database_servers": "servers"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for marker in sorted({MARKERS[f] for f in getattr(item, "fixturenames", ()) if f in MARKERS}):
            item.add_marker(marker)

import os
from datetime import UTC, datetime, timedelta

import pytest
from medallion import io


def test_text_round_trips_through_the_file_system_whole(spark, tmp_path):
    # Several lines, a blank one and non-ASCII: read back byte for byte, not line by line.
    text = '{"lake": "tickit",\n\n "note": "Café – 東京"}\n'
    path = f"file://{tmp_path}/nested/spec.json"
    io.write_text(spark, path, text)
    assert (tmp_path / "nested" / "spec.json").read_text(encoding="utf-8") == text
    assert io.read_text(spark, path) == text


def test_reading_a_missing_file_names_it(spark, tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.json"):
        io.read_text(spark, f"file://{tmp_path}/missing.json")


def test_new_batch_folders_are_those_written_since_the_watermark(spark, tmp_path):
    now = datetime.now(UTC)
    table = tmp_path / "bronze/shop/orders"
    folders = {
        "old": table / f"ingest_date={now.date()}/batch_id=old",
        "new": table / f"ingest_date={now.date()}/batch_id=new",
        "yesterday": table / f"ingest_date={(now - timedelta(days=1)).date()}/batch_id=y",
        "empty": table / f"ingest_date={now.date()}/batch_id=empty",
    }
    for name, folder in folders.items():
        folder.mkdir(parents=True)
        if name != "empty":
            (folder / "part-0.avro").write_bytes(b"x")
    two_hours_ago = (now - timedelta(hours=2)).timestamp()
    os.utime(folders["old"] / "part-0.avro", (two_hours_ago, two_hours_ago))

    def listed(after):
        return sorted(f.rsplit("/", 1)[1] for f in io.new_batch_folders(spark, table.as_uri(), after))

    assert listed(None) == ["batch_id=new", "batch_id=old", "batch_id=y"]
    # Watermark a minute ago: the old batch (2 h, beyond the slack) and yesterday's are skipped.
    assert listed((now - timedelta(minutes=1)).replace(tzinfo=None)) == ["batch_id=new"]
    assert io.new_batch_folders(spark, (tmp_path / "none").as_uri(), None) == []

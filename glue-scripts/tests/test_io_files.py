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


def uri(path) -> str:
    """A local path as the jobs write it (not Path.as_uri(), which escapes the `=` of partition folders)."""
    return f"file://{path}"


def test_remove_added_undoes_a_write_and_the_folders_it_left_empty(spark, tmp_path):
    root = tmp_path / "bronze"
    earlier = root / "shop/orders/ingest_date=2024-01-01/batch_id=b0"
    earlier.mkdir(parents=True)
    (earlier / "part-0.avro").write_bytes(b"kept")
    batch = root / "shop/orders/ingest_date=2024-01-02/batch_id=b1"
    # A write into a folder that did not exist: all of it and its new ingest_date folder go.
    batch.mkdir(parents=True)
    (batch / "part-1.avro").write_bytes(b"")
    (batch / "_SUCCESS").write_bytes(b"")
    io.remove_added(spark, uri(batch), set(), uri(root))
    assert not batch.parent.exists() and (earlier / "part-0.avro").read_bytes() == b"kept"
    # An append to a folder with files: only the new files go.
    (earlier / "part-9.avro").write_bytes(b"")
    io.remove_added(spark, uri(earlier), io.entries(spark, uri(earlier)) - {"part-9.avro"}, uri(root))
    assert sorted(os.listdir(earlier)) == ["part-0.avro"]
    # The last table of the lake: its folders go, the root stays.
    lone = root / "crm/users/ingest_date=2024-01-02/batch_id=b1"
    lone.mkdir(parents=True)
    io.remove_added(spark, uri(lone), set(), uri(root))
    assert not (root / "crm").exists() and root.exists()
    io.remove_added(spark, uri(root / "none/t/x"), set(), uri(root))  # nothing there: a no-op

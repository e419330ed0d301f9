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

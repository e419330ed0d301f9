import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the localdb package
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "support"))  # expected_gold
sys.path.insert(
    0, str(Path(__file__).resolve().parents[2] / "glue-scripts")
)  # medallion, which localdb reuses

"""`start` fails early and clearly when PostgreSQL (run as the postgres user under root) cannot reach
the data folder."""

import os
import tempfile
from pathlib import Path

import pytest
from localdb import LocalDbError, start

pytestmark = pytest.mark.servers  # starts its servers itself (no fixture marks it)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands PostgreSQL to the postgres user")
def test_a_data_folder_the_postgres_user_cannot_reach_is_named():
    with tempfile.TemporaryDirectory(prefix="localdb-private-") as private:
        os.chmod(private, 0o700)
        data_dir = Path(private) / "sources"
        with pytest.raises(LocalDbError, match=rf"start postgres: user postgres cannot traverse {private} "
                                               r"\(mode 0o700\).*chmod o\+x"):  # fmt: skip
            start(data_dir)
        assert not (data_dir / "postgres" / "data").exists()

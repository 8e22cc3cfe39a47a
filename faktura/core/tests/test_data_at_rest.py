"""Data at rest in the embedded mode (docs/security.md): the data folder a first start creates
(database, generated secret key, exports, outbox) is readable by its owner only."""

import os
import stat
import subprocess
import sys

from django.conf import settings


def test_a_first_start_creates_the_data_folder_and_secret_key_for_the_owner_only(tmp_path):
    data_dir = tmp_path / "new" / "data"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FAKTURA_") and k not in ("SECRET_KEY", "DATABASE_URL")
    }
    subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env={**env, "FAKTURA_DATA_DIR": str(data_dir)},
        check=True,
        cwd=settings.BASE_DIR,
    )
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / "secret_key").stat().st_mode) == 0o600

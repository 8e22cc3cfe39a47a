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
    assert stat.S_IMODE((data_dir / "encryption_key").stat().st_mode) == 0o600


def test_processes_starting_together_agree_on_one_secret_and_encryption_key(tmp_path):
    """Web and worker start at the same moment on a fresh data folder: both must read the key
    the other may encrypt with (the first hard link wins)."""
    data_dir = tmp_path / "data"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FAKTURA_") and k not in ("SECRET_KEY", "DATABASE_URL")
    }
    code = "import config.settings as s; print(s.SECRET_KEY, s.FAKTURA_ENCRYPTION_KEYS[0])"
    started = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            env={**env, "FAKTURA_DATA_DIR": str(data_dir)},
            cwd=settings.BASE_DIR,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    keys = {process.communicate(timeout=60)[0].strip() for process in started}
    files = [(data_dir / name).read_text().strip() for name in ("secret_key", "encryption_key")]
    assert keys == {" ".join(files)}
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".")]

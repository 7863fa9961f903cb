"""The bad-day restore of docs/operations.md ("Restore on a bad day", SEC-1), run as written: the
shell block of the section is taken from the document and run by bash, step by step, against a
backup of the test database whose remote copy is on the suite's SFTP server. Only the new
database's name and the files directory are made unique to this run."""

import os
import re
import secrets
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection

from datasecurity.models import BackupRunStatus
from datasecurity.services import backup_run_execute
from datasecurity.services.backup import _pg_params, _run_create, _scratch_drop

DOC = Path(settings.BASE_DIR) / "docs" / "operations.md"


def _bad_day_block() -> str:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("### Restore on a bad day", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)


def test_the_documented_commands_are_the_steps_one_to_four():
    block = _bad_day_block()
    commands = [line for line in block.splitlines() if line and not line.startswith("#")]
    assert len(commands) == 7
    steps = [line.split(".")[0] for line in block.splitlines() if line.startswith("# ")]
    assert steps == ["# 1", "# 2", "# 3", "# 4"]
    assert all("manage.py" in line or line.startswith("export ") for line in commands)


def test_the_bad_day_restore_runs_as_documented(db, settings, sftp_remote, tmp_path):
    # given a backup whose remote copy is on the SFTP server, uploads included
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    (settings.PRIVATE_MEDIA_ROOT / "leave").mkdir(parents=True)
    (settings.PRIVATE_MEDIA_ROOT / "leave" / "note.pdf").write_bytes(b"%PDF sick note")
    run = backup_run_execute(run_id=_run_create(actor=None, trigger="command").pk)
    assert run.status == BackupRunStatus.SUCCEEDED, run.error
    # when a person runs the documented block, in the application's directory, with the worker's
    # environment (the live database's URL, the remote location, the key)
    prefix = f"cc_doc_restored_{secrets.token_hex(3)}_"
    files_dir = tmp_path / "restore-files"
    script = _bad_day_block().replace("callcenter_restored_", prefix).replace("var/restore-files", str(files_dir))
    live = urlsplit(os.environ["DATABASE_URL"])
    live_url = urlunsplit((live.scheme, live.netloc, "/" + connection.settings_dict["NAME"], "", ""))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST_") and key not in ("DATABASE_URL", "BACKUP_REMOTE_URL", "BACKUP_LOCAL_URL")
    }
    env |= {
        "DJANGO_ENV": "test",
        "DATABASE_URL": live_url,
        "BACKUP_REMOTE_URL": sftp_remote,
        "BACKUP_LOCAL_URL": str(tmp_path / "unused-local"),
        "BACKUP_ENCRYPTION_KEY": settings.BACKUP_ENCRYPTION_KEY,
        "AUDIT_CHECKPOINT_DIR": str(tmp_path / "no-checkpoints"),
        "PATH": f"{Path(settings.BASE_DIR) / '.venv' / 'bin'}:{os.environ['PATH']}",
    }
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script + '\necho "RESTORED=$RESTORED"\n'],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = done.stdout + done.stderr
    restored = re.search(r"RESTORED=(\S+)", done.stdout)
    try:
        # then every step succeeded: listed, restored, migrations complete, audit chain intact
        assert done.returncode == 0, output
        assert run.name in done.stdout  # step 1 listed the backup
        assert f"Restored {run.name} into {prefix}" in done.stdout
        assert "Audit chain intact" in done.stdout
        assert (files_dir / "private" / "leave" / "note.pdf").read_bytes() == b"%PDF sick note"
        # and the live database was never the target
        assert restored and restored.group(1).startswith(prefix)
    finally:
        if restored:
            _scratch_drop(_pg_params(), restored.group(1))


def test_restoring_into_the_live_database_is_refused(db, sftp_remote):
    run = backup_run_execute(run_id=_run_create(actor=None, trigger="command").pk)
    done = subprocess.run(
        [
            str(Path(settings.BASE_DIR) / ".venv" / "bin" / "python"),
            "manage.py",
            "backup_restore",
            "--name",
            run.name,
            "--into",
            connection.settings_dict["NAME"],
        ],
        cwd=settings.BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")},
            "DATABASE_URL": urlunsplit(
                urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + connection.settings_dict["NAME"])
            ),
            "BACKUP_REMOTE_URL": sftp_remote,
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1
    # the command speaks the product's default language (Simplified Chinese): "… is the live database"
    assert f"{connection.settings_dict['NAME']} 是正在使用的数据库" in done.stderr

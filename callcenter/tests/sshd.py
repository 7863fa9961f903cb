"""A real SFTP server for the suite: Debian's OpenSSH ``sshd`` on 127.0.0.1, started by the test
set-up (the ``sftp_server`` fixture in conftest.py), one per test process, never a mock.

It runs from a temporary directory with its own host key, its own ``authorized_keys`` (a key made
for the run) and ``internal-sftp``; the client logs in as the user running the tests. The remote
backup location of a test is ``sftp://<user>@127.0.0.1:<port>/<dir>?key_filename=…`` (see
callcenter/storage_locations.py), the same URL form as production's ``BACKUP_REMOTE_URL``.
"""

import getpass
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
START_TIMEOUT_S = 20

_CONFIG = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {root}/host_ed25519
PidFile {root}/sshd.pid
AuthorizedKeysFile {root}/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
MaxStartups 50:30:100
MaxSessions 50
Subsystem sftp internal-sftp
LogLevel ERROR
"""


@dataclass
class SFTPServer:
    host: str
    port: int
    user: str
    key_filename: Path
    known_host_file: Path
    files_root: Path
    process: subprocess.Popen

    def url(self, directory: str | os.PathLike) -> str:
        """The backup-location URL of ``directory`` (absolute on the server, made if missing)."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        return (
            f"sftp://{self.user}@{self.host}:{self.port}{path}"
            f"?key_filename={self.key_filename}&known_host_file={self.known_host_file}"
        )

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _keygen(path: Path) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "callcenter-tests", "-f", str(path)],
        check=True,
        capture_output=True,
    )


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            return sock.recv(4).startswith(b"SSH-")
    except OSError:
        return False


def sftp_server_start(root: Path) -> SFTPServer:
    """Start ``sshd`` under ``root``; fails loudly when OpenSSH is missing (scripts/system_deps.sh
    installs ``openssh-server``) or does not answer."""
    if not Path(SSHD).exists():
        raise RuntimeError(
            f"{SSHD} not found: the suite's SFTP server needs Debian's openssh-server "
            "(`make test` installs it through scripts/system_deps.sh)."
        )
    root.mkdir(parents=True, exist_ok=True)
    _keygen(root / "host_ed25519")
    _keygen(root / "client_ed25519")
    shutil.copy(root / "client_ed25519.pub", root / "authorized_keys")
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation directory
    last_error = ""
    for _attempt in range(5):
        port = _free_port()
        (root / "sshd_config").write_text(_CONFIG.format(port=port, root=root))
        log = (root / "sshd.log").open("ab")
        process = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", str(root / "sshd_config")], stdout=log, stderr=log, start_new_session=True
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and process.poll() is None:
            if _accepts(port):
                host_key = (root / "host_ed25519.pub").read_text().split()
                (root / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_key[0]} {host_key[1]}\n")
                files_root = root / "files"
                files_root.mkdir(exist_ok=True)
                return SFTPServer(
                    host="127.0.0.1",
                    port=port,
                    user=getpass.getuser(),
                    key_filename=root / "client_ed25519",
                    known_host_file=root / "known_hosts",
                    files_root=files_root,
                    process=process,
                )
            time.sleep(0.1)
        process.kill()
        process.wait(timeout=10)
        last_error = (root / "sshd.log").read_text(errors="replace")
    raise RuntimeError(f"sshd did not start on 127.0.0.1:\n{last_error}")

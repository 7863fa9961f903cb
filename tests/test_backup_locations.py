"""The two backup locations (SEC-1) are Django storages named by URL (callcenter/storage_locations.py);
the remote one in the suite is a real SFTP server (Debian's sshd, callcenter/tests/sshd.py)."""

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import override_settings

from callcenter.storage_locations import (
    FILESYSTEM_BACKEND,
    S3_BACKEND,
    SFTP_BACKEND,
    storage_from_url,
    storage_location_label,
)


def test_urls_name_each_kind_of_location():
    assert storage_from_url("/srv/backups") == {"BACKEND": FILESYSTEM_BACKEND, "OPTIONS": {"location": "/srv/backups"}}
    assert storage_from_url("file:///srv/b")["OPTIONS"] == {"location": "/srv/b"}
    sftp = storage_from_url("sftp://backup:s%40cret@vault.example.com:2222/srv/b?key_filename=/k&known_host_file=/kh")
    assert sftp["BACKEND"] == SFTP_BACKEND
    assert sftp["OPTIONS"]["host"] == "vault.example.com"
    assert sftp["OPTIONS"]["root_path"] == "/srv/b"
    assert sftp["OPTIONS"]["known_host_file"] == "/kh"
    assert sftp["OPTIONS"]["params"] == {
        "port": 2222,
        "timeout": 15.0,
        "username": "backup",
        "password": "s@cret",
        "key_filename": "/k",
        "look_for_keys": False,
        "allow_agent": False,
    }
    s3 = storage_from_url("s3://cc-backups/site-a?endpoint_url=https://minio.example.com&region_name=cn-east-1")
    assert s3 == {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": "cc-backups",
            "location": "site-a",
            "default_acl": None,
            "endpoint_url": "https://minio.example.com",
            "region_name": "cn-east-1",
        },
    }
    for bad in ("", "ftp://host/x", "sftp:///no-host", "s3:///no-bucket"):
        with pytest.raises(ValueError):
            storage_from_url(bad)


def test_labels_never_carry_the_password():
    assert storage_location_label("sftp://backup:secret@vault:2222/srv/b?key_filename=/k") == (
        "sftp://backup@vault:2222/srv/b"
    )
    assert storage_location_label("/srv/backups") == "/srv/backups"


def test_the_s3_location_is_a_django_storage():
    with override_settings(STORAGES={"backup_remote": storage_from_url("s3://bucket/prefix?region_name=x")}):
        storage = storages["backup_remote"]
        assert type(storage).__name__ == "S3Storage"
        assert storage.bucket_name == "bucket"
        assert storage.location == "prefix"


def test_each_test_has_its_own_local_locations(tmp_path_factory):
    local, remote = storages["backup_local"], storages["backup_remote"]
    assert local.location != remote.location
    assert str(tmp_path_factory.getbasetemp()) in local.location
    name = local.save("probe.bin", ContentFile(b"x"))
    assert local.exists(name) and not remote.exists(name)


def test_the_remote_location_is_a_real_sftp_server(sftp_server, sftp_remote):
    storage = storages["backup_remote"]
    assert type(storage).__name__ == "SFTPStorage"
    payload = bytes(range(256)) * 4096  # 1 MiB
    name = storage.save("drill/2026-12-07/probe.bin", ContentFile(payload))
    try:
        assert storage.exists(name)
        assert storage.size(name) == len(payload)
        with storage.open(name, "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == hashlib.sha256(payload).hexdigest()
        _directories, files = storage.listdir("drill/2026-12-07")
        assert files == ["probe.bin"]
        # The file is on the server's disk, where sshd wrote it: not a mock.
        on_disk = Path(urlsplit(sftp_remote).path) / name
        assert on_disk.is_relative_to(sftp_server.files_root)
        assert on_disk.read_bytes() == payload
    finally:
        storage.delete(name)
    assert not storage.exists(name)
    storage.close()


def test_an_unreachable_sftp_location_raises(settings, sftp_server):
    url = sftp_server.url(sftp_server.files_root / "gone").replace(f":{sftp_server.port}/", ":1/")
    with (
        override_settings(STORAGES={**settings.STORAGES, "backup_remote": storage_from_url(url)}),
        pytest.raises(OSError),
    ):
        storages["backup_remote"].exists("anything")

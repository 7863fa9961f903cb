"""A backup location named by one URL, turned into a Django ``STORAGES`` entry (SEC-1).

Used by settings.py (no Django import here beyond what settings may import):

- ``file:///srv/backups`` or a plain path: ``FileSystemStorage`` at that directory;
- ``sftp://user@host:22/srv/backups?key_filename=/etc/callcenter/backup_key&known_host_file=…``:
  django-storages' ``SFTPStorage`` (paramiko); a password may stand in the URL's user part;
- ``s3://bucket/prefix?endpoint_url=https://…&region_name=…``: django-storages' ``S3Storage``
  (credentials from ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` or the instance's role).

``storage_location_label`` gives the same location without secrets, for pages and records.
"""

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

SFTP_BACKEND = "storages.backends.sftpstorage.SFTPStorage"
S3_BACKEND = "storages.backends.s3.S3Storage"
FILESYSTEM_BACKEND = "django.core.files.storage.FileSystemStorage"


def _query(url) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(url.query).items()}


def storage_from_url(url: str) -> dict:
    """The ``STORAGES`` entry (``BACKEND`` and ``OPTIONS``) for a location URL; ValueError when
    the URL names no location this project knows."""
    url = (url or "").strip()
    if not url:
        raise ValueError("empty storage URL")
    if "://" not in url:
        return {"BACKEND": FILESYSTEM_BACKEND, "OPTIONS": {"location": str(Path(url))}}
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    query = _query(parts)
    if scheme == "file":
        return {"BACKEND": FILESYSTEM_BACKEND, "OPTIONS": {"location": unquote(parts.path)}}
    if scheme == "sftp":
        if not parts.hostname:
            raise ValueError("an sftp:// URL needs a host")
        params: dict = {"port": parts.port or 22, "timeout": float(query.get("timeout", 15))}
        if parts.username:
            params["username"] = unquote(parts.username)
        if parts.password:
            params["password"] = unquote(parts.password)
        if query.get("key_filename"):
            params["key_filename"] = query["key_filename"]
            params["look_for_keys"] = False
            params["allow_agent"] = False
        options = {"host": parts.hostname, "params": params, "root_path": unquote(parts.path) or "/"}
        if query.get("known_host_file"):
            options["known_host_file"] = query["known_host_file"]
        return {"BACKEND": SFTP_BACKEND, "OPTIONS": options}
    if scheme == "s3":
        if not parts.hostname:
            raise ValueError("an s3:// URL needs a bucket")
        options = {"bucket_name": parts.hostname, "location": parts.path.strip("/"), "default_acl": None}
        for key in ("endpoint_url", "region_name"):
            if query.get(key):
                options[key] = query[key]
        return {"BACKEND": S3_BACKEND, "OPTIONS": options}
    raise ValueError(f"unknown storage URL scheme: {scheme}")


def storage_location_label(url: str) -> str:
    """The location without its password: ``sftp://backup@host:22/srv/backups``."""
    url = (url or "").strip()
    if "://" not in url:
        return str(Path(url)) if url else ""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.username:
        netloc = f"{unquote(parts.username)}@{netloc}"
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    return f"{parts.scheme}://{netloc}{parts.path}"

"""The security auditor's audit archives (SEC-2): the page and the API answer the auditor only
(every other role 403, nobody signed in to the login page), show each archive's range, dates,
count, size, locations and verification, and serve an intact copy of an archive, audited."""

import datetime
import gzip
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone

from callcenter.tests.factories import reads_english
from datasecurity.models import AuditArchive, AuditArchiveStatus, AuditEvent
from datasecurity.services import audit_record, audit_retention_purge

pytestmark = pytest.mark.django_db

PAGE = "datasecurity:audit_archive_list"
ROLES = ("agent", "peer", "supervisor", "other_team", "manager", "leader", "other_dept", "hr", "handler", "auditor")


def _archives(n_archives=2, per_archive=2):
    at = timezone.now() - datetime.timedelta(days=300)
    with mock.patch("django.utils.timezone.now", return_value=at):
        for i in range(n_archives * per_archive):
            audit_record(actor=None, action="test.old", object_id=i)
    audit_record(actor=None, action="test.new")
    audit_retention_purge(max_events=per_archive)
    return list(AuditArchive.objects.order_by("first_event_id"))


def _urls(archive_id):
    return [
        reverse(PAGE),
        reverse("datasecurity:audit_archive_download", args=[archive_id]),
        reverse("api:datasecurity:audit_archive_list"),
        reverse("api:datasecurity:audit_archive_detail", args=[archive_id]),
        reverse("api:datasecurity:audit_archive_download", args=[archive_id]),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_security_auditor_reads_the_archives(client, org, role):
    (archive,) = _archives(1)
    client.force_login(getattr(org, role).user)
    expected = 200 if role == "auditor" else 403
    for url in _urls(archive.pk):
        assert client.get(url).status_code == expected, url


def test_an_administrator_without_the_auditor_role_is_refused_and_nobody_signed_in_is_sent_to_log_in(client, org):
    (archive,) = _archives(1)
    org.hr.user.is_staff = True
    org.hr.user.save(update_fields=["is_staff"])
    client.force_login(org.hr.user)
    assert all(client.get(url).status_code == 403 for url in _urls(archive.pk))
    client.logout()
    page, download, api_list, api_detail, api_download = _urls(archive.pk)
    assert client.get(page).status_code == 302 and "login" in client.get(page)["Location"]
    assert client.get(download).status_code == 302
    assert {client.get(url).status_code for url in (api_list, api_detail, api_download)} <= {401, 403}
    assert not AuditEvent.objects.filter(action="audit.archive_download").exists()


def test_the_page_shows_each_archive_with_its_range_dates_size_locations_and_verification(client, org):
    first, second = _archives(2)
    AuditArchive.objects.filter(pk=second.pk).update(
        verified_at=timezone.now(), verify_ok=False, verify_detail="archive x: missing from location backup_remote"
    )
    AuditArchive.objects.filter(pk=first.pk).update(verified_at=timezone.now(), verify_ok=True)
    reads_english(org.auditor)
    client.force_login(org.auditor.user)
    html = client.get(reverse(PAGE)).content.decode()
    assert "Audit archives" in html and "SEC-2" in html and "for 180 days (never fewer than 180)" in html
    assert html.index(f'data-archive="{second.pk}"') < html.index(f'data-archive="{first.pk}"')  # newest first
    row = html[html.index(f'data-archive="{second.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f"#{second.first_event_id} – #{second.last_event_id}" in row
    assert timezone.localtime(second.first_occurred_at).strftime("%Y-%m-%d %H:%M") in row
    assert "local" in row and "remote" in row and "Archived, events deleted" in row
    assert "problems found" in row and "missing from location backup_remote" in row
    assert "intact" in html and "4 events archived in all" in html
    assert reverse("datasecurity:audit_archive_download", args=[second.pk]) in row


def test_the_page_reads_in_chinese_by_default(client, org):
    _archives(1)
    client.force_login(org.auditor.user)
    html = client.get(reverse(PAGE)).content.decode()
    assert 'lang="zh-hans"' in html and "SEC-2" in html


def test_the_page_is_paginated_and_its_queries_bounded(client, org, django_assert_max_num_queries):
    now = timezone.now()
    AuditArchive.objects.bulk_create(
        [
            AuditArchive(
                first_event_id=i * 10 + 1,
                last_event_id=i * 10 + 10,
                event_count=10,
                first_occurred_at=now,
                last_occurred_at=now,
                first_prev_hash="0" * 64,
                last_hash="1" * 64,
                signature="2" * 64,
                sha256="3" * 64,
                size=1000,
                stored_name=f"audit-archives/x-{i}.jsonl.gz",
                locations=["backup_local", "backup_remote"],
                retention_days=180,
                status=AuditArchiveStatus.DELETED,
                deleted_at=now,
            )
            for i in range(70)
        ]
    )
    client.force_login(org.auditor.user)
    with django_assert_max_num_queries(16):
        html = client.get(reverse(PAGE)).content.decode()
    assert html.count("data-archive=") == 50
    assert client.get(reverse(PAGE), {"page": 2}).content.decode().count("data-archive=") == 20
    with django_assert_max_num_queries(10):
        data = client.get(reverse("api:datasecurity:audit_archive_list")).json()
    assert data["count"] == 70 and len(data["results"]) == 50


def test_the_download_serves_an_intact_copy_and_is_audited(client, org):
    (archive,) = _archives(1)
    client.force_login(org.auditor.user)
    response = client.get(reverse("datasecurity:audit_archive_download", args=[archive.pk]))
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"] == "application/gzip"
    assert archive.stored_name.rsplit("/", 1)[-1] in response["Content-Disposition"]
    assert body == storages["backup_local"].open(archive.stored_name, "rb").read()
    assert gzip.decompress(body).count(b"\n") == archive.event_count + 1
    event = AuditEvent.objects.filter(action="audit.archive_download").get()
    assert event.actor == org.auditor.user and event.object_id == str(archive.pk)
    assert event.changes["location"] == "backup_local"


def test_an_altered_local_copy_is_skipped_for_the_remote_one_and_none_intact_is_refused(client, org):
    (archive,) = _archives(1)
    local = storages["backup_local"]
    local.delete(archive.stored_name)
    local.save(archive.stored_name, ContentFile(b"forged"))
    client.force_login(org.auditor.user)
    response = client.get(reverse("api:datasecurity:audit_archive_download", args=[archive.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == storages["backup_remote"].open(archive.stored_name, "rb").read()
    assert AuditEvent.objects.get(action="audit.archive_download").changes["location"] == "backup_remote"
    storages["backup_remote"].delete(archive.stored_name)
    response = client.get(reverse("api:datasecurity:audit_archive_download", args=[archive.pk]))
    assert response.status_code == 409 and response.json()["code"] == "archive_unavailable"
    reads_english(org.auditor)
    response = client.get(reverse("datasecurity:audit_archive_download", args=[archive.pk]), follow=True)
    assert "No intact copy of this archive can be read now" in response.content.decode()
    assert AuditEvent.objects.filter(action="audit.archive_download").count() == 1


def test_unknown_archives_are_404_and_the_download_is_a_get(client, org):
    client.force_login(org.auditor.user)
    assert client.get(reverse("api:datasecurity:audit_archive_detail", args=[999999])).status_code == 404
    assert client.get(reverse("api:datasecurity:audit_archive_download", args=[999999])).status_code == 404
    assert client.get(reverse("datasecurity:audit_archive_download", args=[999999])).status_code == 404
    assert client.post(reverse("datasecurity:audit_archive_download", args=[1])).status_code == 405


def test_the_api_detail_gives_the_checkpoint_and_the_download_link(client, org):
    (archive,) = _archives(1)
    client.force_login(org.auditor.user)
    data = client.get(reverse("api:datasecurity:audit_archive_detail", args=[archive.pk])).json()
    assert data["first_event_id"] == archive.first_event_id and data["last_hash"] == archive.last_hash
    assert data["status"] == "deleted" and data["locations"] == ["backup_local", "backup_remote"]
    assert data["method"] == "archived then deleted" and data["responsible"] == "audit-retention"
    assert data["download_url"] == reverse("api:datasecurity:audit_archive_download", args=[archive.pk])


def test_the_archive_endpoints_are_in_the_schema(client, org):
    client.force_login(org.auditor.user)
    paths = client.get(reverse("api:schema"), {"format": "json"}).json()["paths"]
    assert "get" in paths["/api/v1/audit/archives/"]
    assert "get" in paths["/api/v1/audit/archives/{id}/"] and "get" in paths["/api/v1/audit/archives/{id}/download/"]


def test_the_menu_offers_the_archives_to_the_auditor_only(client, org):
    url = reverse(PAGE)
    client.force_login(org.auditor.user)
    assert f'href="{url}"' in client.get(reverse("datasecurity:audit_event_list")).content.decode()
    client.force_login(org.hr.user)
    assert f'href="{url}"' not in client.get("/").content.decode()

"""The audit retention on the `make run` database (SQLite: no roles, no trigger; the service keeps
the database function's rule itself): archived to both locations, then deleted; the page works."""

import datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from datasecurity.models import AuditArchive, AuditChainHead, AuditEvent
from datasecurity.selectors import audit_chain_verify
from datasecurity.services import audit_record, audit_retention_purge


@pytest.mark.sqlite
def test_sqlite_the_retention_archives_then_deletes_and_the_page_shows_it(sqlite_db, org, client):
    at = timezone.now() - datetime.timedelta(days=300)
    with mock.patch("django.utils.timezone.now", return_value=at):
        old = [audit_record(actor=None, action="test.old", object_id=i) for i in range(5)]
    audit_record(actor=None, action="test.new")
    result = audit_retention_purge(max_events=2)
    assert (result.archived, result.purged) == (5, 5)
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    archives = list(AuditArchive.objects.order_by("first_event_id"))
    assert [a.event_count for a in archives] == [2, 2, 1]
    assert AuditChainHead.objects.get(pk=1).anchor_hash == archives[-1].last_hash
    report = audit_chain_verify()
    assert report.ok, report.problems
    assert audit_retention_purge().purged == 0
    client.force_login(org.auditor.user)
    assert client.get(reverse("datasecurity:audit_archive_list")).status_code == 200
    response = client.get(reverse("datasecurity:audit_archive_download", args=[archives[0].pk]))
    assert response.status_code == 200

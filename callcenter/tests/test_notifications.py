"""Notifications: sent in each recipient's language, e-mailed once and only after commit, seen and
marked read by their recipient only (service, page, API, the bell in the navigation)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext_lazy

from callcenter import selectors, services
from callcenter.errors import ApplicationError
from callcenter.models import EmploymentStatus, Notification
from callcenter.tasks import notification_email_send

# Strings the catalogs already translate, so the test sees the recipient's language, not the
# msgid ("These fields ..." -> "以下字段不能在此修改：...", "Left" -> "已离职").
TITLE = gettext_lazy("These fields cannot be changed here: %(f)s")
BODY = gettext_lazy("Your password is older than %(days)d days (SEC-2). Please choose a new one.")
PARAMS = {"f": EmploymentStatus.LEFT.label, "days": 90}


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://testserver-site"


@pytest.fixture
def eager_celery(celery_eager):
    """Run tasks in-process (the test settings may point Celery at Redis)."""


@pytest.fixture
def people(org):
    """agent reads Chinese, peer English; both have an e-mail address; supervisor has none."""
    agent, peer = org.agent.user, org.peer.user
    agent.preferred_language, agent.email = "zh-hans", "agent@example.com"
    agent.save(update_fields=["preferred_language", "email"])
    peer.preferred_language, peer.email = "en", "peer@example.com"
    peer.save(update_fields=["preferred_language", "email"])
    return org


def _send(recipients, *, url="/attendance/corrections/", email=False):
    return services.notification_send(
        recipients=recipients, kind="leave.pending", title=TITLE, body=BODY, url=url, params=PARAMS, email=email
    )


def _notify(user, n=1):
    return [_send([user], url="")[0] for _ in range(n)]


# --- Service: sending -------------------------------------------------------------------------


def test_each_recipient_reads_it_in_their_own_language(people):
    # given a zh-hans and an English recipient
    # when one notification is sent to both
    sent = _send([people.agent.user, people.peer.user])
    # then each stored copy is in that recipient's language, placeholders and lazy params filled
    by_user = {n.recipient_id: n for n in sent}
    zh, en = by_user[people.agent.user.pk], by_user[people.peer.user.pk]
    assert zh.title == "以下字段不能在此修改：已离职"
    assert zh.body == "您的密码已使用超过 90 天（SEC-2），请设置新密码。"
    assert en.title == "These fields cannot be changed here: Left"
    assert en.body.startswith("Your password is older than 90 days")
    assert Notification.objects.count() == 2


def test_inactive_users_and_duplicates_are_skipped(people):
    # given an inactive user among the recipients, and the same person named three ways
    people.other_team.user.is_active = False
    people.other_team.user.save(update_fields=["is_active"])
    agent = people.agent
    # when a notification is sent
    sent = _send([agent.user, agent, agent.user.pk, people.other_team.user, people.peer.user])
    # then the agent and the peer get one each, the inactive user none
    assert [n.recipient_id for n in sent] == [agent.user.pk, people.peer.user.pk]
    assert Notification.objects.filter(recipient=people.other_team.user).count() == 0
    assert _send([]) == []


def test_long_titles_are_cut_to_the_column(people):
    sent = services.notification_send(recipients=[people.peer.user], kind="x", title="A" * 300, email=False)
    assert len(sent[0].title) == 200


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "leave/12/"]
)
def test_links_must_be_paths_on_this_site(people, url):
    # given a link that is not a site-relative path: then nothing is written
    with pytest.raises(ApplicationError) as exc:
        _send([people.agent.user], url=url)
    assert exc.value.code == "invalid_url"
    assert not Notification.objects.exists()


@pytest.mark.parametrize("url", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_the_database_refuses_off_site_links_too(people, url):
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=people.agent.user, kind="x", title="t", url=url)


@pytest.mark.parametrize("kind", ["", "Leave.Pending", "leave pending", "leave..pending", "a" * 51])
def test_kind_is_a_dotted_slug(people, kind):
    with pytest.raises(ApplicationError):
        services.notification_send(recipients=[people.agent.user], kind=kind, title="t", email=False)


# --- Service: e-mail --------------------------------------------------------------------------


def test_email_goes_out_only_after_commit(people, eager_celery, mailoutbox, django_capture_on_commit_callbacks):
    # given recipients with (agent, peer) and without (supervisor) an e-mail address
    recipients = [people.agent.user, people.peer.user, people.supervisor.user]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        # when the notification is sent inside a transaction
        with transaction.atomic():
            sent = _send(recipients, email=True)
        # then nothing is e-mailed before the commit
        assert mailoutbox == []
        assert Notification.objects.filter(emailed_at__isnull=False).count() == 0
    # and one task is queued at commit, which e-mails those with an address, in their language
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["agent@example.com", "peer@example.com"]
    mails = {m.to[0]: m for m in mailoutbox}
    assert mails["agent@example.com"].subject == "以下字段不能在此修改：已离职"
    assert "http://testserver-site/attendance/corrections/" in mails["agent@example.com"].body
    assert "呼叫中心管理系统" in mails["agent@example.com"].body
    assert mails["peer@example.com"].subject == "These fields cannot be changed here: Left"
    assert "Your password is older than 90 days" in mails["peer@example.com"].body
    emailed = {n.recipient_id: n.emailed_at for n in Notification.objects.all()}
    assert emailed[people.supervisor.user.pk] is None
    assert emailed[people.agent.user.pk] is not None and emailed[people.peer.user.pk] is not None
    assert len(sent) == 3


def test_rolled_back_notifications_send_nothing(people, eager_celery, mailoutbox, django_capture_on_commit_callbacks):
    # given a caller whose transaction fails after sending
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _send([people.agent.user], email=True)
        raise RuntimeError("the leave approval failed")
    # then no notification, no task, no e-mail
    assert callbacks == [] and mailoutbox == []
    assert not Notification.objects.exists()


def test_email_false_queues_nothing(people, eager_celery, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _send([people.agent.user], email=False)
    assert callbacks == [] and mailoutbox == []


def test_an_emailed_notification_is_never_resent(people, eager_celery, mailoutbox, django_capture_on_commit_callbacks):
    # given a notification already e-mailed
    with django_capture_on_commit_callbacks(execute=True):
        sent = _send([people.agent.user, people.peer.user], email=True)
    assert len(mailoutbox) == 2
    ids = [n.pk for n in sent]
    # when the task runs again (a redelivery after a worker crash, a retry)

    assert notification_email_send.delay(ids).get() == 0
    assert services.notification_email_send(notification_ids=ids) == 0
    # then no second e-mail goes out
    assert len(mailoutbox) == 2


def test_a_user_who_left_before_the_email_gets_none(people, eager_celery, mailoutbox):
    sent = _send([people.agent.user], email=False)
    people.agent.user.is_active = False
    people.agent.user.save(update_fields=["is_active"])
    assert services.notification_email_send(notification_ids=[sent[0].pk]) == 0
    assert mailoutbox == []


# --- Service: mark read -------------------------------------------------------------------------


def test_mark_read_touches_only_the_actors_own(people):
    # given notifications for the agent and the peer
    mine = _notify(people.agent.user, 2)
    theirs = _notify(people.peer.user)[0]
    # when the agent marks one of theirs and the peer's
    marked = services.notification_mark_read(actor=people.agent.user, notification_ids=[mine[0].pk, theirs.pk])
    # then only the agent's is read
    assert marked == 1
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert selectors.notification_unread_count(user=people.agent.user) == 1
    # and "all" means all of the actor's own
    assert services.notification_mark_read(actor=people.agent.user) == 1
    assert selectors.notification_unread_count(user=people.agent.user) == 0
    assert selectors.notification_unread_count(user=people.peer.user) == 1


def test_list_is_own_newest_first_and_filters_unread(people):
    first, second, third = _notify(people.agent.user, 3)
    _notify(people.peer.user)
    services.notification_mark_read(actor=people.agent.user, notification_ids=[second.pk])
    listed = list(selectors.notification_list(user=people.agent.user, filters={}))
    assert [n.pk for n in listed] == [third.pk, second.pk, first.pk]
    unread = selectors.notification_list(user=people.agent.user, filters={"unread": True})
    assert [n.pk for n in unread] == [third.pk, first.pk]


# --- Page --------------------------------------------------------------------------------------


def test_page_lists_only_own_notifications(client, people):
    mine = _send([people.peer.user])[0]
    theirs = services.notification_send(
        recipients=[people.agent.user], kind="leave.pending", title="Secret of someone else", email=False
    )[0]
    client.force_login(people.peer.user)
    response = client.get(reverse("callcenter:notification_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="notification-{mine.pk}"' in html and mine.title in html
    assert 'href="/attendance/corrections/"' in html  # the item links to its page
    assert "Secret of someone else" not in html and f'id="notification-{theirs.pk}"' not in html


def test_page_marks_one_read_and_refuses_anothers(client, people):
    mine = _notify(people.agent.user)[0]
    theirs = _notify(people.peer.user)[0]
    client.force_login(people.agent.user)
    # another user's notification does not exist for the agent
    response = client.post(reverse("callcenter:notification_read", args=[theirs.pk]))
    assert response.status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    # their own is marked and they go back where they were
    response = client.post(reverse("callcenter:notification_read", args=[mine.pk]), {"next": "/notifications/?page=1"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?page=1"
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    # an off-site "next" is ignored
    again = _notify(people.agent.user)[0]
    response = client.post(reverse("callcenter:notification_read", args=[again.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("callcenter:notification_list")


def test_page_marks_all_own_read(client, people):
    _notify(people.agent.user, 3)
    theirs = _notify(people.peer.user)[0]
    client.force_login(people.agent.user)
    assert client.get(reverse("callcenter:notification_read_all")).status_code == 405  # POST only
    response = client.post(reverse("callcenter:notification_read_all"))
    assert response.status_code == 302
    assert selectors.notification_unread_count(user=people.agent.user) == 0
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_page_unread_filter_and_pagination(client, people):
    _notify(people.agent.user, 25)
    client.force_login(people.agent.user)
    page1 = client.get(reverse("callcenter:notification_list")).content.decode()
    assert page1.count('data-read="false"') == 20
    page2 = client.get(reverse("callcenter:notification_list"), {"page": 2}).content.decode()
    assert page2.count('data-read="false"') == 5
    services.notification_mark_read(actor=people.agent.user)
    unread = client.get(reverse("callcenter:notification_list"), {"filter": "unread"}).content.decode()
    assert 'id="notifications-empty"' in unread


def test_page_needs_a_login(client, db):
    response = client.get(reverse("callcenter:notification_list"))
    assert response.status_code == 302 and reverse("callcenter:login") in response["Location"]


def test_page_queries_do_not_grow_with_the_list(client, people, django_assert_max_num_queries):
    # given a few and then a full page of notifications
    _notify(people.agent.user, 2)
    client.force_login(people.agent.user)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("callcenter:notification_list"))
    _notify(people.agent.user, 40)
    # then the full page costs the same bounded number of queries (no N+1)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("callcenter:notification_list"))
    assert response.content.decode().count('data-read="false"') == 20
    with django_assert_max_num_queries(12):
        client.get(reverse("callcenter:notification_list"))


# --- The bell -----------------------------------------------------------------------------------


def _count_queries_on_notifications(queries) -> int:
    return sum(1 for q in queries if "callcenter_notification" in q["sql"])


def test_bell_shows_the_unread_count_with_one_query(client, people):
    _notify(people.agent.user, 3)
    services.notification_mark_read(actor=people.agent.user, notification_ids=[Notification.objects.first().pk])
    _notify(people.peer.user, 5)
    client.force_login(people.agent.user)
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(reverse("callcenter:dashboard")).content.decode()
    assert 'id="notification-bell"' in html
    assert 'id="notification-unread-count" aria-hidden="true">2<' in html
    assert _count_queries_on_notifications(ctx.captured_queries) == 1


def test_bell_without_unread_has_no_badge(client, people):
    client.force_login(people.peer.user)
    html = client.get(reverse("callcenter:dashboard")).content.decode()
    assert 'id="notification-bell"' in html and 'id="notification-unread-count"' not in html


def test_anonymous_pages_ask_nothing_about_notifications(client, db):
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(reverse("callcenter:login")).content.decode()
    assert 'id="notification-bell"' not in html
    assert _count_queries_on_notifications(ctx.captured_queries) == 0


# --- API ---------------------------------------------------------------------------------------


def test_api_lists_only_own_notifications(client, people):
    mine = _notify(people.agent.user, 3)
    theirs = _notify(people.peer.user)[0]
    client.force_login(people.agent.user)
    body = client.get(reverse("api:callcenter:notification_list")).json()
    assert body["count"] == 3
    assert [r["id"] for r in body["results"]] == [n.pk for n in reversed(mine)]
    assert theirs.pk not in {r["id"] for r in body["results"]}
    first = body["results"][0]
    assert set(first) == {"id", "kind", "title", "body", "url", "created_at", "read_at", "is_read"}
    assert first["title"] == "以下字段不能在此修改：已离职" and first["is_read"] is False


def test_api_pages_and_filters_unread(client, people):
    _notify(people.agent.user, 5)
    services.notification_mark_read(actor=people.agent.user, notification_ids=[Notification.objects.first().pk])
    client.force_login(people.agent.user)
    page = client.get(reverse("api:callcenter:notification_list"), {"page_size": 2}).json()
    assert page["count"] == 5 and len(page["results"]) == 2 and page["next"]
    assert client.get(reverse("api:callcenter:notification_list"), {"unread": "true"}).json()["count"] == 4


def test_api_marks_read_only_own(client, people):
    mine = _notify(people.agent.user, 3)
    theirs = _notify(people.peer.user)[0]
    client.force_login(people.agent.user)
    url = reverse("api:callcenter:notification_read")
    response = client.post(url, {"ids": [mine[0].pk, theirs.pk]}, content_type="application/json")
    assert response.status_code == 200 and response.json() == {"marked": 1, "unread": 2}
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    response = client.post(url, {}, content_type="application/json")
    assert response.json() == {"marked": 2, "unread": 0}
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_api_rejects_bad_ids_and_anonymous(client, people):
    client.force_login(people.agent.user)
    bad = client.post(reverse("api:callcenter:notification_read"), {"ids": ["x"]}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    client.logout()
    assert client.get(reverse("api:callcenter:notification_list")).status_code in (401, 403)
    assert client.post(
        reverse("api:callcenter:notification_read"), {}, content_type="application/json"
    ).status_code in (401, 403)


def test_api_schema_documents_the_endpoints(client, people):
    client.force_login(people.agent.user)
    paths = client.get(reverse("api:schema"), {"format": "json"}).json()["paths"]
    assert "/api/v1/notifications/" in paths and "/api/v1/notifications/read/" in paths

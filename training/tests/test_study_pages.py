"""Self-study pages and API (TRN-2, SEC-3): the answer key never reaches an open attempt (HTML and
JSON), role × page/endpoint × own/other, private material files, escaped text, mass assignment,
bad input, bounded queries."""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from datasecurity.models import AuditEvent
from training import services
from training.models import AttemptStatus, Question, QuestionOption, StudyAttempt, TrainingRecord
from training.tests.factories import StudyCourseFactory, question_bank, question_make

PDF = b"%PDF-1.4\n" + b"0123456789" * 20 + b"\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
XSS = "<script>alert(1)</script>"


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def course(db):
    course = StudyCourseFactory(code="security-awareness", question_count=5)
    question_bank(course, 6)
    return course


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def api_of(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def keys_of(data) -> set:
    """Every key of a JSON document, at any depth."""
    if isinstance(data, dict):
        return set(data) | set().union(*(keys_of(v) for v in data.values()))
    if isinstance(data, list):
        return set().union(*(keys_of(v) for v in data)) if data else set()
    return set()


# --- The key never leaks before submission ------------------------------------------------------------


def test_open_attempt_page_has_no_key_and_no_explanation(org, course):
    attempt = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    response = client_of(org.agent.user).get(reverse("training:study_attempt", args=[attempt.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for question in Question.objects.filter(pk__in=[i["q"] for i in attempt.draw]):
        assert question.text in html
        assert question.explanation not in html  # "解析 N"
    assert "correct answer" not in html and "data-right" not in html and "text-success" not in html
    assert 'id="attempt-countdown"' in html and "study_countdown.js" in html
    assert "<script>" not in html.split("</head>")[1]  # no inline script in the body (CSP)


def test_open_attempt_api_has_no_key_fields(org, course):
    api = api_of(org.agent.user)
    started = api.post(reverse("api:training:study_attempt_start", args=[course.pk]))
    assert started.status_code == 201
    for payload in (
        started.json(),
        api.get(reverse("api:training:study_attempt", args=[started.json()["attempt"]["id"]])).json(),
    ):
        keys = keys_of(payload)
        assert "correct" not in keys and "explanation" not in keys and "right" not in keys
        assert len(payload["questions"]) == 5
        assert payload["seconds_left"] > 0
    assert "解析" not in json.dumps(started.json(), ensure_ascii=False)


def test_after_submission_the_learner_sees_score_and_key(org, course):
    api = api_of(org.agent.user)
    attempt = api.post(reverse("api:training:study_attempt_start", args=[course.pk])).json()
    first = attempt["questions"][0]
    saved = api.post(
        reverse("api:training:study_attempt_answer", args=[attempt["attempt"]["id"]]),
        {"question": first["id"], "options": [first["options"][0]["id"]]},
        format="json",
    )
    assert saved.status_code == 204
    result = api.post(reverse("api:training:study_attempt_submit", args=[attempt["attempt"]["id"]]), {}, format="json")
    assert result.status_code == 200
    body = result.json()
    assert body["attempt"]["status"] == AttemptStatus.SUBMITTED
    assert {"correct", "explanation", "right"} <= keys_of(body)
    page = client_of(org.agent.user).get(reverse("training:study_attempt", args=[attempt["attempt"]["id"]]))
    assert page.status_code == 200
    assert "解析" in page.content.decode() and 'id="result-score"' in page.content.decode()


# --- Role × page / endpoint × own / other ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "manage"),
    [("agent", 403), ("supervisor", 403), ("manager", 403), ("hr", 200), ("trainer", 200), ("leader", 403)],
)
def test_manager_pages_matrix(org, trainer, course, who, manage):
    client = client_of(getattr(org, who).user)
    for name in ("training:study_materials", "training:study_questions", "training:study_question_new"):
        assert client.get(reverse(name, args=[course.pk])).status_code == manage, name
    assert client.get(reverse("training:study")).status_code == 200
    assert client.get(reverse("training:study_course", args=[course.pk])).status_code == 200
    api = api_of(getattr(org, who).user)
    assert api.get(reverse("api:training:study_questions", args=[course.pk])).status_code == manage
    question = course.questions.first()
    assert api.get(reverse("api:training:study_question", args=[question.pk])).status_code == manage


@pytest.mark.parametrize(
    ("who", "open_status", "closed_status"),
    [
        ("agent", 200, 200),  # own
        ("peer", 404, 404),  # another agent: never
        ("other_dept", 404, 404),
        ("supervisor", 404, 200),  # the team's result, never an open attempt
        ("hr", 404, 200),
    ],
)
def test_attempt_visibility_matrix(org, course, who, open_status, closed_status):
    attempt = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    user = getattr(org, who).user
    page = reverse("training:study_attempt", args=[attempt.pk])
    endpoint = reverse("api:training:study_attempt", args=[attempt.pk])
    assert client_of(user).get(page).status_code == open_status
    assert api_of(user).get(endpoint).status_code == open_status
    if who != "agent":
        answer = client_of(user).post(
            reverse("training:study_attempt_answer", args=[attempt.pk]), {"question": attempt.draw[0]["q"]}
        )
        assert answer.status_code in (302, 404)
        submit = api_of(user).post(reverse("api:training:study_attempt_submit", args=[attempt.pk]), {}, format="json")
        assert submit.status_code == 404
        attempt.refresh_from_db()
        assert attempt.status == AttemptStatus.OPEN
    services.study_attempt_submit(actor=org.agent.user, attempt_id=attempt.pk, answers={})
    assert client_of(user).get(page).status_code == closed_status
    assert api_of(user).get(endpoint).status_code == closed_status
    listed = api_of(user).get(reverse("api:training:study_attempts")).json()
    assert (attempt.pk in [row["id"] for row in listed["results"]]) is (closed_status == 200)


def test_material_file_private_ranged_and_audited(org, course, private_root):
    material = services.course_material_add(
        actor=org.hr.user, course_id=course.pk, title="手册", upload=SimpleUploadedFile("m.pdf", PDF, "application/pdf")
    )
    assert str(private_root) not in material.path
    client = client_of(org.agent.user)
    url = reverse("training:study_material", args=[material.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Accept-Ranges"] == "bytes"
    ranged = client.get(url, headers={"range": "bytes=0-9"})
    assert ranged.status_code == 206 and ranged.content == PDF[:10]
    assert ranged["Content-Range"] == f"bytes 0-9/{len(PDF)}"
    assert client.get(url, headers={"range": "bytes=99999-"}).status_code == 416
    assert AuditEvent.objects.filter(action="training_material.view").count() == 3
    api = api_of(org.agent.user).get(reverse("api:training:study_material_file", args=[material.pk]))
    assert api.status_code == 200
    # A course the reader may not study: the file is not found.
    course.active = False
    course.save()
    assert client.get(url).status_code == 404
    assert client_of(org.hr.user).get(url).status_code == 200


def test_fake_pdf_that_is_an_exe_refused_on_the_page_and_api(org, course, private_root):
    org.hr.user.preferred_language = "en"  # the page's message is matched in English
    org.hr.user.save(update_fields=["preferred_language"])
    client = client_of(org.hr.user)
    with translation.override("en"):
        response = client.post(
            reverse("training:study_materials", args=[course.pk]),
            {"title": "手册", "file": SimpleUploadedFile("manual.pdf", EXE, "application/pdf")},
        )
    assert response.status_code == 400
    assert "checked by its content" in response.content.decode()
    api = api_of(org.hr.user).post(
        reverse("api:training:study_materials", args=[course.pk]),
        {"title": "手册", "file": SimpleUploadedFile("manual.pdf", EXE, "application/pdf")},
        format="multipart",
    )
    assert api.status_code == 400 and api.json()["code"] == "material_type"
    assert not course.materials.exists()


# --- Question bank pages ----------------------------------------------------------------------------------


def test_hr_adds_a_question_on_the_page_and_refusal_keeps_nothing(org, course):
    org.hr.user.preferred_language = "en"  # the page's message is matched in English
    org.hr.user.save(update_fields=["preferred_language"])
    client = client_of(org.hr.user)
    url = reverse("training:study_question_new", args=[course.pk])
    before = Question.objects.count()
    refused = client.post(url, {"kind": "single", "text": "Q", "option_1": "a", "option_2": "b"})
    assert refused.status_code == 400 and "Flag exactly one correct option." in refused.content.decode()
    assert Question.objects.count() == before
    done = client.post(
        url,
        {
            "kind": "true_false",
            "text": "密码可以告诉同事。",
            "option_1": "对",
            "option_2": "错",
            "correct_2": "on",
            "active": "on",
        },
    )
    assert done.status_code == 302
    question = Question.objects.latest("pk")
    assert question.kind == "true_false" and [o.correct for o in question.options.all()] == [False, True]
    edit = client.get(reverse("training:study_question_edit", args=[question.pk]))
    assert edit.status_code == 200 and "密码可以告诉同事。" in edit.content.decode()


def test_question_api_mass_assignment_refused(org, trainer, course):
    other = StudyCourseFactory()
    response = api_of(trainer.user).post(
        reverse("api:training:study_questions", args=[course.pk]),
        {
            "kind": "single",
            "text": "Q",
            "course_id": other.pk,
            "id": 999999,
            "created_by": org.agent.user.pk,
            "options": [{"text": "a", "correct": True, "id": 1}, {"text": "b"}],
        },
        format="json",
    )
    assert response.status_code == 201
    question = Question.objects.get(pk=response.json()["id"])
    assert question.course_id == course.pk and question.pk != 999999 and question.created_by == trainer.user


def test_attempt_start_api_ignores_an_employee_field(org, course):
    response = api_of(org.agent.user).post(
        reverse("api:training:study_attempt_start", args=[course.pk]), {"employee": org.peer.pk}, format="json"
    )
    assert response.status_code == 201
    assert StudyAttempt.objects.get().employee_id == org.agent.pk


# --- Escaping, bad input, queries ----------------------------------------------------------------------


def test_text_typed_by_users_is_escaped(org, course):
    course.title = f"课程 {XSS}"
    course.save()
    Question.objects.update(active=False)
    for i in range(5):
        question_make(course, text=f"{XSS} {i}", explanation=f"{XSS} why")
    QuestionOption.objects.filter(question__active=True).update(text=XSS)
    attempt = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    for user, url in [
        (org.agent.user, reverse("training:study")),
        (org.agent.user, reverse("training:study_course", args=[course.pk])),
        (org.agent.user, reverse("training:study_attempt", args=[attempt.pk])),
        (org.hr.user, reverse("training:study_questions", args=[course.pk])),
    ]:
        html = client_of(user).get(url).content.decode()
        assert XSS not in html, url
        assert "&lt;script&gt;" in html, url
    services.study_attempt_submit(actor=org.agent.user, attempt_id=attempt.pk, answers={})
    html = client_of(org.agent.user).get(reverse("training:study_attempt", args=[attempt.pk])).content.decode()
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt; why" in html


@pytest.mark.parametrize(
    "data", [{"question": "abc"}, {"question": ""}, {"question": "1", "q1": "x"}, {"question": "99999999999999999999"}]
)
def test_bad_answer_input_is_a_message_not_a_500(org, course, data):
    attempt = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    response = client_of(org.agent.user).post(
        reverse("training:study_attempt_answer", args=[attempt.pk]), data, headers={"hx-request": "true"}
    )
    assert response.status_code == 200 and response["HX-Reswap"] == "none"
    assert not attempt.answers.exists()


def test_bad_api_input_is_a_400(org, course):
    api = api_of(org.agent.user)
    attempt = api.post(reverse("api:training:study_attempt_start", args=[course.pk])).json()["attempt"]
    url = reverse("api:training:study_attempt_answer", args=[attempt["id"]])
    for body in ({"question": "x", "options": []}, {"question": 1, "options": "nope"}, {"question": 1, "options": [1]}):
        assert api.post(url, body, format="json").status_code == 400
    assert api.post(reverse("api:training:study_attempt_start", args=[999999])).status_code == 404


def test_attempt_page_queries_bounded_whatever_the_number_of_questions(org, django_assert_max_num_queries):
    counts = []
    for n in (5, 20):
        course = StudyCourseFactory(question_count=n)
        question_bank(course, n)
        attempt = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
        client = client_of(org.agent.user)
        with django_assert_max_num_queries(17) as ctx:
            assert client.get(reverse("training:study_attempt", args=[attempt.pk])).status_code == 200
        counts.append(len(ctx.captured_queries))
        services.study_attempt_submit(actor=org.agent.user, attempt_id=attempt.pk, answers={})
        with django_assert_max_num_queries(17):
            assert client.get(reverse("training:study_attempt", args=[attempt.pk])).status_code == 200
    assert counts[0] == counts[1]


def test_learner_course_page_shows_progress_and_start(org, course, private_root):
    services.course_material_add(actor=org.hr.user, course_id=course.pk, title="A", url="https://a.example/")
    client = client_of(org.agent.user)
    html = client.get(reverse("training:study_course", args=[course.pk])).content.decode()
    assert 'data-progress="0"' in html
    assert 'id="study-start"' in html
    response = client.post(reverse("training:study_attempt_start", args=[course.pk]))
    attempt = StudyAttempt.objects.get(employee=org.agent)
    assert response.status_code == 302 and response["Location"] == reverse("training:study_attempt", args=[attempt.pk])
    answers = {f"q{item['q']}": item["o"][0] for item in attempt.draw}
    submitted = client.post(reverse("training:study_attempt_submit", args=[attempt.pk]), answers)
    assert submitted.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score is not None
    assert TrainingRecord.objects.filter(employee=org.agent, source_key__startswith=f"course:{course.pk}:").exists()
    assert attempt.score <= Decimal("100")

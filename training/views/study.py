"""Self-study pages (TRN-2, SEC-3), mounted at /training/study/. Thin: parse, call one service or
selector, render.

Learners: the Self-study list, a course's page (material, progress, the assessment), reading a
material (a private file, Range requests answered for video), the attempt (one list of questions
on a phone, answers saved as they go through htmx, a countdown that only informs: the server keeps
the time) and its result. HR and trainers: the material and the question bank of any course.
"""

import re

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from callcenter.exports import private_file_response
from callcenter.pages import action_run, form_status, form_submit, paginate
from callcenter.permissions import login_only, role_required
from training import selectors, services
from training.forms import CourseMaterialForm, QuestionForm, attempt_answers
from training.models import AttemptStatus, MaterialKind

PAGE_SIZE = 25
MANAGERS = selectors.STUDY_MANAGER_ROLES
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@login_only
@require_GET
def study_list(request):
    """The online courses open to the learner (the Self-study page)."""
    q = (request.GET.get("q") or "")[:100]
    courses = selectors.study_course_list(user=request.user, filters={"q": q})
    return render(
        request,
        "training/study/list.html",
        {"page_obj": paginate(request, courses, PAGE_SIZE), "q": q},
    )


@login_only
@require_GET
def study_course(request, pk: int):
    """A course's self-study page: its material with the learner's progress and the assessment."""
    course = selectors.study_course_get(user=request.user, pk=pk)
    return render(
        request,
        "training/study/course.html",
        {"course": course, "study": selectors.study_course_summary(user=request.user, course=course)},
    )


# --- Material ---------------------------------------------------------------------------------------


@role_required(*MANAGERS)
@require_http_methods(["GET", "POST"])
def material_manage(request, pk: int):
    course = selectors.study_course_get(user=request.user, pk=pk)
    form = CourseMaterialForm(request.POST or None, request.FILES or None)
    if form_submit(
        request,
        form,
        lambda data: services.course_material_add(
            actor=request.user, course_id=course.pk, title=data["title"], upload=data.get("file"), url=data.get("url")
        ),
        success=_("Material added."),
    ):
        return redirect("training:study_materials", pk=course.pk)
    return render(
        request,
        "training/study/materials.html",
        {"course": course, "form": form, "materials": selectors.course_material_list(user=request.user, course=course)},
        status=form_status(form),
    )


@role_required(*MANAGERS)
@require_POST
def material_move(request, pk: int):
    direction = request.POST.get("direction", "")
    material = selectors.course_material_get(user=request.user, pk=pk)
    action_run(request, lambda: services.course_material_move(actor=request.user, material_id=pk, direction=direction))
    return redirect("training:study_materials", pk=material.course_id)


@role_required(*MANAGERS)
@require_POST
def material_remove(request, pk: int):
    material = selectors.course_material_get(user=request.user, pk=pk)
    action_run(
        request,
        lambda: services.course_material_remove(actor=request.user, material_id=pk),
        success=_("Material withdrawn."),
    )
    return redirect("training:study_materials", pk=material.course_id)


def _ranged(handle, material, header: str):
    """A 206 answer to ``Range: bytes=a-b`` (one range; video players seek with it), else None."""
    match = _RANGE.match(header.strip())
    if not match or not (match.group(1) or match.group(2)):
        return None
    size = material.size
    if match.group(1):
        start = int(match.group(1))
        end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
    else:  # the last N bytes
        start, end = max(0, size - int(match.group(2))), size - 1
    if start >= size or start > end:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    handle.seek(start)
    data = handle.read(min(end - start + 1, 8 * 1024 * 1024))
    handle.close()
    end = start + len(data) - 1
    response = HttpResponse(data, status=206, content_type=material.content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_only
@require_GET
def material_open(request, pk: int):
    """A material: the private file (only for someone who may see the course; every read audited,
    SEC-2), or a redirect to its link. The learner's first opening is remembered."""
    material, handle = services.course_material_open(actor=request.user, material_id=pk)
    if material.kind == MaterialKind.LINK:
        return HttpResponseRedirect(material.url)
    if request.headers.get("Range") and (ranged := _ranged(handle, material, request.headers["Range"])):
        return ranged
    response = private_file_response(handle, filename=material.original_name, content_type=material.content_type)
    response["Accept-Ranges"] = "bytes"
    return response


@login_only
@require_POST
def material_done(request, pk: int):
    material = selectors.course_material_get(user=request.user, pk=pk)
    action_run(
        request,
        lambda: services.material_progress_complete(actor=request.user, material_id=pk),
        success=_("Marked as done."),
    )
    return redirect("training:study_course", pk=material.course_id)


# --- Question bank ----------------------------------------------------------------------------------


@role_required(*MANAGERS)
@require_GET
def question_list(request, pk: int):
    course = selectors.study_course_get(user=request.user, pk=pk)
    q = (request.GET.get("q") or "")[:100]
    questions = selectors.question_list(user=request.user, course=course, filters={"q": q})
    return render(
        request,
        "training/study/questions.html",
        {"course": course, "page_obj": paginate(request, questions, PAGE_SIZE), "q": q},
    )


@role_required(*MANAGERS)
@require_http_methods(["GET", "POST"])
def question_new(request, pk: int):
    course = selectors.study_course_get(user=request.user, pk=pk)
    form = QuestionForm(request.POST or None)
    if form_submit(
        request,
        form,
        lambda _data: services.question_create(actor=request.user, course_id=course.pk, **form.service_data()),
        success=_("Question added."),
    ):
        return redirect("training:study_questions", pk=course.pk)
    return render(
        request, "training/study/question_form.html", {"course": course, "form": form}, status=form_status(form)
    )


@role_required(*MANAGERS)
@require_http_methods(["GET", "POST"])
def question_edit(request, pk: int):
    question = selectors.question_get(user=request.user, pk=pk)
    form = QuestionForm(request.POST or None, question=question)
    if form_submit(
        request,
        form,
        lambda _data: services.question_update(actor=request.user, question_id=pk, **form.service_data()),
        success=_("Question saved."),
    ):
        return redirect("training:study_questions", pk=question.course_id)
    return render(
        request,
        "training/study/question_form.html",
        {"course": question.course, "form": form, "question": question},
        status=form_status(form),
    )


@role_required(*MANAGERS)
@require_POST
def question_toggle(request, pk: int):
    question = selectors.question_get(user=request.user, pk=pk)
    action_run(
        request,
        lambda: services.question_set_active(actor=request.user, question_id=pk, active=not question.active),
        success=_("Question saved."),
    )
    return redirect("training:study_questions", pk=question.course_id)


# --- Attempts ---------------------------------------------------------------------------------------


@login_only
@require_POST
def attempt_start(request, pk: int):
    result = {}

    def start():
        result["attempt"] = services.study_attempt_start(actor=request.user, course_id=pk)

    if action_run(request, start):
        return redirect("training:study_attempt", pk=result["attempt"].pk)
    return redirect("training:study_course", pk=pk)


@login_only
@require_GET
def attempt_page(request, pk: int):
    """An open attempt: the drawn questions without the key, a countdown; a closed one: the result
    with the right answers and explanations. Only the learner sees an open attempt."""
    attempt = selectors.study_attempt_get(user=request.user, pk=pk)
    is_open = attempt.status == AttemptStatus.OPEN
    return render(
        request,
        "training/study/attempt.html" if is_open else "training/study/result.html",
        {
            "attempt": attempt,
            "course": attempt.course,
            "sheet": selectors.attempt_sheet(attempt, reveal=not is_open),
            "seconds_left": max(0, int((attempt.deadline - timezone.now()).total_seconds())) if is_open else 0,
        },
    )


@login_only
@require_POST
def attempt_answer(request, pk: int):
    """One answer saved as the learner goes (htmx): 204, or the refusal as a message."""
    question = request.POST.get("question", "")
    try:
        question_id = int(question)
    except ValueError:
        question_id = 0
    options = request.POST.getlist(f"q{question_id}")
    if action_run(
        request,
        lambda: services.study_attempt_answer(
            actor=request.user, attempt_id=pk, question_id=question_id, option_ids=options
        ),
    ):
        if request.htmx:
            return HttpResponse(status=204)
        return redirect("training:study_attempt", pk=pk)
    if request.htmx:
        response = render(request, "includes/messages_oob.html", {}, status=200)
        response["HX-Reswap"] = "none"
        return response
    return redirect("training:study_attempt", pk=pk)


@login_only
@require_POST
def attempt_submit(request, pk: int):
    attempt = selectors.study_attempt_get(user=request.user, pk=pk, own=True)
    answers = attempt_answers(request.POST, attempt.draw)
    action_run(
        request,
        lambda: services.study_attempt_submit(actor=request.user, attempt_id=pk, answers=answers),
        success=_("Your answers have been submitted."),
    )
    return redirect("training:study_attempt", pk=pk)


urlpatterns = [
    path("study/", study_list, name="study"),
    path("study/<int:pk>/", study_course, name="study_course"),
    path("study/<int:pk>/materials/", material_manage, name="study_materials"),
    path("study/materials/<int:pk>/", material_open, name="study_material"),
    path("study/materials/<int:pk>/move/", material_move, name="study_material_move"),
    path("study/materials/<int:pk>/remove/", material_remove, name="study_material_remove"),
    path("study/materials/<int:pk>/done/", material_done, name="study_material_done"),
    path("study/<int:pk>/questions/", question_list, name="study_questions"),
    path("study/<int:pk>/questions/new/", question_new, name="study_question_new"),
    path("study/questions/<int:pk>/", question_edit, name="study_question_edit"),
    path("study/questions/<int:pk>/toggle/", question_toggle, name="study_question_toggle"),
    path("study/<int:pk>/attempts/", attempt_start, name="study_attempt_start"),
    path("study/attempts/<int:pk>/", attempt_page, name="study_attempt"),
    path("study/attempts/<int:pk>/answer/", attempt_answer, name="study_attempt_answer"),
    path("study/attempts/<int:pk>/submit/", attempt_submit, name="study_attempt_submit"),
]

"""Factories of the self-study tests (TRN-2): an online course with a question bank."""

from decimal import Decimal

import factory

from training.models import Course, DeliveryMode, Question, QuestionKind, QuestionOption, TopicArea

__all__ = ["StudyCourseFactory", "question_bank", "question_make"]


class StudyCourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"study-{n}")
    title = factory.Sequence(lambda n: f"数据安全自学 {n}")
    topic_area = TopicArea.SECURITY
    delivery_mode = DeliveryMode.ONLINE
    hours = Decimal("1.0")
    pass_mark = Decimal("60")
    max_attempts = 3
    time_limit_minutes = 30
    question_count = 5


def question_make(course, *, kind=QuestionKind.SINGLE, text="问题", correct=(0,), options=3, explanation="解析"):
    """One question with ``options`` options (two for true/false); ``correct`` are their indexes."""
    question = Question.objects.create(course=course, kind=kind, text=text, explanation=explanation)
    count = 2 if kind == QuestionKind.TRUE_FALSE else options
    QuestionOption.objects.bulk_create(
        [
            QuestionOption(question=question, text=f"选项 {i + 1}", correct=i in correct, position=i + 1)
            for i in range(count)
        ]
    )
    return question


def question_bank(course, n: int = 5) -> list[Question]:
    """``n`` questions mixing the three kinds."""
    kinds = [QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE]
    out = []
    for i in range(n):
        kind = kinds[i % 3]
        correct = (0, 2) if kind == QuestionKind.MULTIPLE else (1,) if kind == QuestionKind.TRUE_FALSE else (0,)
        out.append(question_make(course, kind=kind, text=f"问题 {i + 1}", correct=correct, explanation=f"解析 {i + 1}"))
    return out

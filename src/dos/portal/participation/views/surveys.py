"""Answering a survey, its results page with server-rendered SVG charts, CSV export."""

from __future__ import annotations

import csv
from collections import Counter
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dos.portal.accounts.permissions import has_perm
from dos.portal.participation import actions, ratelimit
from dos.portal.participation.models import Answer, Question, Survey


def survey_form(survey: Survey, data: Any = None) -> forms.Form:
    """A form with one field per question (ranking: one position field per option)."""
    form = forms.Form(data)
    form.fields["code"] = forms.CharField(
        label=gettext_lazy("Invitation code (if you have one)"), required=False, max_length=32
    )
    for q in survey.questions.all():
        name = f"q{q.pk}"
        options = [(c, c) for c in q.choice_list()]
        if q.kind == Question.SINGLE:
            field: forms.Field = forms.ChoiceField(choices=options, widget=forms.RadioSelect)
        elif q.kind == Question.MULTIPLE:
            field = forms.MultipleChoiceField(choices=options, widget=forms.CheckboxSelectMultiple)
        elif q.kind == Question.TEXT:
            field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
        elif q.kind == Question.SCALE:
            field = forms.ChoiceField(
                choices=[(str(i), str(i)) for i in range(1, q.scale_max + 1)],
                widget=forms.RadioSelect(attrs={"class": "scale"}),
            )
        else:
            positions = [("", "—")] + [(str(i), str(i)) for i in range(1, len(options) + 1)]
            for index, (choice, _label) in enumerate(options):
                form.fields[f"{name}_{index}"] = forms.ChoiceField(
                    label=f"{q.text}: {choice}", choices=positions, required=q.required
                )
            continue
        field.label = q.text
        field.required = q.required
        form.fields[name] = field
    return form


def _answers(survey: Survey, data: Any) -> dict[int, Any]:
    answers: dict[int, Any] = {}
    for q in survey.questions.all():
        name = f"q{q.pk}"
        if q.kind == Question.MULTIPLE:
            answers[q.pk] = data.getlist(name)
        elif q.kind == Question.RANKING:
            placed = []
            for index, choice in enumerate(q.choice_list()):
                position = data.get(f"{name}_{index}", "")
                if position.isdigit():
                    placed.append((int(position), choice))
            positions = [p for p, _c in placed]
            if len(set(positions)) != len(positions):
                answers[q.pk] = ["(duplicate)"]  # refused by the action with a clear message
            else:
                answers[q.pk] = [c for _p, c in sorted(placed)]
        else:
            answers[q.pk] = data.get(name, "")
    return answers


@require_http_methods(["GET", "POST"])
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey.objects.prefetch_related("questions"), pk=pk)
    form = survey_form(survey, request.POST or None)
    if request.method == "POST":
        if not ratelimit.allow(request, "survey"):
            return render(request, "participation/rate_limited.html", status=429)
        try:
            actions.survey_respond(
                request.user,
                survey,
                _answers(survey, request.POST),
                code=request.POST.get("code", ""),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    target = field if field in form.fields else None
                    if target is None and f"{field}_0" in form.fields:
                        target = f"{field}_0"
                    for error in errors:
                        form.add_error(target, error)
            else:
                for error in exc.messages:
                    form.add_error(None, error)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Thank you for taking part!"))
            return redirect(survey)
    can_edit = has_perm(request.user, "participation.change_survey", survey)
    return render(
        request,
        "participation/survey_detail.html",
        {"survey": survey, "form": form, "can_edit": can_edit},
    )


def results(survey: Survey) -> list[dict[str, Any]]:
    """Per question: counts per option (bars), the average (scale), mean rank (ranking)."""
    answers: dict[int, list[Any]] = {}
    for question_id, value in Answer.objects.filter(response__survey=survey).values_list(
        "question_id", "value"
    ):
        answers.setdefault(question_id, []).append(value)
    out = []
    for q in survey.questions.all():
        values = answers.get(q.pk, [])
        item: dict[str, Any] = {"question": q, "count": len(values), "bars": [], "texts": []}
        if q.kind in (Question.SINGLE, Question.MULTIPLE):
            counts: Counter[str] = Counter()
            for v in values:
                counts.update(v if isinstance(v, list) else [v])
            item["bars"] = [(c, counts.get(c, 0)) for c in q.choice_list()]
        elif q.kind == Question.SCALE:
            counts = Counter(str(v) for v in values)
            item["bars"] = [(str(i), counts.get(str(i), 0)) for i in range(1, q.scale_max + 1)]
            item["average"] = round(sum(values) / len(values), 2) if values else None
        elif q.kind == Question.RANKING:
            # Borda points: first place gets n points, last gets 1.
            n = len(q.choice_list())
            points: Counter[str] = Counter()
            for ranking in values:
                for place, choice in enumerate(ranking):
                    points[choice] += n - place
            item["bars"] = sorted(
                ((c, points.get(c, 0)) for c in q.choice_list()), key=lambda b: -b[1]
            )
        else:
            item["texts"] = [v for v in values if v][:50]
        top = max((b[1] for b in item["bars"]), default=0) or 1
        item["chart"] = [
            # SVG numbers as text: the template would localise floats ("12,5" in German).
            {
                "label": label,
                "value": value,
                "width": f"{360 * value / top:.1f}",
                "value_x": f"{360 * value / top + 226:.1f}",
                "y": 28 * i,
            }
            for i, (label, value) in enumerate(item["bars"])
        ]
        item["chart_height"] = 28 * len(item["bars"])
        out.append(item)
    return out


@require_safe
def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey.objects.prefetch_related("questions"), pk=pk)
    editor = has_perm(request.user, "participation.change_survey", survey)
    if not survey.results_published and not editor:
        raise Http404
    return render(
        request,
        "participation/survey_results.html",
        {
            "survey": survey,
            "results": results(survey),
            "responses": survey.responses.count(),
            "editor": editor,
        },
    )


@require_POST
def survey_publish(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    publish = request.POST.get("publish") == "1"
    actions.survey_publish_results(request.user, survey, published=publish)
    messages.success(
        request, _("The results are published.") if publish else _("The results are withdrawn.")
    )
    return redirect("participation:survey_results", pk=survey.pk)


@require_safe
def survey_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """All responses, one row each (editors of the survey's city)."""
    survey = get_object_or_404(Survey.objects.prefetch_related("questions"), pk=pk)
    if not has_perm(request.user, "participation.export_survey", survey):
        raise PermissionDenied(_("Only the survey's editors can export responses."))
    questions = list(survey.questions.all())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="umfrage-{survey.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(["response", "submitted_at", *[q.text for q in questions]])
    by_response: dict[int, dict[int, Any]] = {}
    for response_id, question_id, value in Answer.objects.filter(
        response__survey=survey
    ).values_list("response_id", "question_id", "value"):
        by_response.setdefault(response_id, {})[question_id] = value
    for resp in survey.responses.order_by("pk"):
        row = by_response.get(resp.pk, {})
        cells = []
        for q in questions:
            value = row.get(q.pk, "")
            cells.append(" | ".join(map(str, value)) if isinstance(value, list) else value)
        writer.writerow([resp.pk, resp.created_at.isoformat(), *cells])
    return response

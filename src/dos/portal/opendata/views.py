"""Catalogue pages, the DCAT-AP.de export and the streamed downloads."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dos.portal.opendata import dcat, downloads
from dos.portal.opendata.ckan import FILTERS
from dos.portal.opendata.forms import CatalogueSearchForm, HistoryForm
from dos.portal.opendata.models import Dataset
from dos.portal.tenancy.models import Region

PAGE_SIZE = 20


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """All datasets, searchable by words and filtered by city, theme and keyword."""
    form = CatalogueSearchForm(request.GET or None)
    datasets = Dataset.objects.select_related("city")
    if form.is_valid():
        for word in form.cleaned_data["q"].split():
            datasets = datasets.filter(
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(keywords__icontains=word)
            )
        if form.cleaned_data["city"]:
            datasets = datasets.filter(city=form.cleaned_data["city"])
        if form.cleaned_data["theme"]:
            datasets = datasets.filter(FILTERS["groups"](form.cleaned_data["theme"]))
        if form.cleaned_data["keyword"]:
            datasets = datasets.filter(FILTERS["tags"](form.cleaned_data["keyword"].strip()))
    page = Paginator(datasets.order_by("title", "slug"), PAGE_SIZE).get_page(
        request.GET.get("seite")
    )
    query = request.GET.copy()
    query.pop("seite", None)
    return render(
        request,
        "opendata/catalogue.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_GET
def dataset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One dataset: its metadata, distributions and download links."""
    dataset = get_object_or_404(
        Dataset.objects.select_related("city").prefetch_related("distributions"), slug=slug
    )
    return render(
        request,
        "opendata/dataset.html",
        {
            "dataset": dataset,
            "downloads": dataset.downloads(),
            "region": Region.current(),
            "history_form": HistoryForm(initial=_last_week()) if dataset.is_generated else None,
        },
    )


def _last_week() -> dict[str, date]:
    today = timezone.localdate()
    return {"von": today - timedelta(days=7), "bis": today}


@require_GET
def catalogue_export(request: HttpRequest, suffix: str) -> HttpResponse:
    """The whole catalogue as DCAT-AP.de in Turtle, RDF/XML or JSON-LD."""
    if suffix not in dcat.FORMATS:
        raise Http404("unknown export format")
    base_url = request.build_absolute_uri("/").rstrip("/")
    datasets = Dataset.objects.select_related("city").prefetch_related("distributions")
    graph = dcat.catalogue_graph(datasets, base_url, Region.current())
    _serializer, media_type = dcat.FORMATS[suffix]
    response = HttpResponse(
        dcat.serialize(graph, suffix), content_type=f"{media_type}; charset=utf-8"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _generated(slug: str) -> Dataset:
    dataset = get_object_or_404(Dataset.objects.select_related("city"), slug=slug)
    if not dataset.is_generated:
        raise Http404("only generated datasets have current values")
    return dataset


@require_GET
def current_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """The current values of a generated dataset as CSV, streamed."""
    dataset = _generated(slug)
    response = StreamingHttpResponse(
        downloads.current_csv(dataset), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{dataset.slug}-aktuell.csv"'
    return response


@require_GET
def history_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The history of a generated dataset for the period ``von``–``bis`` as CSV, streamed."""
    dataset = _generated(slug)
    form = HistoryForm(request.GET)
    if not form.is_valid():
        message = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    start, end = form.cleaned_data["von"], form.cleaned_data["bis"]
    time_at = f"{start.isoformat()}T00:00:00Z"
    end_time_at = f"{(end + timedelta(days=1)).isoformat()}T00:00:00Z"
    response = StreamingHttpResponse(
        downloads.history_csv(dataset, time_at, end_time_at),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"{dataset.slug}-verlauf-{start.isoformat()}-{end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def current_geojson(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """The current values of a generated dataset as a GeoJSON FeatureCollection, streamed."""
    dataset = _generated(slug)
    response = StreamingHttpResponse(
        downloads.current_geojson(dataset), content_type="application/geo+json"
    )
    response["Content-Disposition"] = f'attachment; filename="{dataset.slug}-aktuell.geojson"'
    return response

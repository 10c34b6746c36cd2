"""Public pages of the content app: news, blog, pages, documents, search, images."""

from __future__ import annotations

import time
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from dos.portal.accounts.permissions import has_perm
from dos.portal.content import search as search_index
from dos.portal.content.files import file_response
from dos.portal.content.models import Document, Page, Post, PostImage, Tag
from dos.portal.content.pages import render_page
from dos.portal.web.pagecache import public_page

PAGE_SIZE = 10


def _city(request: HttpRequest) -> Any:
    return getattr(request, "city", None)


def visible_posts(kind: str, city: Any) -> Any:
    """Visible posts of ``kind`` for a list: the city's and the region's, newest first."""
    return (
        Post.objects.visible()
        .filter(kind=kind)
        .for_city(city)
        .select_related("city")
        .prefetch_related(
            "tags", Prefetch("images", queryset=PostImage.objects.order_by("position", "pk"))
        )
        .order_by("-published_at", "-pk")
    )


@require_safe
@public_page
def post_list(request: HttpRequest, kind: str, city: str | None = None) -> HttpResponse:
    posts = visible_posts(kind, _city(request))
    tag = None
    if request.GET.get("tag"):
        tag = Tag.objects.filter(slug=request.GET["tag"]).first()
        if tag is None:
            raise Http404("unknown tag")
        posts = posts.filter(tags=tag)
    page = Paginator(posts, PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(
        request,
        "content/post_list.html",
        {"kind": kind, "kind_label": Post.Kind(kind).label, "page_obj": page, "tag": tag},
    )


@require_safe
@public_page
def post_detail(
    request: HttpRequest, kind: str, slug: str, city: str | None = None
) -> HttpResponse:
    post = get_object_or_404(
        Post.objects.select_related("city").prefetch_related("tags", "images"), kind=kind, slug=slug
    )
    preview = not post.is_visible
    if preview and not has_perm(request.user, "content.view_post", post):
        raise Http404("post not published")
    here = _city(request)
    if (here.pk if here else None) != post.city_id:
        return redirect(post.get_absolute_url(), permanent=not preview)
    return render(
        request,
        "content/post_detail.html",
        {"post": post, "preview": preview, "kind_label": Post.Kind(kind).label},
    )


@require_safe
@public_page
def page_detail(request: HttpRequest, slug: str, city: str | None = None) -> HttpResponse:
    page = get_object_or_404(Page, city=_city(request), slug=slug)
    if not page.is_published and not has_perm(request.user, "content.view_page", page):
        raise Http404("page not published")
    return render_page(request, page)


@require_safe
@public_page
def document_list(request: HttpRequest, city: str | None = None) -> HttpResponse:
    documents = Document.objects.select_related("city")
    here = _city(request)
    if here is not None:
        documents = documents.filter(city=here) | documents.filter(city__isnull=True)
    return render(request, "content/document_list.html", {"documents": documents})


@require_safe
def document_download(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    document = get_object_or_404(Document, pk=pk)
    return file_response(
        request, document.file, content_type=document.content_type, filename=document.filename
    )


@require_safe
def image(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    picture = get_object_or_404(PostImage.objects.select_related("post"), pk=pk)
    if not picture.post.is_visible and not has_perm(
        request.user, "content.view_post", picture.post
    ):
        raise Http404("post not published")
    response = file_response(request, picture.file, content_type=picture.content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def search(request: HttpRequest, city: str | None = None) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("art") or None
    here = _city(request)
    started = time.perf_counter()
    groups = search_index.search(query, city_id=here.pk if here else None, kind=kind)
    elapsed_ms = (time.perf_counter() - started) * 1000
    page_obj = None
    if kind and groups:
        page_obj = Paginator(groups[0].entries, PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(
        request,
        "content/search.html",
        {
            "query": query,
            "kind": kind,
            "groups": groups,
            "page_obj": page_obj,
            "kinds": search_index.kinds(),
            "elapsed_ms": elapsed_ms,
        },
    )

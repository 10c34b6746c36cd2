"""The CKAN Action API endpoint ``/api/3/action/<name>`` in CKAN's JSON envelope."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from dos.portal.opendata import ckan


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _answer(request: HttpRequest, name: str, body: dict[str, Any], status: int) -> JsonResponse:
    help_url = f"{_base_url(request)}/api/3/action/help_show?name={name}"
    response = JsonResponse(
        {"help": help_url, **body}, status=status, json_dumps_params={"ensure_ascii": False}
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def action(request: HttpRequest, name: str) -> JsonResponse:
    """Run a read-only CKAN action with the query (GET) or form/JSON body (POST) parameters."""
    function = ckan.ACTIONS.get(name)
    if function is None:
        return _answer(
            request,
            name,
            {
                "success": False,
                "error": {
                    "__type": "Bad request",
                    "message": f"Bad request - Action name not known: {name}",
                },
            },
            400,
        )
    params: dict[str, str] = dict(request.GET.items())
    if request.method == "POST":
        try:
            params.update(_body_params(request))
        except ValueError:
            error = {"__type": "Bad request", "message": "Bad request - JSON Error: invalid body"}
            return _answer(request, name, {"success": False, "error": error}, 400)
    try:
        result = function(params, _base_url(request))
    except ckan.NotFound as exc:
        error = {"__type": "Not Found Error", "message": str(exc)}
        return _answer(request, name, {"success": False, "error": error}, 404)
    except ckan.ValidationError as exc:
        error: dict[str, Any] = {"__type": "Validation Error", **exc.errors}
        return _answer(request, name, {"success": False, "error": error}, 409)
    return _answer(request, name, {"success": True, "result": result}, 200)


def _body_params(request: HttpRequest) -> dict[str, str]:
    if request.content_type == "application/json":
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError("the JSON body must be an object")
        return {key: str(value) for key, value in body.items() if value is not None}
    return dict(request.POST.items())

"""Who may read and write (``DOS_BROKER_READ``, ``DOS_BROKER_OPEN_WRITES``, bearer tokens)."""

from __future__ import annotations

from starlette.requests import Request

from dos.broker.errors import NgsiError
from dos.broker.http.request import tenant_of
from dos.broker.tokens import token_check

#: ASGI scope key set by the in-process client's transport: the portal is trusted.
INTERNAL = "dos.broker.internal"


def _tenant_label(tenant: str) -> str:
    return repr(tenant) if tenant else "the default tenant"


async def require(request: Request, scope: str) -> str:
    """Check access for ``scope`` ("read" or "write"); return the request's tenant.

    Reads are public unless ``DOS_BROKER_READ=token``; writes need a token of the tenant with
    scope ``write`` unless ``DOS_BROKER_OPEN_WRITES`` is on. 401 without a valid token, 403
    for a token of another tenant or a read-only token on a write.
    """
    tenant = tenant_of(request)
    config = request.app.state.config
    if request.scope.get(INTERNAL):
        return tenant
    if scope == "read" and config.BROKER_READ == "public":
        return tenant
    if scope == "write" and config.BROKER_OPEN_WRITES:
        return tenant
    header = request.headers.get("authorization", "")
    kind, _, secret = header.partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="ngsi-ld"'}
    if kind.lower() != "bearer" or not secret.strip():
        raise NgsiError("Unauthorized", f"{scope} access needs a bearer token", headers=challenge)
    record = await token_check(request.app.state.store, secret.strip())
    if record is None:
        raise NgsiError("Unauthorized", "the token is unknown or revoked", headers=challenge)
    if record["tenant"] != tenant:
        raise NgsiError(
            "Forbidden",
            f"the token is for {_tenant_label(record['tenant'])}, not {_tenant_label(tenant)}",
        )
    if scope == "write" and record["scope"] != "write":
        raise NgsiError("Forbidden", "the token allows reading only")
    return tenant

"""Access control: read setting, write tokens per tenant and scope, revocation, the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from dos.broker import tokens
from dos.broker.store import Store
from dos.cli import main
from tests.broker.conftest import broker_client

BASE = "/ngsi-ld/v1"
ENTITY = {"id": "urn:ngsi-ld:Streetlight:1", "type": "Streetlight", "status": "on"}


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_writes_need_a_write_token_of_the_tenant(store: Store, tmp_path: Path) -> None:
    _, writer = tokens.token_create(store, "dortmund", "write")
    _, reader = tokens.token_create(store, "dortmund", "read")
    _, other = tokens.token_create(store, "schwerte", "write")
    dortmund = {"NGSILD-Tenant": "dortmund"}
    with broker_client(store, tmp_path) as client:
        anonymous = client.post(f"{BASE}/entities", json=ENTITY, headers=dortmund)
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
        wrong = client.post(
            f"{BASE}/entities", json=ENTITY, headers={**dortmund, **bearer("dos_x")}
        )
        assert wrong.status_code == 401
        read_only = client.post(
            f"{BASE}/entities", json=ENTITY, headers={**dortmund, **bearer(reader)}
        )
        assert read_only.status_code == 403 and "reading only" in read_only.json()["detail"]
        foreign = client.post(
            f"{BASE}/entities", json=ENTITY, headers={**dortmund, **bearer(other)}
        )
        assert foreign.status_code == 403 and "schwerte" in foreign.json()["detail"]
        assert client.get(f"{BASE}/entities/{ENTITY['id']}", headers=dortmund).status_code == 404
        ok = client.post(f"{BASE}/entities", json=ENTITY, headers={**dortmund, **bearer(writer)})
        assert ok.status_code == 201
        # reads are public by default
        assert client.get(f"{BASE}/entities/{ENTITY['id']}", headers=dortmund).status_code == 200


def test_token_protected_reads_and_revocation(store: Store, tmp_path: Path) -> None:
    token_id, reader = tokens.token_create(store, "", "read")
    with broker_client(store, tmp_path, DOS_BROKER_READ="token") as client:
        assert client.get(f"{BASE}/types").status_code == 401
        assert client.get(f"{BASE}/types", headers=bearer(reader)).status_code == 200
        assert tokens.token_revoke(store, token_id) is True
        assert client.get(f"{BASE}/types", headers=bearer(reader)).status_code == 401


def test_open_writes_setting(store: Store, tmp_path: Path) -> None:
    with broker_client(store, tmp_path, DOS_BROKER_OPEN_WRITES="true") as client:
        assert client.post(f"{BASE}/entities", json=ENTITY).status_code == 201


def test_tokens_are_stored_hashed(store: Store) -> None:
    token_id, secret = tokens.token_create(store, "dortmund", "write", "sensor gateway")
    listed = tokens.token_list(store)
    assert listed[0]["id"] == token_id and listed[0]["label"] == "sensor gateway"
    assert "digest" not in listed[0]
    stored = store.read(lambda s: s.token_by_digest(tokens.digest(secret)))
    assert stored is not None and secret not in stored.values()


def test_cli_token_create_list_revoke(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DOS_DATABASE_URL", raising=False)
    assert main(["broker", "token", "create", "--tenant", "dortmund", "--scope", "write"]) == 0
    out = capsys.readouterr().out.splitlines()
    token_id = out[0].split()[1]
    secret = out[1]
    assert secret.startswith("dos_")
    assert main(["broker", "token", "list"]) == 0
    listing = capsys.readouterr().out
    assert token_id in listing and "dortmund" in listing and secret not in listing
    assert main(["broker", "token", "revoke", token_id]) == 0
    assert main(["broker", "token", "list"]) == 0
    assert "revoked" in capsys.readouterr().out
    assert main(["broker", "token", "revoke", token_id]) == 2
    assert "no active token" in capsys.readouterr().err
    assert main(["broker", "token", "create", "--tenant", "a b", "--scope", "read"]) == 2

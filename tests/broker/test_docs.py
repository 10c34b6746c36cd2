"""The curl examples of docs/ngsi-ld.md run against a fresh broker and answer as documented."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import urlencode

from dos.broker import tokens
from dos.broker.store import Store
from tests.broker.conftest import broker_client

DOC = Path(__file__).resolve().parents[2] / "docs" / "ngsi-ld.md"
BLOCK = re.compile(r"```sh\n(curl .*?)\n# → (\d{3})\n```", re.S)


def _request(command: str, token: str) -> tuple[str, str, dict[str, str], bytes | None]:
    words = shlex.split(
        command.replace("\\\n", " ").replace("$TOKEN", token).replace("$BROKER", "")
    )
    assert words[0] == "curl"
    method, url, headers, data, query = "GET", "", {}, None, []
    get = False
    i = 1
    while i < len(words):
        word = words[i]
        if word == "-X":
            method = words[i + 1]
            i += 1
        elif word == "-H":
            name, _, value = words[i + 1].partition(":")
            headers[name.strip()] = value.strip()
            i += 1
        elif word == "-d":
            data = words[i + 1].encode()
            i += 1
        elif word == "--data-urlencode":
            name, _, value = words[i + 1].partition("=")
            query.append((name, value))
            i += 1
        elif word == "-G":
            get = True
        elif word.startswith("/"):
            url = word
        i += 1
    if get and query:
        url += "?" + urlencode(query)
    if data is not None and method == "GET":
        method = "POST"
    return method, url, headers, data


def test_documented_curl_examples(store: Store, tmp_path: Path) -> None:
    examples = BLOCK.findall(DOC.read_text())
    assert len(examples) >= 8
    _, token = tokens.token_create(store, "dortmund", "write")
    with broker_client(store, tmp_path) as client:
        for command, status in examples:
            method, url, headers, data = _request(command, token)
            response = client.request(method, url, headers=headers, content=data)
            assert response.status_code == int(status), f"{command}\n→ {response.text}"
        # the query example finds the updated observation near the Friedensplatz
        found = client.get(
            "/ngsi-ld/v1/entities",
            params={"type": "WeatherObserved", "q": "temperature>30"},
            headers={"NGSILD-Tenant": "dortmund"},
        ).json()
        assert [e["id"] for e in found] == ["urn:ngsi-ld:WeatherObserved:dortmund-friedensplatz"]

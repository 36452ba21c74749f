"""Schemathesis over the whole JSON API, in-process, signed in as the Metropolis secretariat.

Every operation of the OpenAPI document served at ``/schema`` gets a bounded number of
generated requests twice: once with arbitrary path parameters (mostly "not found"), once
with the demo's real organisation, body, meeting and member in the path, so that bodies and
queries reach the services. Checks: no 5xx, and every response whose status the schema
documents matches its declared schema. The requests go through the same httpx ASGI client
as every other test (Schemathesis' own ASGI transport runs the app in another event loop,
which the PostgreSQL pool does not allow); Schemathesis generates the cases and validates
the responses.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.core.failures import FailureGroup

from tests.support.database import ENGINE

EXAMPLES = int(os.environ.get("GOVERNANCE_FUZZ_EXAMPLES", "20"))
REAL_PATH = {
    "org": "metropolis",
    "body_slug": "bod",
    "slug": "metropolis-bod-2012",
    "member": "paris-idf",
    "event": "metropolis-guangzhou-2012",
    "version": 1,
}
# Signing out mid-run would leave the rest of the run anonymous (every answer a 401).
SKIPPED = {("POST", "/api/v1/auth/logout"), ("DELETE", "/api/v1/auth/sessions/{handle}")}


def _cases(operation: Any, path_parameters: dict[str, Any] | None) -> list[Any]:
    """Generate (never shrink, never replay) a bounded list of cases for one operation."""
    collected: list[Any] = []

    @settings(
        max_examples=EXAMPLES,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(path_parameters=path_parameters))
    def collect(case: Any) -> None:
        collected.append(case)

    collect()
    return collected


def _httpx_kwargs(case: Any) -> dict[str, Any]:
    """Schemathesis serialises for ``requests``: let requests encode the body (JSON, form,
    multipart with its files), then send exactly those bytes and headers through httpx."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver.local")
    prepared = requests.Request(
        method=kwargs["method"],
        url=kwargs["url"],
        headers=kwargs.get("headers"),
        params=kwargs.get("params"),
        json=kwargs.get("json"),
        data=kwargs.get("data"),
        files=kwargs.get("files"),
    ).prepare()
    headers = {k: v for k, v in prepared.headers.items() if k.lower() not in ("connection", "cookie")}
    body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
    return {"method": prepared.method, "url": prepared.url, "headers": headers, "content": body}


def _is_problem(response: Any) -> bool:
    """Every refusal of the API is an RFC 9457 problem with the HTTP status in it."""
    if response.headers.get("content-type", "").split(";")[0] != "application/problem+json":
        return False
    body = response.json()
    return body.get("status") == response.status_code and isinstance(body.get("detail"), str) and "title" in body


async def test_the_json_api_survives_schemathesis(demo, client):
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request otherwise
    login = await client.api_login("secretary@metropolis.demo")
    assert login.status_code == 200
    token = await client.ensure_csrf()
    document = (await client.get("/schema/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    started = time.monotonic()
    failures: list[str] = []
    tried = 0
    statuses: dict[int, int] = {}
    for operation in operations:
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        names = {p.name for p in operation.iter_parameters() if p.location == "path"}
        real = {name: value for name, value in REAL_PATH.items() if name in names}
        for path_parameters in [None, real] if real else [None]:
            for case in _cases(operation, path_parameters):
                kwargs = _httpx_kwargs(case)
                kwargs["headers"]["x-csrftoken"] = token
                response = await client.http.request(**kwargs)
                tried += 1
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code >= 400 and not _is_problem(response):
                    failures.append(f"{kwargs['method']} {kwargs['url']} -> {response.status_code}: not problem+json")
                try:
                    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
                except FailureGroup as failure:  # every failed check of this response
                    failures.append(f"{operation.method.upper()} {kwargs['url']} -> {response.status_code}: {failure}")
    elapsed = time.monotonic() - started
    print(
        f"\nschemathesis [{ENGINE}]: {len(operations)} operations, {tried} requests, {elapsed:.1f} s, "
        f"statuses {json.dumps(dict(sorted(statuses.items())))}"
    )
    assert not failures, "\n\n".join(failures[:20]) + f"\n\n({len(failures)} failures)"
    assert tried >= len(operations) * EXAMPLES


async def test_out_of_range_ids_and_undecodable_fields_are_refused_not_500(demo, client):
    """Regressions found by the fuzz: an id beyond the database's integer range (SQLite:
    OverflowError; PostgreSQL: asyncpg refuses the argument) and a multipart field that is not
    UTF-8 (Litestar's parser raises UnicodeDecodeError) were 500s; they are 400s now."""
    await client.api_login("secretary@metropolis.demo")
    for huge in (2**31, 2**63, 10**30):
        response = await client.send("PUT", f"/api/v1/organisations/metropolis/bodies/bod/mandates/{huge}", json={})
        assert response.status_code in (400, 404), response.text
        response = await client.get(f"/api/v1/meetings/metropolis-bod-2012/polls/{huge}")
        assert response.status_code in (400, 404), response.text
        assert _is_problem(response)
    token = await client.ensure_csrf()
    boundary = "b0undary"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n".encode()
        + b"\xc6\x97\xff"
        + f"\r\n--{boundary}--\r\n".encode()
    )
    items = (await client.get("/api/v1/meetings/metropolis-bod-2012/agenda")).json()
    response = await client.http.post(
        f"/api/v1/meetings/metropolis-bod-2012/agenda/items/{items[0]['id']}/documents",
        content=body,
        headers={"content-type": f"multipart/form-data; boundary={boundary}", "x-csrftoken": token},
    )
    assert response.status_code == 400 and _is_problem(response), response.text


async def test_the_schema_declares_refusals_as_problems(client):
    """The OpenAPI document declares every refusal as the problem the app sends (not
    Litestar's default exception body), so schemathesis validates 400 bodies too."""
    document = (await client.get("/schema/openapi.json")).json()
    assert set(document["components"]["schemas"]["Problem"]["required"]) == {"type", "title", "status", "detail"}
    refusals = [
        response
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for code, response in operation.get("responses", {}).items()
        if code[0] in "45"
    ]
    assert len(refusals) > 50
    assert all(list(r["content"]) == ["application/problem+json"] for r in refusals)

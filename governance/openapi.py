"""The OpenAPI document tells the truth about refusals.

Litestar documents each refusal with the body of its own exception (``status_code``,
``detail``, ``extra``, as ``application/json``); this app answers every refusal with an
RFC 9457 problem (``governance.web.problem``: ``type``, ``title``, ``status``, ``detail`` and,
for forms, ``errors``, as ``application/problem+json``). Litestar has no setting for that
yet (litestar#4470; litestar#4741 proposes one), so the generated document is corrected
once, when it is first asked for, by a subclass of Litestar's OpenAPI plugin.
"""

from __future__ import annotations

from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.openapi.spec import Components, OpenAPI, OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Reference, Schema

PROBLEM = Schema(
    type=OpenAPIType.OBJECT,
    required=["type", "title", "status", "detail"],
    properties={
        "type": Schema(type=OpenAPIType.STRING, description='Always "about:blank": the title says what happened.'),
        "title": Schema(type=OpenAPIType.STRING, description="What kind of refusal, in English."),
        "status": Schema(type=OpenAPIType.INTEGER, description="The HTTP status, repeated."),
        "detail": Schema(type=OpenAPIType.STRING, description="A human sentence in the reader's language."),
        "errors": Schema(
            type=OpenAPIType.OBJECT,
            additional_properties=Schema(type=OpenAPIType.STRING),
            description="Per field: what is wrong with it.",
        ),
    },
    description="A refusal (RFC 9457 problem details). Nothing was changed.",
)


def declare_problem_responses(document: OpenAPI) -> OpenAPI:
    """Every 4xx/5xx response of ``document`` declared as a problem (in place; returned)."""
    if document.components is None:
        document.components = Components()
    components = document.components
    if isinstance(components, list):  # pragma: no cover - Litestar merges them into one
        components = components[0]
    components.schemas = {**(components.schemas or {}), "Problem": PROBLEM}
    problem = {"application/problem+json": OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Problem"))}
    for path_item in (document.paths or {}).values():
        for method in ("get", "put", "post", "delete", "patch", "head", "options"):
            operation = getattr(path_item, method, None)
            for code, response in ((operation.responses or {}).items() if operation else ()):
                if code[:1] in ("4", "5") and isinstance(response, OpenAPIResponse):
                    response.content = dict(problem)
    return document


class _ProblemOpenAPIPlugin(OpenAPIPlugin):
    __slots__ = ()

    def _build_openapi(self) -> OpenAPI:
        return declare_problem_responses(super()._build_openapi())


def use_problem_responses(app: Litestar) -> None:
    """Make ``app``'s OpenAPI document declare its refusals as problems (lazily: nothing is
    generated until the document is asked for)."""
    plugin = app.plugins.get(OpenAPIPlugin)
    plugin.__class__ = _ProblemOpenAPIPlugin  # same slots: a subclass adds behaviour only

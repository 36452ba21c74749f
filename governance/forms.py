"""Turning what people type into validated input, and validation errors into sentences.

The same pydantic models validate API bodies and page forms. A form that fails keeps
what the user typed and shows one human sentence per field.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from governance.db import IntegrityViolation
from governance.errors import DomainError, Invalid, from_integrity
from governance.i18n import gettext as _


def human_message(error: Mapping[str, Any]) -> str:
    """One translated sentence for one pydantic error."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"string_too_short", "too_short"}:
        if ctx.get("min_length", 1) <= 1:
            return _("This field is required.")
        return _("Use at least {n} characters.").format(n=ctx["min_length"])
    if kind in {"string_too_long", "too_long"}:
        return _("Use at most {n} characters.").format(n=ctx.get("max_length"))
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Enter a number of at least {n}.").format(n=ctx.get("ge", ctx.get("gt")))
    if kind in {"less_than_equal", "less_than"}:
        return _("Enter a number of at most {n}.").format(n=ctx.get("le", ctx.get("lt")))
    if kind in {"enum", "literal_error"}:
        return _("Choose one of the options.")
    if kind.startswith("date_") or kind == "date_type":
        return _("Enter a date as YYYY-MM-DD.")
    if kind.startswith("datetime_") or kind == "datetime_type":
        return _("Enter a date and time as YYYY-MM-DD HH:MM.")
    if kind.startswith("bool"):
        return _("Choose yes or no.")
    if kind == "value_error":
        message = str(ctx.get("error", "")) or str(error.get("msg", ""))
        if "email address" in message:
            return _("Enter a valid e-mail address.")
        return message.removeprefix("Value error, ")
    if kind in {"string_type", "model_type", "dict_type", "list_type"}:
        return _("This value has the wrong type.")
    return str(error.get("msg", _("This value is not valid.")))


def field_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        key = ".".join(str(part) for part in error.get("loc", ())) or "__all__"
        errors.setdefault(key, human_message(error))
    return errors


def _is_bool(annotation: Any) -> bool:
    if annotation is bool:
        return True
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return any(arg is bool for arg in get_args(annotation))
    return False


def validate(model: type[BaseModel], data: Mapping[str, Any]) -> Any:
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise Invalid(_("Please correct the fields marked below."), fields=field_errors(exc)) from exc


def parse_form(model: type[BaseModel], form: Mapping[str, Any]) -> Any:
    """Validate an HTML form against ``model``.

    HTML sends only strings and omits unchecked boxes: a missing checkbox is False and
    an empty optional field is "not given".
    """
    data: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if _is_bool(field.annotation):
            data[name] = form.get(name) in {"on", "true", "1", "yes"}
            continue
        if name not in form:
            continue
        value = form.get(name)
        if value == "" and not field.is_required():
            continue
        data[name] = value
    return validate(model, data)


def as_domain_error(exc: BaseException) -> DomainError:
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, IntegrityViolation):
        return from_integrity(exc)
    if isinstance(exc, ValidationError):
        return Invalid(_("Please correct the fields marked below."), fields=field_errors(exc))
    raise exc

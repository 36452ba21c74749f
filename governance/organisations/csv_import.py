"""Reading a members CSV file, all or nothing.

Columns: ``slug,name,country,region,category`` (region and category as stored, e.g.
``asia_pacific``, ``active``), plus any number of ``fee_YYYY`` columns with ``yes`` or
``no``. Every line is checked before anything is written: one bad line and nothing
is imported, and the report names each bad line and why.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from pydantic import ValidationError

from governance.forms import field_errors
from governance.i18n import gettext as _
from governance.organisations.schemas import MemberIn

REQUIRED = ("slug", "name", "region")
FEE_COLUMN = re.compile(r"^fee_(\d{4})$")
MAX_BYTES = 2_000_000
MAX_ROWS = 10_000


@dataclass
class ParsedMembers:
    members: list[MemberIn] = field(default_factory=list)
    fees: list[dict[int, bool]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_members_csv(raw: bytes | str) -> ParsedMembers:
    result = ParsedMembers()
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            result.errors.append(_("The file is larger than 2 MB."))
            return result
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            result.errors.append(_("The file is not UTF-8 text. Save it as CSV UTF-8 and try again."))
            return result
    else:
        text = raw
    if not text.strip():
        result.errors.append(_("The file is empty."))
        return result
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        result.errors.append(
            _("Line 1: missing column(s) {columns}. Expected at least: {expected}.").format(
                columns=", ".join(missing), expected="slug,name,country,region,category"
            )
        )
        return result
    fee_years = {name: int(m.group(1)) for name in header if (m := FEE_COLUMN.match(name))}
    seen: dict[str, int] = {}
    for index, raw_row in enumerate(reader, start=2):
        if index - 1 > MAX_ROWS:
            result.errors.append(_("More than {n} rows: split the file.").format(n=MAX_ROWS))
            break
        row = {(k or "").strip(): (v or "").strip() for k, v in raw_row.items() if k is not None}
        if None in raw_row:
            result.errors.append(_("Line {line}: more values than columns.").format(line=index))
            continue
        if not any(row.values()):
            continue  # blank line
        data = {k: row.get(k, "") for k in ("slug", "name", "country", "region", "category")}
        if not data["category"]:
            data.pop("category")
        problems: list[str] = []
        member: MemberIn | None = None
        try:
            member = MemberIn.model_validate(data)
        except ValidationError as exc:
            problems.extend(f"{name}: {message}" for name, message in field_errors(exc).items())
        fees: dict[int, bool] = {}
        for column, year in fee_years.items():
            value = row.get(column, "").lower()
            if value in {"yes", "y", "paid", "1", "true", "oui", "si", "sí"}:
                fees[year] = True
            elif value in {"no", "n", "unpaid", "0", "false", "non"}:
                fees[year] = False
            elif value:
                problems.append(_("{column} must be yes or no, not {value}").format(column=column, value=value))
        if member is not None and member.slug in seen:
            problems.append(
                _("the code {slug} already appears on line {first}").format(slug=member.slug, first=seen[member.slug])
            )
        if problems or member is None:
            result.errors.append(
                _("Line {line}: {reasons}").format(line=index, reasons="; ".join(p.rstrip(".") for p in problems))
            )
            continue
        seen[member.slug] = index
        result.members.append(member)
        result.fees.append(fees)
    if not result.members and not result.errors:
        result.errors.append(_("The file has a header but no members."))
    return result

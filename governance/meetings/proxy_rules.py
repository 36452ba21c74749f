"""Whether a proxy may be given: plain functions over plain data (rule 3).

Each refusal names the rule and the statute article that forbids it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from governance.i18n import gettext as _
from governance.i18n import ngettext
from governance.organisations.statutes import Statutes


@dataclass(frozen=True)
class LiveProxy:
    grantor: int
    holder: int


def proxy_problems(
    *,
    grantor: int,
    holder: int,
    names: Mapping[int, str],
    statutes: Statutes,
    live: Iterable[LiveProxy],
    voters: set[int],
    attending: set[int],
    in_session: bool,
) -> dict[str, str]:
    """{field: sentence} for everything that stops ``grantor`` giving its proxy to ``holder``."""
    article = statutes.proxy_article
    live = list(live)
    if not statutes.proxies_allowed:
        return {"holder": _("The statutes do not allow proxies ({article}).").format(article=article)}
    if grantor == holder:
        return {"holder": _("A member cannot hold its own proxy.")}
    problems: dict[str, str] = {}
    given = next((p for p in live if p.grantor == grantor), None)
    if given is not None:
        problems["grantor"] = _("{grantor} has already given its proxy to {holder}: revoke that one first.").format(
            grantor=names[grantor], holder=names[given.holder]
        )
    if grantor not in voters:
        problems["grantor"] = _("{grantor} has no vote in this meeting, so it has no vote to entrust.").format(
            grantor=names[grantor]
        )
    if any(p.holder == grantor for p in live):
        problems["grantor"] = _(
            "{grantor} holds the proxy of another member and cannot pass its own on: no chains of proxies ({article})."
        ).format(grantor=names[grantor], article=article)
    if any(p.grantor == holder for p in live):
        problems["holder"] = _(
            "{holder} has itself given its proxy: proxies cannot be passed on, no chains or cycles ({article})."
        ).format(holder=names[holder], article=article)
    elif statutes.proxy_holder_must_be_member and holder not in voters:
        problems["holder"] = _("{holder} has no vote in this meeting, so it cannot hold a proxy ({article}).").format(
            holder=names[holder], article=article
        )
    else:
        held = sum(1 for p in live if p.holder == holder)
        cap = statutes.proxy_max_per_holder
        if held >= cap:
            problems["holder"] = ngettext(
                "{holder} already holds {held} proxy, the most the statutes allow ({article}).",
                "{holder} already holds {held} proxies, the most the statutes allow ({article}).",
                held,
            ).format(holder=names[holder], held=held, article=article)
    if in_session and "holder" not in problems and holder not in attending:
        problems["holder"] = _("{holder} is not present: a proxy held by someone absent counts for nothing.").format(
            holder=names[holder]
        )
    if in_session and "grantor" not in problems and grantor in attending:
        problems["grantor"] = _("{grantor} is present and votes itself.").format(grantor=names[grantor])
    return problems

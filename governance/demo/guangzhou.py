"""Load the Guangzhou 2012 demo through the same services the pages use.

Idempotent: every object is looked up by its natural key (slug, e-mail) first, so a
second run changes nothing. An account that exists keeps its password (its person may
have chosen another one) unless a password is given explicitly; never in production.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from governance import clock
from governance.accounts import services as accounts
from governance.accounts.passwords import hash_password, verify_password
from governance.accounts.schemas import PersonIn
from governance.accounts.tables import Person
from governance.auth import Principal
from governance.db import reading, writing
from governance.demo import data
from governance.meetings import services as meetings
from governance.meetings.schemas import EventIn, MeetingIn
from governance.meetings.tables import Event, Meeting
from governance.organisations import services as orgs
from governance.organisations.schemas import (
    BodyIn,
    MajorityRuleIn,
    MandateIn,
    MemberIn,
    OrganisationIn,
    RuleSetIn,
)
from governance.organisations.tables import Body, Mandate, Member, Organisation, RuleSet, Staff
from governance.settings import environment_name, get_settings
from governance.vocabulary import DecisionType, Language, MandateRole, Office

DEFAULT_PASSWORD = "guangzhou-2012"
EVENT_SLUG = "metropolis-guangzhou-2012"
TIME_ZONE = "Asia/Shanghai"


@dataclass
class DemoReport:
    password: str
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (e-mail, what they are)
    meetings: list[str] = field(default_factory=list)
    # Accounts that existed already and kept their password (no explicit password given).
    kept: list[str] = field(default_factory=list)


class DemoRefused(RuntimeError):
    """The demo must not run here (production)."""


def refuse_in_production() -> None:
    if environment_name() == "production" or get_settings().production:
        raise DemoRefused(
            "The demo does not run with GOVERNANCE_ENV=production: it creates accounts with a published password."
        )


async def _organisation(values: dict[str, Any]) -> dict[str, Any]:
    async with reading():
        row = await Organisation.select().where(Organisation.slug == values["slug"]).first()
    return row or await orgs.create_organisation(OrganisationIn(**values))


async def _body(org: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    async with reading():
        row = await Body.select().where((Body.organisation == org["id"]) & (Body.slug == values["slug"])).first()
    return row or await orgs.create_body(org, BodyIn(**values))


async def _rule_set(body: dict[str, Any], rules: dict[str, Any], majorities: dict[str, tuple]) -> None:
    async with reading():
        row = await RuleSet.select().where((RuleSet.body == body["id"]) & (RuleSet.version == rules["version"])).first()
    rule_set = row or await orgs.create_rule_set(body, RuleSetIn(**rules))
    existing = {m["decision_type"] for m in await orgs.list_majorities(rule_set)}
    for decision_type, (num, den, strict, base, article) in majorities.items():
        if decision_type not in existing:
            await orgs.set_majority(
                rule_set,
                MajorityRuleIn(
                    decision_type=DecisionType(decision_type),
                    threshold_numerator=num,
                    threshold_denominator=den,
                    strict=strict,
                    base=base,
                    article=article,
                ),
            )


async def _members(org: dict[str, Any], rows: list[tuple], body: dict[str, Any]) -> None:
    async with reading():
        known = {m["slug"] for m in await Member.select(Member.slug).where(Member.organisation == org["id"])}
    for slug, name, country, region, category, paid in rows:
        if slug in known:
            continue
        member = await orgs.create_member(
            org, MemberIn(slug=slug, name=name, country=country, region=region, category=category)
        )
        await orgs.set_fee(member, 2011, True)
        await orgs.set_fee(member, 2012, paid)
    await _seats(org, body, [row[0] for row in rows])


async def _seats(org: dict[str, Any], body: dict[str, Any], member_slugs: list[str]) -> None:
    async with reading():
        seated = {s["member"] for s in await orgs.list_seats(body)}
    for slug in member_slugs:
        if slug not in seated:
            await orgs.add_seat(org, body, slug)


class _People:
    """Creates demo accounts once, all with one password hash (computed once).

    An existing account's password is changed only when ``reset`` (an explicit password)."""

    def __init__(self, password: str, report: DemoReport, *, reset: bool) -> None:
        self.password = password
        self.report = report
        self.reset = reset
        # Hashes known to match the password: checked once, not once per account.
        self.matching: set[str] = set()

    async def get(self, org: dict[str, Any], email: str, name: str, what: str) -> dict[str, Any]:
        self.report.accounts.append((email, what))
        person = await accounts.find_person_by_email(email)
        if person is None:
            person = await orgs.create_person(org, PersonIn(email=email, full_name=name, language=Language.en))
        elif not self.reset:
            self.report.kept.append(email)
            return person
        stored = person["password_hash"]
        if stored in self.matching:
            return person
        if stored and (await verify_password(stored, self.password))[0]:
            self.matching.add(stored)
            return person
        if not self.matching:
            self.matching.add(await hash_password(self.password))
        async with writing():
            await Person.update({Person.password_hash: next(iter(self.matching))}).where(Person.id == person["id"])
        return person


async def _mandate(
    org: dict[str, Any],
    body: dict[str, Any],
    email: str,
    member: str,
    office: str,
    acting: str | None = None,
    role: str = "principal",
) -> None:
    async with reading():
        exists = await Mandate.exists().where(
            (Mandate.body == body["id"]) & (Mandate.person.email == email) & (Mandate.member.slug == member)
        )
    if not exists:
        await orgs.create_mandate(
            org,
            body,
            MandateIn(
                person_email=email,
                member=member,
                role=MandateRole(role),
                office=Office(office),
                acting_office=Office(acting) if acting else None,
            ),
        )


async def _staff(org: dict[str, Any], person: dict[str, Any], office: str | None = None) -> None:
    async with reading():
        exists = await Staff.exists().where((Staff.organisation == org["id"]) & (Staff.person == person["id"]))
    if not exists:
        await orgs.add_staff(org, person["email"])
    if office is not None:  # e.g. the Secretary General, who signs the minutes
        await Staff.update({Staff.office: office}).where(
            (Staff.organisation == org["id"]) & (Staff.person == person["id"])
        )


def _local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2012, 11, day, hour, minute)


def _principal(org: dict[str, Any], person: dict[str, Any]) -> Principal:
    """The secretary acting through the services, as the pages would."""
    return Principal(
        person_id=person["id"],
        email=person["email"],
        full_name=person["full_name"],
        is_admin=False,
        language="en",
        session_handle="",
        staff_of=frozenset({org["id"]}),
    )


async def _agenda(org: dict[str, Any], secretary: dict[str, Any], slug: str, items: list[tuple]) -> None:
    from governance.agenda import services as agenda
    from governance.agenda.schemas import ItemIn

    principal = _principal(org, secretary)
    context = await meetings.meeting_context(slug, principal)
    if await agenda.list_items(context):
        return
    for number, kind, decision_type, special, en, fr, es, rapporteur in items:
        await agenda.add_item(
            context,
            principal,
            ItemIn(
                number=number,
                kind=kind,
                decision_type=decision_type,
                special=special,
                title_en=en,
                title_fr=fr,
                title_es=es,
                rapporteur=rapporteur,
            ),
        )


async def _meeting(org: dict[str, Any], secretary: dict[str, Any], values: dict[str, Any], convened_on: dt.date) -> str:
    async with reading():
        row = await Meeting.select(Meeting.slug, Meeting.status).where(Meeting.slug == values["slug"]).first()
    if row is None:
        row = await meetings.create_meeting(org, MeetingIn(**values))
        row["status"] = "draft"
    if row["status"] == "draft":
        context = await meetings.meeting_context(values["slug"], _principal(org, secretary))
        # History replayed: the convocation went out in October 2012.
        at = dt.datetime.combine(convened_on, dt.time(9, 0), tzinfo=dt.UTC)
        await meetings.transition(context, "convened", at=at, actor=secretary["id"])
    return values["slug"]


async def load(password: str | None = None) -> DemoReport:
    """Load (or complete) the demo in one transaction: all of it or nothing; then make sure
    each demo organisation has a signing key (a file under GOVERNANCE_KEY_DIR).

    New accounts get ``password`` (default: the published demo password). Accounts that
    exist keep theirs unless ``password`` is given explicitly. Refused in production."""
    refuse_in_production()
    # The demo's history is dated: the convocations of October 2012, then the agendas. (A
    # meeting convened at 09:00 gets its agenda items a few seconds later, in log order.)
    with clock.replaying(dt.datetime(2012, 10, 10, 9, 0, tzinfo=dt.UTC), step=dt.timedelta(seconds=1)):
        async with writing():
            report = await _load(password or DEFAULT_PASSWORD, reset=password is not None)
    from governance.record import keys

    for organisation in ("metropolis", "fmdv"):
        await keys.ensure(organisation)
    return report


async def _load(password: str, *, reset: bool) -> DemoReport:
    report = DemoReport(password=password)
    people = _People(password, report, reset=reset)

    # Metropolis --------------------------------------------------------------------
    metropolis = await _organisation(
        {
            "slug": "metropolis",
            "short_name": "Metropolis",
            "name_en": "Metropolis – World Association of the Major Metropolises",
            "name_fr": "Metropolis – Association mondiale des grandes métropoles",
            "name_es": "Metropolis – Asociación Mundial de las Grandes Metrópolis",
            "authoritative_language": "fr",
        }
    )
    board = await _body(
        metropolis,
        {
            "slug": "bod",
            "kind": "board",
            "name_en": "Board of Directors",
            "name_fr": "Conseil d'administration",
            "name_es": "Consejo de Administración",
            "decision_prefix": "BoD",
        },
    )
    network = await _body(
        metropolis,
        {
            "slug": "women-network",
            "kind": "network",
            "name_en": "Metropolis Women's International Network",
            "name_fr": "Réseau international des femmes de Metropolis",
            "name_es": "Red Internacional de Mujeres de Metropolis",
            "decision_prefix": "MWIN",
        },
    )
    await _rule_set(board, data.METROPOLIS_BOARD_RULES, data.METROPOLIS_BOARD_MAJORITIES)
    await _rule_set(network, data.WOMEN_NETWORK_RULES, {"ordinary": data.METROPOLIS_BOARD_MAJORITIES["ordinary"]})
    await _members(metropolis, data.METROPOLIS_MEMBERS, board)
    await _seats(metropolis, network, data.WOMEN_NETWORK_MEMBERS)

    secretary = await people.get(
        metropolis, "secretary@metropolis.demo", "Secretary General of Metropolis (demo)", "Metropolis secretariat"
    )
    await _staff(metropolis, secretary, "secretary_general")
    for slug, name, *_ in data.METROPOLIS_MEMBERS:
        person_name = data.NAMED_PEOPLE.get(slug, f"Representative of {name} (demo)")
        office = data.METROPOLIS_BOARD_OFFICES.get(slug, "member")
        email = f"{slug}@metropolis.demo"
        await people.get(metropolis, email, person_name, f"represents {name}")
        await _mandate(metropolis, board, email, slug, office)
        if slug in data.WOMEN_NETWORK_MEMBERS:
            office = "president" if slug == data.WOMEN_NETWORK_PRESIDENT else "member"
            await _mandate(metropolis, network, email, slug, office)
    # An observer (no vote) attends the Board for Guangzhou's international office.
    observer = await people.get(
        metropolis, "observer@metropolis.demo", "Observer for Guangzhou (demo)", "observer on the Board"
    )
    await _mandate(metropolis, board, observer["email"], "guangzhou", "observer", role="substitute")
    # The Secretary General is a staff office of the organisation (above), not a member's
    # seat: the minutes' signatories come from the staff office (meetings/offices.py), and the
    # secretariat's pages do not say that it represents a city.
    # Barcelona's substitute, who replaces its delegate only when the delegate is absent.
    substitute = await people.get(
        metropolis, "barcelona-substitute@metropolis.demo", "Substitute for Barcelona (demo)", "substitute on the Board"
    )
    await _mandate(metropolis, board, substitute["email"], "barcelona", "member", role="substitute")

    async with reading():
        event = await Event.select().where(Event.slug == EVENT_SLUG).first()
    if event is None:
        await meetings.create_event(
            metropolis,
            EventIn(
                slug=EVENT_SLUG,
                name_en="Metropolis Annual Meeting, Guangzhou 2012",
                name_fr="Réunion annuelle de Metropolis, Canton 2012",
                name_es="Reunión anual de Metropolis, Cantón 2012",
                city="Guangzhou",
                country="China",
                starts_on=dt.date(2012, 11, 14),
                ends_on=dt.date(2012, 11, 17),
                time_zone=TIME_ZONE,
            ),
        )
    venue = "Baiyun International Convention Center, Guangzhou (demo)"
    report.meetings.append(
        await _meeting(
            metropolis,
            secretary,
            {
                "slug": "metropolis-bod-2012",
                "body": "bod",
                "event": EVENT_SLUG,
                "title_en": "Metropolis Board of Directors, Guangzhou 2012",
                "title_fr": "Conseil d'administration de Metropolis, Canton 2012",
                "title_es": "Consejo de Administración de Metropolis, Cantón 2012",
                "venue": venue,
                "time_zone": TIME_ZONE,
                "starts_at": _local(16, 9, 30),
                "ends_at": _local(16, 13, 0),
                "secretary_email": secretary["email"],
                "self_check_in": True,
            },
            dt.date(2012, 10, 10),
        )
    )
    await _agenda(metropolis, secretary, "metropolis-bod-2012", data.METROPOLIS_BOARD_AGENDA)
    report.meetings.append(
        await _meeting(
            metropolis,
            secretary,
            {
                "slug": "mwin-2012",
                "body": "women-network",
                "event": EVENT_SLUG,
                "title_en": "Metropolis Women's International Network, internal meeting 2012",
                "title_fr": "Réseau international des femmes de Metropolis, réunion interne 2012",
                "title_es": "Red Internacional de Mujeres de Metropolis, reunión interna 2012",
                "venue": venue,
                "time_zone": TIME_ZONE,
                "starts_at": _local(15, 10, 0),
                "ends_at": _local(15, 12, 0),
                "secretary_email": secretary["email"],
            },
            dt.date(2012, 10, 25),
        )
    )

    # FMDV --------------------------------------------------------------------------
    fmdv = await _organisation(
        {
            "slug": "fmdv",
            "short_name": "FMDV",
            "name_en": "Global Fund for Cities Development",
            "name_fr": "Fonds mondial pour le développement des villes",
            "name_es": "Fondo Mundial para el Desarrollo de las Ciudades",
            "authoritative_language": "fr",
        }
    )
    fmdv_board = await _body(
        fmdv,
        {
            "slug": "bod",
            "kind": "board",
            "name_en": "FMDV Board of Directors",
            "name_fr": "Conseil d'administration du FMDV",
            "name_es": "Consejo de Administración del FMDV",
            "decision_prefix": "FMDV-BoD",
        },
    )
    await _rule_set(fmdv_board, data.FMDV_BOARD_RULES, data.FMDV_BOARD_MAJORITIES)
    await _members(fmdv, data.FMDV_MEMBERS, fmdv_board)
    fmdv_secretary = await people.get(
        fmdv, "secretary@fmdv.demo", "Secretary General of FMDV (demo)", "FMDV secretariat"
    )
    await _staff(fmdv, fmdv_secretary, "secretary_general")
    for slug, name, *_ in data.FMDV_MEMBERS:
        email = f"{slug}@fmdv.demo"
        await people.get(fmdv, email, f"Representative of {name} at FMDV (demo)", f"represents {name} (FMDV)")
        office = data.FMDV_BOARD_OFFICES.get(slug, "member")
        acting = "president" if slug == data.FMDV_ACTING_PRESIDENT else None
        await _mandate(fmdv, fmdv_board, email, slug, office, acting)
    report.meetings.append(
        await _meeting(
            fmdv,
            fmdv_secretary,
            {
                "slug": "fmdv-bod-2012",
                "body": "bod",
                "title_en": "FMDV Board of Directors, Guangzhou 2012",
                "title_fr": "Conseil d'administration du FMDV, Canton 2012",
                "title_es": "Consejo de Administración del FMDV, Cantón 2012",
                "venue": venue,
                "time_zone": TIME_ZONE,
                "starts_at": _local(15, 14, 30),
                "ends_at": _local(15, 17, 30),
                "secretary_email": fmdv_secretary["email"],
            },
            dt.date(2012, 10, 20),
        )
    )
    return report

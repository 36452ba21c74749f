"""The agenda and its motions: who may do what, in which order, and what follows.

Rules (DOMAIN 12 and the rule set's clauses): the secretariat prepares the agenda; the
chair (or the secretary, where the statutes allow) drives it in session; once adopted,
the agenda changes only after an adopted "amend the agenda" motion. Motions follow
``proposed -> seconded -> debate -> voting -> adopted | rejected`` (or are withdrawn,
postponed, referred); amendments are voted before their main motion, no deeper than the
statutes allow; nobody seconds their own motion. Adopted main and procedural motions
get the body's next decision number for the year (e.g. BoD-2012-07).
Every change is written to the meeting log in the same transaction.

The context is laid out like the polls:

* ``model``: typed state (``Item``, ``Motion``) and the closed enums of statuses, kinds and
  procedures, whose values are the stored strings;
* ``rules``: the pure decisions (the item and motion state machines, amendments, recusal,
  who drives), raising a ``Refusal`` that ``conduct.enforced`` answers as a domain error;
* ``store``: the only module that reads and writes the agenda's tables;
* the use cases: ``items`` (items, recusals), ``motions`` (motions and amendments),
  ``speakers``, ``documents``, ``question``, over ``conduct`` (who drives, the atomic change).

This module keeps the use cases' public names where the other contexts import them.
"""

from governance.agenda.conduct import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    Row,
    _require_driver,
    _require_session,
    _rules,
    _said,
    change,
    drives,
    member_of,
    now,
)
from governance.agenda.items import (
    add_item,
    close_item,
    declare_recusal,
    get_item,
    item_order,
    list_items,
    list_recusals,
    open_item,
)
from governance.agenda.motions import (
    MOTION_TRANSITIONS,
    get_motion,
    insert_first_texts,
    list_motions,
    move,
    outcome_refused,
    propose,
    second,
    settle,
    text_in,
)

__all__ = [
    "FINAL_STATUSES",
    "MOTION_TRANSITIONS",
    "OPEN_STATUSES",
    "Row",
    "_require_driver",
    "_require_session",
    "_rules",
    "_said",
    "add_item",
    "change",
    "close_item",
    "declare_recusal",
    "drives",
    "get_item",
    "get_motion",
    "insert_first_texts",
    "item_order",
    "list_items",
    "list_motions",
    "list_recusals",
    "member_of",
    "move",
    "now",
    "open_item",
    "outcome_refused",
    "propose",
    "second",
    "settle",
    "text_in",
]

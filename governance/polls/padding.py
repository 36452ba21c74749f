"""Responses that follow a choice weigh the same whatever the choice (DOMAIN.md rule 8).

Why: a Wi-Fi observer, or a reverse proxy's access log with response sizes, sees how many
bytes the tablet received. The confirmation page said "You are voting YES" (2,680 bytes),
"NO" (2,678) or "ABSTAIN" (2,688), and carried the choice in a hidden input: its size alone
read the vote.

How: by construction, not by luck. Every string of a response that depends on the choice
(the words of the choice, the hidden input's value) is measured as it goes on the wire:
HTML-escaped, then UTF-8 encoded (``width``: bytes, not characters; "ABSTENCIÓN" is 11
bytes). The widest value each can take over *every* choice the poll offers is computed from
the poll alone (``motion_target``, ``election_target``), and the response adds ASCII spaces
(``filler``) so that the choice-dependent strings plus the filler always total that target.
The body's length is then the same for every choice of that poll, in every language, and so
is the Content-Length header. Nothing else in these responses depends on the choice: the
receipt page and the JSON cast answer carry a receipt (fixed-length hashes and codes) and
never the choice; the change page shows the ballot again, the same for everyone.

Compressing these responses would undo this: gzip or brotli output sizes depend on the
content, so "OUI" and "ABSTENTION" padded to equal lengths would again compress to different
sizes. No compression exists today (the app sets no CompressionConfig; bench/suite.py only
estimates what gzip would save); whoever adds one, in the app or a reverse proxy, must exclude
these responses (``/meetings/*/polls/*`` and ``/api/v1/meetings/*/polls/*/ballots``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from markupsafe import escape

# What joins the names of several marked candidates on the confirmation page, and their ids
# in the hidden input (the services' canonical ballot content).
NAME_SEPARATOR = ", "
ID_SEPARATOR = ","


def width(text: object) -> int:
    """How many bytes ``text`` takes in an HTML page: escaped as Jinja escapes it, in UTF-8."""
    return len(str(escape(str(text))).encode("utf-8"))


def widest(texts: Iterable[object]) -> int:
    return max((width(t) for t in texts), default=0)


def widest_marks(texts: Iterable[object], seats: int, separator: str) -> int:
    """The widest join of at most ``seats`` of ``texts`` (each once) with ``separator``: the
    ``seats`` widest ones, since every added mark only makes the join longer."""
    sizes = sorted((width(t) for t in texts), reverse=True)[: max(seats, 0)]
    if not sizes:
        return 0
    return sum(sizes) + width(separator) * (len(sizes) - 1)


def motion_target(words: Mapping[str, object], options: Iterable[str]) -> int:
    """The widest (label, value) pair a motion's ballot can produce: ``words`` maps each option
    to its words in the reader's language."""
    options = list(options)
    return widest(words[o] for o in options) + widest(options)


def election_target(
    names: dict[int, str], seats: int, words: Mapping[str, object], unmarked: Iterable[str] = ("blank", "abstain")
) -> int:
    """The widest (label, value) pair an election ballot can produce: the ``seats`` longest
    names (label) and ids (value), or a blank / abstain ballot's words and value."""
    unmarked = list(unmarked)
    label = max(widest_marks(names.values(), seats, NAME_SEPARATOR), widest(words[u] for u in unmarked))
    value = max(widest_marks(names.keys(), seats, ID_SEPARATOR), widest(unmarked))
    return label + value


def filler(target: int, *used: object) -> str:
    """ASCII spaces that bring the choice-dependent strings ``used`` up to ``target`` bytes.

    Raises if they are already wider: the target was not the widest after all, and padding
    would silently fail to hide the choice."""
    missing = target - sum(width(u) for u in used)
    if missing < 0:
        raise ValueError("a choice-dependent string is wider than the padding target")
    return " " * missing

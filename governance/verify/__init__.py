"""The independent verifier of an exported meeting record (docs/record-format.md, section 8).

It imports only the standard library and ``cryptography``, never the rest of governance,
so an auditor can read it on its own:

* ``canonical``: canonical JSON (§1);
* ``merkle``: the RFC 9162 Merkle tree hash (§5);
* ``note``: signed notes, checkpoints and receipt codes (§5, §6);
* ``rules``: majorities, ties and election rounds, recomputed with exact fractions;
* ``checks``: the checks of §8, in order, stopping at the first failure (``Broken``, from
  ``broken``), one module per step:

  - ``bundle``: 1 the manifest's signature, 2 the files and the record's members, motions, keys;
  - ``chain``: 3 the log, hash-chained from height 1;
  - ``polls``: 4 each poll's frozen rules, electorate, ballots, Merkle tree and result;
  - ``decisions``: 4 continued, every adopted or rejected motion decided by a vote on it;
  - ``checkpoints``: 5 the signed checkpoints, 6 a receipt, 7 an earlier checkpoint (--since);
  - ``offices`` and ``minutes``: 8 the minutes, signed by the offices the record names;

* ``cases``: decision cases (--rules FILE.json) decided by ``rules``;
* ``cli``: the command line, ``main(argv) -> exit status``.
"""

from governance.verify.cli import main

__all__ = ["main"]

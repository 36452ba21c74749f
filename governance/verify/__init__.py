"""The independent verifier of an exported meeting record (docs/record-format.md, section 8).

It imports only the standard library and ``cryptography``, never the rest of governance,
so an auditor can read it on its own:

* ``canonical``: canonical JSON (§1);
* ``merkle``: the RFC 9162 Merkle tree hash (§5);
* ``note``: signed notes, checkpoints and receipt codes (§5, §6);
* ``rules``: majorities, ties and election rounds, recomputed with exact fractions;
* ``checks``: the checks of §8, in order, stopping at the first failure;
* ``cli``: the command line, ``main(argv) -> exit status``.
"""

from governance.verify.cli import main

__all__ = ["main"]

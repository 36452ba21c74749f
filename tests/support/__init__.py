"""Helpers shared by test modules: what several tests need to set a scene or read a result.

Test modules import from here (or take a fixture from ``tests/conftest.py``), never from one
another. ``database`` and ``client`` import nothing from ``governance``: ``conftest.py`` reads
them before it fixes the environment the settings are read from.

- ``database``: which engine the run uses, the PostgreSQL test database, the demo password.
- ``client``: the in-process HTTP client (cookies, CSRF, sign-in).
- ``polls``: the demo Board meeting played through the API up to a poll and its ballots.
- ``record``: running the verifier on an exported bundle, forging one as an insider would.
- ``record_builder``: record bundles built from scratch, without a server.
- ``live_server``: ``governance serve`` in a subprocess, and an SSE stream reader.
"""

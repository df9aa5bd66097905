"""`make reliability`: campaigns whose figures are a promise (issue 13, RELIABILITY.md).

Each campaign module has ``run(workdir, scale, seed) -> Figures``; every figure is counted by an
observer that does not trust the gateway's own bookkeeping (the back-office simulator, the
register simulator's archive, the printer simulator, a direct read of the database).
``python -m tests.reliability [campaign ...]`` runs them; a short version of each runs in
``make test`` (tests/integration/test_reliability_*.py)."""

"""Bad catalog files for `storegw catalog import` (gateway/catalog_cli.py): a valid catalog file
(bare data or a whole catalog.upsert envelope) mutated one place at a time, cut short, or junk
bytes. In process through `import_catalog_file` in the writer's transaction, as the command
runs it, and a slice through the real command in a subprocess. A file refused as a whole
changes no business table; a file whose products were all refused changes none either; every
import leaves check_invariants clean; nothing but a CliError / DomainError comes out (the
command would say "unexpected" for anything else)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st

from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.invariants import check_invariants
from gateway.catalog_cli import import_catalog_file
from gateway.cli_errors import CliError
from gateway.domain.errors import DomainError
from tests import builders
from tests.reliability.bad_input_junk import business_tables, digest, each_example, mutated, to_json

STOREGW = Path(sys.executable).parent / "storegw"
ROOT = Path(__file__).resolve().parents[2]
PRODUCTS = [
    builders.simple_product("A", 12000),
    builders.product(
        "P-SHOE",
        [
            builders.variant(
                "SH-40", 500000, [{"code": "4600000000008", "kind": "ean13"}], size="40"
            ),
            builders.variant("SH-41", 500000, size="41"),
        ],
    ),
]


def catalog_document(full: bool) -> dict:
    return builders.catalog(*PRODUCTS, full=full)


@st.composite
def catalog_files(draw) -> bytes:
    document = catalog_document(draw(st.booleans()))
    if draw(st.booleans()):
        document = {"v": 1, "id": "file-1", "type": "catalog.upsert", "data": document}
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "cut", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "cut":
        whole = to_json(document)
        return whole[: draw(st.integers(0, len(whole) - 1))]
    return to_json(draw(mutated(document)))


@dataclass
class CatalogOutcome:
    cases: int = 0
    cli_cases: int = 0
    refused_files: int = 0
    applied_files: int = 0
    crashes: list[str] = field(default_factory=list)
    half_applied: list[str] = field(default_factory=list)
    broken_invariants: list[str] = field(default_factory=list)


class CatalogChecker:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.database = Database(workdir / "catalog.db")
        self.database.run(import_catalog_file, self._write(to_json(catalog_document(False))))
        self.reader = self.database.reader()
        self.tables = business_tables(self.reader)
        self.result = CatalogOutcome()

    def _write(self, content: bytes) -> Path:
        path = self.workdir / "catalog.json"
        path.write_bytes(content)
        return path

    def check(self, content: bytes) -> None:
        self.result.cases += 1
        path = self._write(content)
        before = digest(self.reader, self.tables)
        try:
            answer = self.database.run(import_catalog_file, path)
        except (CliError, DomainError):
            self.result.refused_files += 1
            if digest(self.reader, self.tables) != before:
                self.result.half_applied.append(f"refused, yet changed: {content[:300]!r}")
            return
        except Exception as exc:  # noqa: BLE001 -- the command would call it unexpected
            self.result.crashes.append(f"{content[:300]!r}: {exc!r}")
            return
        self.result.applied_files += 1
        nothing = not answer["applied"] and not answer["archived"]
        if nothing and digest(self.reader, self.tables) != before:
            self.result.half_applied.append(f"nothing applied, yet changed: {content[:300]!r}")
        if problems := check_invariants(self.reader):
            self.result.broken_invariants.append(f"{content[:300]!r}: {problems[:3]}")

    def command(self, content: bytes) -> None:
        """The real `storegw catalog import` on its own database: no 'unexpected' error."""
        self.result.cli_cases += 1
        path = self._write(content)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("STOREGW_DEBUG", None)
        done = subprocess.run(
            [str(STOREGW), "catalog", "import", str(path), "--db", str(self.workdir / "cli.db")],
            cwd=ROOT, capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip
        if (
            done.returncode not in (0, 1, 2)
            or "unexpected" in done.stderr
            or "Traceback" in done.stderr
        ):
            self.result.crashes.append(
                f"storegw catalog import {content[:200]!r}: {done.stderr[-300:]}"
            )

    def close(self) -> None:
        self.reader.close()
        self.database.close()


def run_catalog(workdir: Path, cases: int, cli_cases: int, seed: int) -> CatalogOutcome:
    # In memory when the machine has a tmpfs: the campaign is about parsing, not fsync.
    memory = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=memory if memory.is_dir() else workdir) as place:
        checker = CatalogChecker(Path(place))
        try:
            each_example(catalog_files(), cases, seed, checker.check)
            each_example(catalog_files(), cli_cases, seed + 1, checker.command, batch=1)
        finally:
            checker.close()
        database = Database(Path(place) / "cli.db")
        with closing(database.reader()) as conn:
            if problems := check_invariants(conn):
                checker.result.broken_invariants.append(f"after the commands: {problems[:3]}")
        database.close()
    return checker.result

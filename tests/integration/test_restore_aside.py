"""The database a restore replaces is kept under a name no other file has: two restores within
one second keep two databases, and a file already named `gateway.db.before-restore-<now>` is
never overwritten."""

import re
from datetime import UTC, datetime, timedelta

from tests.backup_shop import count, make_shop, storegw


def kept(out: str) -> str:
    return re.search(r"kept as (\S+)", out).group(1)


def test_restores_in_the_same_second_never_overwrite_a_kept_database(tmp_path, capsys):
    config = make_shop(tmp_path / "shop", orders=3)
    db = tmp_path / "shop" / "gateway.db"
    backup = tmp_path / "one-order.db"
    make_shop(tmp_path / "older", orders=1)
    assert (
        storegw(capsys, "backup", backup, "--config", tmp_path / "older" / "gateway.toml")[0] == 0
    )
    # Whatever second the restores below fall in, its name is taken already.
    now = datetime.now(UTC)
    decoys = {}
    for second in range(-1, 30):
        stamp = (now + timedelta(seconds=second)).strftime("%Y%m%d-%H%M%S")
        decoy = db.with_name(f"gateway.db.before-restore-{stamp}")
        decoy.write_text(f"someone's file {second}")
        decoys[decoy] = decoy.read_text()

    first = storegw(capsys, "restore", backup, "--config", config)
    second = storegw(capsys, "restore", backup, "--config", config)

    assert first[0] == 0 and second[0] == 0, first[2] + second[2]
    kept_first, kept_second = kept(first[1]), kept(second[1])
    assert kept_first != kept_second and kept_first not in map(str, decoys)
    assert count(kept_first, "customer_order") == 3  # the database before the first restore
    assert count(kept_second, "customer_order") == 1
    assert {path: path.read_text() for path in decoys} == decoys
    assert count(db, "customer_order") == 1

"""Receipt jobs, shifts and cash moves in SQLite."""

import json
import sqlite3

from gateway.domain.fiscal import (
    DONE,
    FAILED,
    QUEUED,
    SELL_REFUND,
    SENDING,
    Fiscalised,
    ReceiptDraft,
    ReceiptJob,
)
from gateway.domain.staff import Staff

from .actors import actor_columns
from .fiscal_archive_repo import FiscalArchiveQueries
from .schema_shift import PAID_ON_THE_SITE

_JOB_COLUMNS = (
    "id, draft_json, state, order_id, shipment_id, refund_of, attempts, saved_fd, error, change,"
    " saved_fn, staff_id, fn, fd, fp, shift, number, fiscal_ts"
)


def _job(row) -> ReceiptJob:
    fiscal = Fiscalised(*row[12:]) if row[13] is not None else None
    return ReceiptJob(
        id=row[0],
        draft=ReceiptDraft.from_json(json.loads(row[1])),
        state=row[2],
        order_id=row[3],
        shipment_id=row[4],
        refund_of=row[5],
        attempts=row[6],
        saved_fd=row[7],
        error=row[8],
        change=row[9],
        saved_fn=row[10],
        staff_id=row[11],
        fiscal=fiscal,
    )


def state_count_sql(state: str) -> str:
    # The state written into the query: SQLite picks a partial index by a literal only.
    return f"SELECT count(*) FROM receipt_job WHERE state = '{state}'"


class FiscalRepo(FiscalArchiveQueries):
    def __init__(self, conn: sqlite3.Connection, now: str):
        self.conn = conn
        self.now = now

    # --- receipt jobs ----------------------------------------------------------------------------
    def add_job(
        self,
        draft: ReceiptDraft,
        *,
        order_id: str | None = None,
        shipment_id: str | None = None,
        refund_of: int | None = None,
        by: Staff | None = None,
    ) -> int:
        row = self.conn.execute(
            "INSERT INTO receipt_job(kind, order_id, shipment_id, refund_of, draft_json, total,"
            " cash, card, state, created_by, staff_id, created_at, updated_at, discount,"
            " receipt_kind, prepaid, payment_id)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
            (
                draft.operation,  # the column is what the register does (m012)
                order_id,
                shipment_id,
                refund_of,
                json.dumps(draft.to_json(), ensure_ascii=False),
                draft.total,
                draft.payments.cash,
                draft.payments.card,
                QUEUED,
                *actor_columns(by),
                self.now,
                self.now,
                draft.discount,
                draft.kind,
                draft.payments.prepaid,
                draft.payment_id,
            ),
        ).fetchone()
        return row[0]

    def job(self, job_id: int) -> ReceiptJob | None:
        row = self.conn.execute(
            f"SELECT {_JOB_COLUMNS} FROM receipt_job WHERE id = ?", (job_id,)
        ).fetchone()
        return _job(row) if row else None

    def newest_queued_id(self) -> int:
        """The newest job waiting to be printed (0: none)."""
        row = self.conn.execute("SELECT max(id) FROM receipt_job WHERE state = 'queued'").fetchone()
        return row[0] or 0

    def next_job(self) -> ReceiptJob | None:
        """A job whose fate is unknown comes first (it is reconciled before anything is sent),
        then the oldest queued one."""
        row = self.conn.execute(
            f"SELECT {_JOB_COLUMNS} FROM receipt_job WHERE state IN ('sending', 'queued')"
            " ORDER BY state = 'queued', id LIMIT 1"
        ).fetchone()
        return _job(row) if row else None

    def set_state(
        self, job_id: int, state: str, *, error: str | None = None, reset_attempts: bool = False
    ) -> None:
        self.conn.execute(
            "UPDATE receipt_job SET state = ?, error = ?, updated_at = ?,"
            " attempts = CASE WHEN ? THEN 0 ELSE attempts END WHERE id = ?",
            (state, error, self.now, reset_attempts, job_id),
        )

    def set_sending(self, job_id: int, saved_fd: int, saved_fn: str | None) -> None:
        self.conn.execute(
            "UPDATE receipt_job SET state = ?, saved_fd = ?, saved_fn = ?,"
            " attempts = attempts + 1, updated_at = ? WHERE id = ?",
            (SENDING, saved_fd, saved_fn, self.now, job_id),
        )

    def set_done(self, job_id: int, fiscal: Fiscalised, change: int) -> None:
        self.conn.execute(
            "UPDATE receipt_job SET state = ?, error = NULL, fn = ?, fd = ?, fp = ?, shift = ?,"
            " number = ?, fiscal_ts = ?, change = ?, updated_at = ? WHERE id = ?",
            (
                DONE,
                fiscal.fn,
                fiscal.fd,
                fiscal.fp,
                fiscal.shift,
                fiscal.number,
                fiscal.ts,
                change,
                self.now,
                job_id,
            ),
        )

    def refunded_counts(self, job_id: int) -> dict[tuple[str, str | None, int], int]:
        """(sku, marking code, price) -> pieces already refunded from this receipt."""
        counts: dict[tuple[str, str | None, int], int] = {}
        for (draft_json,) in self.conn.execute(
            "SELECT draft_json FROM receipt_job WHERE refund_of = ? AND kind = ?",
            (job_id, SELL_REFUND),
        ):
            for item in json.loads(draft_json)["items"]:
                key = (item["sku"], item.get("marking_code"), item["price"])
                counts[key] = counts.get(key, 0) + item["qty"]
        return counts

    def forget_reprint(self, idem_key: str) -> None:
        """A receipt copy the register did not print: its key may be tried again."""
        self.conn.execute(
            "DELETE FROM command_log WHERE idem_key = ? AND action = 'receipt_reprint'",
            (idem_key,),
        )

    def refunded_card(self, job_id: int) -> int:
        row = self.conn.execute(
            "SELECT coalesce(sum(card), 0) FROM receipt_job WHERE refund_of = ?", (job_id,)
        ).fetchone()
        return row[0]

    def counts_by_state(self) -> dict[str, int]:
        """Each state from a partial index of its own, not a scan of every receipt printed
        (every page's status asks). Literal states: SQLite picks a partial index by them."""
        counts = dict(
            self.conn.execute(
                f"SELECT state, count(*) FROM receipt_job WHERE state IN ('{QUEUED}', '{SENDING}')"
                " GROUP BY state"
            )
        )
        for state in (DONE, FAILED):
            counts[state] = self.count_in(state)
        return {state: count for state, count in counts.items() if count}  # those there are

    def count_in(self, state: str) -> int:
        """The receipts in one state; by its partial index for `done` and `failed` (m022)."""
        return self.conn.execute(state_count_sql(state)).fetchone()[0]

    # --- shifts and cash ---------------------------------------------------------------------
    # A shift is (the fiscal drive's serial, its number): a replaced drive starts again at 1.
    # `fn` None names the latest shift with that number (the current drive's); a shift whose
    # drive is '' (recorded before its drive was known) stands for its number on any drive.
    _SHIFT_ID = (
        "(SELECT id FROM fiscal_shift WHERE number = ? AND (? IS NULL OR fn IN (?, ''))"
        " ORDER BY fn = '', id DESC LIMIT 1)"
    )

    def open_shift(self) -> int | None:
        key = self.open_shift_key()
        return key[1] if key else None

    def open_shift_key(self) -> tuple[str, int] | None:
        """(fn, number) of the open shift; at most one is open (a drive is replaced closed)."""
        row = self.conn.execute(
            "SELECT fn, number FROM fiscal_shift WHERE closed_at IS NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return (row[0], row[1]) if row else None

    def current_fn(self) -> str:
        """The drive the books last saw: of the latest shift, else of the latest receipt."""
        row = self.conn.execute(
            "SELECT coalesce((SELECT fn FROM fiscal_shift ORDER BY id DESC LIMIT 1),"
            " (SELECT fn FROM receipt_job WHERE fn IS NOT NULL ORDER BY id DESC LIMIT 1), '')"
        ).fetchone()
        return row[0]

    def shift_row(self, number: int, fn: str | None = None) -> dict | None:
        row = self.conn.execute(
            "SELECT number, opened_by, opened_at, open_fd, closed_by, closed_at, close_fd,"
            " cash_counted, totals_json, fn FROM fiscal_shift"
            f" WHERE id = {self._SHIFT_ID}",
            (number, fn, fn),
        ).fetchone()
        if row is None:
            return None
        keys = ("number", "opened_by", "opened_at", "open_fd", "closed_by", "closed_at")
        return {**dict(zip(keys, row[:6], strict=True)), "close_fd": row[6], "fn": row[9]} | (
            {"totals": json.loads(row[8]), "cash_counted": row[7]} if row[8] else {}
        )

    def add_shift(self, number: int, fn: str, by: Staff | None, fd: int | None) -> None:
        self.conn.execute(
            "INSERT INTO fiscal_shift(fn, number, opened_by, opened_by_id, opened_at, open_fd)"
            " VALUES (?,?,?,?,?,?)",
            (fn, number, *actor_columns(by), self.now, fd),
        )

    def close_shift(
        self,
        number: int,
        fn: str,
        by: Staff | None,
        fd: int | None,
        totals: dict,
        *,
        counted: int | None = None,
    ) -> None:
        """`counted`: the cash a person counted at the close (None: nobody did); what the books
        expected is the totals' cash_in_drawer, kept beside it for the summary (m010)."""
        self.conn.execute(
            "UPDATE fiscal_shift SET closed_by = ?, closed_by_id = ?, closed_at = ?, close_fd = ?,"
            " totals_json = ?, cash_expected = ?, cash_counted = ? WHERE number = ? AND fn = ?",
            (
                *actor_columns(by),
                self.now,
                fd,
                json.dumps(totals),
                totals["cash_in_drawer"],
                counted,
                number,
                fn,
            ),
        )

    def adopt_drive(self, number: int, fn: str) -> None:
        """A shift recorded before its drive was known (fn '') learns it."""
        self.conn.execute(
            "UPDATE fiscal_shift SET fn = ? WHERE number = ? AND fn = ''", (fn, number)
        )

    def add_cash_move(
        self, kind: str, amount: int, register_doc: int | None, by: Staff | None
    ) -> None:
        """Into the open shift (the caller checked there is one)."""
        self.conn.execute(
            "INSERT INTO cash_move(shift_id, kind, amount, register_doc, actor, staff_id,"
            " created_at) SELECT id, ?, ?, ?, ?, ?, ? FROM fiscal_shift WHERE closed_at IS NULL"
            " ORDER BY id DESC LIMIT 1",
            (kind, amount, register_doc, *actor_columns(by), self.now),
        )

    def shift_receipts(self, shift: int, fn: str | None = None) -> list[tuple]:
        """(operation, total, cash, card, prepaid, change, site: paid on the site) each."""
        return self.conn.execute(
            f"SELECT kind, total, cash, card, prepaid, change, {PAID_ON_THE_SITE}"
            " FROM receipt_job WHERE state = 'done' AND shift = ?"
            f" AND coalesce((SELECT fn FROM fiscal_shift WHERE id = {self._SHIFT_ID}), ?, fn)"
            " IN (fn, '')",
            (shift, shift, fn, fn, fn),
        ).fetchall()

    def shift_cash_moves(self, shift: int, fn: str | None = None) -> dict[str, int]:
        return dict(
            self.conn.execute(
                "SELECT kind, sum(amount) FROM cash_move"
                f" WHERE shift_id = {self._SHIFT_ID} GROUP BY kind",
                (shift, fn, fn),
            )
        )


# --- the refund screens' reads (Смена, Заказ) ---------------------------------------------------

_RECEIPT_ROW = (
    "SELECT r.id AS receipt_id, r.kind, r.receipt_kind, r.state, r.order_id, r.shipment_id,"
    " r.refund_of, r.total, r.cash, r.card, r.prepaid, r.change, r.fd, r.fp, r.shift, r.error,"
    " r.created_by, r.created_at,"
    " (SELECT coalesce(sum(b.total), 0) FROM receipt_job b"
    "  WHERE b.refund_of = r.id AND b.kind = 'sell_refund') AS refunded,"
    " (SELECT group_concat(b.id) FROM receipt_job b WHERE b.refund_of = r.id) AS refund_ids,"
    " EXISTS (SELECT 1 FROM receipt_job b WHERE b.refund_of = r.id"
    "  AND b.receipt_kind = 'correction') AS corrected,"
    # How the buyer paid on the site (a prepayment, or its refund): the list says «СБП».
    " (SELECT p.method FROM order_payment p"
    "  WHERE p.receipt_id IN (r.id, r.refund_of)) AS payment_method"
    " FROM receipt_job r"
)


def refund_where(kind: str, receipt_kind: str | None, state: str, left: int) -> str | None:
    """Where a receipt's money can go back: "here" (a refund receipt at this register), "site"
    (paid on the site: refunded there, the cloud sends order.refunded), "done" (all went back),
    None (nothing to refund: a refund, a correction, not printed yet)."""
    if receipt_kind == "prepayment":
        return "site"
    if kind != "sell" or receipt_kind not in (None, "sell") or state != DONE:
        return None
    return "here" if left > 0 else "done"


def _receipt_row(row) -> dict:
    found = dict(row)
    found["refund_ids"] = [int(x) for x in (found["refund_ids"] or "").split(",") if x]
    found["corrected"] = bool(found["corrected"])  # reversed by a correction receipt
    found["refund_left"] = max(0, found["total"] - found["refunded"])
    found["refund"] = refund_where(
        found["kind"], found["receipt_kind"], found["state"], found["refund_left"]
    )
    return found


def receipt_page(
    conn: sqlite3.Connection,
    *,
    before: int | None = None,
    number: int | None = None,
    limit: int = 15,
) -> dict:
    """Newest first, `limit` receipts older than `before` (a receipt id); `number`: the receipt
    with that number (or fiscal document number). `more`: older receipts exist."""
    if number is not None:
        rows = conn.execute(
            f"{_RECEIPT_ROW} WHERE r.id = ? OR r.fd = ? ORDER BY r.id DESC LIMIT ?",
            (number, number, limit),
        ).fetchall()
        return {"receipts": [_receipt_row(r) for r in rows], "more": False}
    where, args = ("WHERE r.id < ?", (before,)) if before is not None else ("", ())
    rows = conn.execute(
        f"{_RECEIPT_ROW} {where} ORDER BY r.id DESC LIMIT ?", (*args, limit + 1)
    ).fetchall()
    return {"receipts": [_receipt_row(r) for r in rows[:limit]], "more": len(rows) > limit}


def refund_view(conn: sqlite3.Connection, receipt_id: int) -> dict | None:
    """One receipt as the refund dialog shows it: each line sold, already refunded and left
    (the same count the refund itself enforces), a marked line's codes left and refunded (a
    partial refund names its pieces by their codes), and where its money can go back."""
    found = conn.execute(f"{_RECEIPT_ROW} WHERE r.id = ?", (receipt_id,)).fetchone()
    if found is None:
        return None
    row = _receipt_row(found)
    job = FiscalRepo(conn, "").job(receipt_id)
    refunded = dict(FiscalRepo(conn, "").refunded_counts(receipt_id))
    lines: dict[tuple[str, int], dict] = {}
    for item in job.draft.items:
        line = lines.setdefault(
            (item.sku, item.price),
            {
                "sku": item.sku,
                "name": item.name,
                "price": item.price,
                "sold": 0,
                "refunded": 0,
                "marked": False,
            },
        )
        line["sold"] += item.qty
        line["marked"] = line["marked"] or item.marking_code is not None
        key = (item.sku, item.marking_code, item.price)
        back = min(item.qty, refunded.get(key, 0))
        refunded[key] = refunded.get(key, 0) - back
        line["refunded"] += back
        if item.marking_code is not None:  # the dialog matches a scanned code to its piece
            codes = line.setdefault("codes", {"left": [], "refunded": []})
            codes["left" if back < item.qty else "refunded"].append(item.marking_code)
    for line in lines.values():
        line["left"] = line["sold"] - line["refunded"]
    row["lines"] = list(lines.values())
    row["contact"] = job.draft.contact
    return row

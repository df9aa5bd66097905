"""Helpers of the tests that the staff screens fit a tablet (and a phone): `Shop`, what the
`fit_shop` fixture (tests/browser.py) yields -- a gateway with no devices, its `receipt` records
receipts as the fiscal worker records them (through the fiscal services, no register); for a
tab, `tab` (a fresh context at a viewport, its page's script errors collected),
`no_sideways_scroll`, and `clipped` (what is cut off by the screen, by an element that clips it,
or by its card)."""

from __future__ import annotations

from datetime import date

from gateway.adapters.fiscal.receipt_mapping import receipt_cashier
from gateway.domain.fiscal import (
    PREPAYMENT,
    PREPAYMENT_REFUND,
    Fiscalised,
    Payments,
    ReceiptDraft,
    ReceiptItem,
)
from gateway.domain.staff import CLOUD, MANAGER
from gateway.services import fiscal as fiscal_service
from tests.signin import CASHIER_PIN, MANAGER_PIN, sign_in_on_page

PORTRAIT = {"width": 768, "height": 1024}
LANDSCAPE = {"width": 1024, "height": 768}
FN = "7380440700000001"
DAY = date(2026, 3, 4)  # a Wednesday: this week has three days, so has the week before
PRODUCTS = ("Футболка модель 1", "Платье модель 16", "Джинсы модель 11", "Куртка модель 12")


class Shop:
    def __init__(self, url, gateway, manager, cashier, shots):
        self.url, self.gateway, self.manager, self.cashier = url, gateway, manager, cashier
        self.shots = shots
        self.fd = 0

    def sign_in(self, page, who, path: str) -> None:
        pin = MANAGER_PIN if who.role == MANAGER else CASHIER_PIN
        sign_in_on_page(page, self.url, who.name, pin, path)

    def screenshot(self, page, name: str, full: bool = True):
        path = self.shots / f"{name}.png"
        page.screenshot(path=str(path), full_page=full)
        return path

    # --- receipts, as the fiscal worker records them ----------------------------------------
    def receipt(self, day: date, kind: str, amount: int, *, by=None, card=True, refund_of=None):
        """A receipt of `amount` kopecks signed on `day`: by a person at the counter (`by`), or
        made by the cloud for a payment on the site (`by=None`: no cashier, as the site's)."""
        method = "full_prepayment" if kind in (PREPAYMENT, PREPAYMENT_REFUND) else "full_payment"
        line = ReceiptItem("TS-1", PRODUCTS[0], amount, 1, "vat22", method=method)
        payments = Payments(card=amount) if card else Payments(cash=amount)
        if by is None:
            draft = ReceiptDraft(kind, (line,), payments, "buyer@example.ru", electronic=True,
                                 internet=True, payment_id=f"pay-{self.fd + 1}")  # fmt: skip
        else:
            draft = ReceiptDraft(kind, (line,), payments, cashier=by.name)

        def queue(uow) -> int:
            return uow.fiscal.add_job(draft, refund_of=refund_of, by=by or CLOUD)

        job_id = self.gateway.run(queue)
        if self.fd == 0:  # the day's first receipt opens the shift for its cashier
            job = self.gateway.read(lambda conn: _job(conn, job_id))
            opener = receipt_cashier(job)
            self.gateway.run(fiscal_service.shift_opened, 1, fn=FN, by=opener, fd=None, fp=None)
        self.fd += 1
        fd = self.fd
        self.gateway.run(fiscal_service.receipt_sending, job_id, fd - 1, FN)
        stamp = f"{day.isoformat()}T{9 + fd % 10:02d}:{fd % 60:02d}:00"
        signed = Fiscalised(FN, fd, 1000 + fd, 1, fd, stamp)
        self.gateway.run(fiscal_service.receipt_fiscalised, job_id, signed, 0)
        return job_id


def _job(conn, job_id):
    from gateway.adapters.sqlite.fiscal_repo import FiscalRepo

    return FiscalRepo(conn, "").job(job_id)


def tab(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def no_sideways_scroll(page) -> None:
    sizes = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert sizes["scroll"] <= sizes["inner"], f"the page scrolls sideways: {sizes}"


# Every element that is cut: wider than an ancestor that clips it (overflow other than visible),
# or past the viewport's right edge.
CLIPPED = """(selector) => {
  const name = (el) => `${el.tagName}.${el.className} «${el.textContent.trim().slice(0, 30)}»`;
  const cut = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.offsetParent) continue;
    const box = el.getBoundingClientRect();
    if (box.right > window.innerWidth + 0.5 || box.left < -0.5) {
      cut.push(`${name(el)} past the screen`);
      continue;
    }
    for (let up = el.parentElement; up; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX === "visible" && style.overflow === "visible") continue;
      const outer = up.getBoundingClientRect();
      if (box.right > outer.right + 0.5 || box.left < outer.left - 0.5) {
        cut.push(`${name(el)} clipped by ${up.tagName}.${up.className}`);
        break;
      }
    }
  }
  return cut;
}"""

# An element sticking out of its card (a <section>) on the right or the left.
OUTSIDE_CARD = """(selector) => {
  const name = (el) => `${el.tagName}.${el.className} «${el.textContent.trim().slice(0, 30)}»`;
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.offsetParent) continue;
    const card = el.closest("section");
    if (!card) continue;
    const box = el.getBoundingClientRect(), outer = card.getBoundingClientRect();
    if (box.right > outer.right + 0.5 || box.left < outer.left - 0.5) {
      out.push(`${name(el)} outside #${card.id}`);
    }
  }
  return out;
}"""


def clipped(page, selector: str) -> list[str]:
    return page.evaluate(CLIPPED, selector) + page.evaluate(OUTSIDE_CARD, selector)

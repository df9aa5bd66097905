"""Training mode in the browser: the banner is the first thing on the PIN pad and on every
screen, and it stays on top when the tablet locks. Screenshots are saved to look at."""

from tests.integration.test_training import CASHIER_PIN, training_shop  # noqa: F401 (fixture)
from tests.signin import sign_in_on_page

BANNER = "Учебный режим: чеки не настоящие, в облако ничего не уходит"


def test_the_banner_is_on_every_screen_and_above_the_lock_screen(training_shop, page, tmp_path):  # noqa: F811
    shop = training_shop
    shop.start()
    page.goto(f"{shop.url}/signin")
    banner = page.locator("#training-banner")
    assert banner.inner_text().strip().endswith(BANNER)
    page.screenshot(path=str(tmp_path / "training-signin.png"))
    sign_in_on_page(page, shop.url, "Анна", CASHIER_PIN, "/sale")
    for path in ("/sale", "/orders", "/stock", "/devices"):
        page.goto(f"{shop.url}{path}")
        assert banner.is_visible() and banner.bounding_box()["y"] == 0, path
    page.goto(f"{shop.url}/sale")
    page.screenshot(path=str(tmp_path / "training-sale.png"))
    page.locator("#switch").click()  # «Сменить кассира»: the lock screen covers the page
    page.locator("#lock-screen").wait_for(state="visible")
    assert banner.is_visible()
    top = page.evaluate("() => { const b = document.getElementById('training-banner')"
                        ".getBoundingClientRect(); return document.elementFromPoint(b.x + b.width"
                        " / 2, b.y + b.height / 2).id }")  # fmt: skip
    assert top == "training-banner"  # drawn above the lock screen, not hidden under it
    page.screenshot(path=str(tmp_path / "training-locked.png"))

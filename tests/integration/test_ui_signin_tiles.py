"""«Кто вы?» with a long one-word name, in Debian's chromium (QA: a 40-letter name with no spaces,
which the staff form accepts, spilled over the next person's tile, and a tap on «Анна» picked the
long-name account): every tile holds its own name, no tile lies over another, and a tap on the
middle of a tile picks the person it shows — on a tablet and on a phone."""

import pytest

from gateway.domain.staff import CASHIER, MAX_NAME
from tests.signin import add_person

LONG = ("Абдурахмангаджимагомедовнаиванова" * 2)[:MAX_NAME]  # one word, the longest allowed
PHONE = {"width": 390, "height": 844}


def tiles(page) -> list[dict]:
    """Each tile's box, whether its text fits in it, and who a tap on its middle reaches."""
    return page.eval_on_selector_all(
        '[data-pad="signin"] .person',
        """(buttons) => buttons.map((b) => {
          const r = b.getBoundingClientRect();
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return { id: b.dataset.id, name: b.firstChild.textContent.trim(),
                   left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                   fits: b.scrollWidth <= b.clientWidth + 1 && b.scrollHeight <= b.clientHeight + 1,
                   hit: hit && hit.closest('.person') ? hit.closest('.person').dataset.id : null,
                   pad: b.closest('.pinpad').getBoundingClientRect().right };
        })""",
    )


def overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and (b["top"] < a["bottom"])
    )


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["tablet", "phone"])
def test_a_long_name_stays_in_its_tile_and_a_tap_picks_the_person_shown(live_shop, page, viewport):
    add_person(live_shop.gateway.run, LONG, CASHIER, "3333")
    if viewport:
        page.set_viewport_size(viewport)
    page.goto(f"{live_shop.url}/signin")
    shown = tiles(page)
    live_shop.screenshot(page, f"signin-long-name-{'phone' if viewport else 'tablet'}")
    assert {tile["name"] for tile in shown} == {"Ольга", "Анна", LONG}
    for tile in shown:
        assert tile["fits"], f"{tile['name']}: the name spills out of its tile"
        assert tile["hit"] == tile["id"], f"a tap on {tile['name']} reaches another tile"
        assert tile["right"] <= tile["pad"] + 1, f"{tile['name']}: the tile leaves the pad"
    for n, a in enumerate(shown):
        for b in shown[n + 1 :]:
            assert not overlap(a, b), f"{a['name']} lies over {b['name']}"
    page.locator('[data-pad="signin"] .person', has_text="Анна").click()
    assert page.locator("[data-picked]").inner_text().strip().startswith("Анна")

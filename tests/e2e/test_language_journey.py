"""The language switcher in a real browser: pick Español in the footer, keep it after signing in."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, axe_violations, shot
from tests.factories.accounts import PASSWORD, make_community, make_user


def test_switch_to_spanish_and_keep_it(live_server: LiveServer, page: Page) -> None:
    with live_server.db.unit_of_work() as s:
        steward = make_user(s, "Ada Steward", email="ada@example.org")
        make_community(s, steward, slug="riverbank")
    # the browser speaks English (en-GB): the page starts in English
    page.goto(f"{live_server.url}/communities/riverbank")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switcher = page.locator("#language-switcher")
    expect(switcher.get_by_label("Language")).to_have_value("en")
    assert axe_violations(page) == []
    shot(page, "language-01-english")

    switcher.get_by_label("Language").select_option("es")
    switcher.get_by_role("button", name="Change language").click()
    # back on the same page, now in Spanish, with the confirmation in Spanish
    expect(page).to_have_url(f"{live_server.url}/communities/riverbank")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("status")).to_have_text("Idioma cambiado.")
    expect(page.get_by_role("link", name="Lugares")).to_be_visible()
    expect(page.locator("#language-switcher").get_by_label("Idioma")).to_have_value("es")
    assert axe_violations(page) == []
    shot(page, "language-02-spanish")

    # another page, then signing in: still Spanish
    page.get_by_role("link", name="Iniciar sesión").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_label("Correo electrónico").fill("ada@example.org")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_role("status")).to_have_text("Te damos la bienvenida, Ada Steward.")
    expect(page.get_by_role("button", name="Cerrar sesión")).to_be_visible()
    shot(page, "language-03-signed-in")

    # a fresh browser (no cookies) signing in as Ada reads Spanish: the choice is hers
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("E-mail").fill("ada@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Cerrar sesión")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")

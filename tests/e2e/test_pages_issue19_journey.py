"""Issue 19 in a real browser: the community home shows what is happening (English and
Spanish), and a destructive action asks first — dismissing keeps the recipe, accepting
deletes it. Axe stays clean; no inline script is needed (CSP)."""

from __future__ import annotations

from playwright.sync_api import Dialog, Page, expect
from sqlalchemy import select

from commonpot.accounts.models import User
from commonpot.recipes.models import Recipe
from tests.e2e.conftest import LiveServer, axe_violations, shot, sign_in
from tests.factories.accounts import PASSWORD, make_world
from tests.factories.events import make_event
from tests.factories.governance import fetch_community
from tests.factories.recipes import make_recipe


def _seed(live_server: LiveServer) -> tuple[int, str]:
    world = make_world(live_server.db)
    with live_server.db.unit_of_work() as s:
        public = fetch_community(s, "publicville")
        steward = s.get(User, world.steward.id)
        assert steward is not None
        make_event(s, public, steward, title="Tamale class", visibility="public")
        make_event(s, public, steward, title="Members supper", visibility="community")
        rid = make_recipe(s, public, steward, name="Green pozole", reach="public").id
    return rid, world.steward.email


def test_home_shows_what_is_happening_in_english_and_spanish(
    live_server: LiveServer, page: Page
) -> None:
    _seed(live_server)
    home = f"{live_server.url}/communities/publicville"
    page.goto(home)
    happening = page.get_by_role("region", name="What is happening")
    expect(happening.get_by_role("link", name="Tamale class")).to_be_visible()
    expect(happening.get_by_role("link", name="Green pozole")).to_be_visible()
    expect(page.get_by_text("Members supper")).to_have_count(0)  # not for visitors
    assert axe_violations(page) == []
    shot(page, "issue19-home-en")
    happening.get_by_role("link", name="Green pozole").click()
    expect(page.get_by_role("heading", level=1, name="Green pozole")).to_be_visible()

    spanish = page.context.browser.new_context(locale="es-ES")  # type: ignore[union-attr]
    es = spanish.new_page()
    es.goto(home)
    expect(es.get_by_role("heading", name="Próximos eventos y clases")).to_be_visible()
    expect(es.get_by_role("heading", name="Recetas añadidas recientemente")).to_be_visible()
    assert axe_violations(es) == []
    shot(es, "issue19-home-es")
    spanish.close()


def test_deleting_a_recipe_asks_first(live_server: LiveServer, page: Page) -> None:
    rid, steward_email = _seed(live_server)
    sign_in(page, live_server.url, steward_email, PASSWORD)
    recipe_url = f"{live_server.url}/communities/publicville/recipes/{rid}"
    page.goto(recipe_url)
    delete = page.get_by_role("button", name="Delete recipe")
    expect(delete).to_have_class("button button-danger")
    assert axe_violations(page) == []
    shot(page, "issue19-recipe-delete")

    questions: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    delete.click()
    expect(page.get_by_role("heading", level=1, name="Green pozole")).to_be_visible()
    assert questions and questions[0].startswith("Delete this recipe?")
    with live_server.db.unit_of_work() as s:
        assert s.scalar(select(Recipe.id).where(Recipe.id == rid)) == rid  # kept

    page.once("dialog", lambda dialog: dialog.accept())
    delete.click()
    expect(page.get_by_text("Recipe deleted.")).to_be_visible()
    with live_server.db.unit_of_work() as s:
        assert s.scalar(select(Recipe.id).where(Recipe.id == rid)) is None


def test_browse_recipes_by_tag_and_cuisine(live_server: LiveServer, page: Page) -> None:
    _seed(live_server)
    page.goto(f"{live_server.url}/communities/publicville/recipes")
    browse = page.get_by_role("navigation", name="Browse")
    expect(browse.get_by_role("link", name="Mexican (1)")).to_be_visible()
    assert axe_violations(page) == []
    browse.get_by_role("link", name="feast (1)").click()
    expect(page.get_by_role("link", name="Green pozole")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Browse").get_by_role("link", name="feast (1)")
    ).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="Green pozole").click()
    expect(page.get_by_role("link", name="Mexican")).to_have_attribute(
        "href", "/communities/publicville/recipes?cuisine=Mexican"
    )
    assert axe_violations(page) == []
    shot(page, "issue19-recipe-tags")

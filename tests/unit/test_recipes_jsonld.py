"""Recipe extraction from HTML pages and JSON-LD files, and JSON-LD export with heritage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonpot.errors import Invalid, PayloadTooLarge
from commonpot.recipes.data import (
    Heritage,
    LineagePerson,
    ProtocolLabel,
    RecipeData,
    Section,
    Step,
)
from commonpot.recipes.jsonld import (
    COMMONPOT_NS,
    MAX_INPUT_BYTES,
    decode,
    extract_recipe,
    extract_recipes,
    parse_recipe,
    to_jsonld,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "recipes"


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _page(*blocks: Any) -> str:
    scripts = "".join(
        f'<script type="application/ld+json">{json.dumps(b)}</script>' for b in blocks
    )
    return f"<!doctype html><html><head>{scripts}</head><body><p>x</p></body></html>"


class TestYoastGraph:
    @pytest.fixture
    def recipe(self) -> dict[str, Any]:
        return parse_recipe(_fixture("graph_yoast.html"))

    def test_required_keys(self, recipe: dict[str, Any]) -> None:
        assert recipe["@context"] == "https://schema.org"
        assert recipe["@type"] == "Recipe"
        assert recipe["name"] == "Grandma Ruth’s Barley & Leek Soup"

    def test_ingredients_in_order_with_entities_decoded(self, recipe: dict[str, Any]) -> None:
        assert recipe["recipeIngredient"][0] == "1 cup pearl barley, rinsed"
        assert recipe["recipeIngredient"][-1] == "½ cup chopped parsley"
        assert len(recipe["recipeIngredient"]) == 8

    def test_references_resolved(self, recipe: dict[str, Any]) -> None:
        assert recipe["author"] == [{"@type": "Person", "name": "Maggie Olsen"}]
        assert recipe["image"] == (
            "https://hearthtable.example/wp-content/uploads/2023/11/barley-soup.jpg"
        )

    def test_sections(self, recipe: dict[str, Any]) -> None:
        sections = recipe["recipeInstructions"]
        assert [s["@type"] for s in sections] == ["HowToSection", "HowToSection"]
        assert sections[0]["name"] == "Soak the barley"
        steps = sections[1]["itemListElement"]
        assert steps[1] == {
            "@type": "HowToStep",
            "text": "Add the drained barley, stock and bay leaf. Simmer for 1 hour 20 minutes.",
        }
        assert steps[2]["name"] == "Season"
        assert "name" not in sections[0]["itemListElement"][0]

    def test_scalars(self, recipe: dict[str, Any]) -> None:
        assert recipe["recipeYield"] == "6 bowls"
        assert (recipe["prepTime"], recipe["cookTime"], recipe["totalTime"]) == (
            "PT20M",
            "PT1H30M",
            "PT1H50M",
        )
        assert recipe["recipeCategory"] == "Soup, Main Course"
        assert recipe["recipeCuisine"] == "Scottish"
        assert recipe["keywords"] == "barley, leek, winter soup"
        assert recipe["description"].startswith("A thick, warming winter soup")
        assert recipe["nutrition"] == {
            "@type": "NutritionInformation",
            "calories": "310 kcal",
            "fatContent": "6 g",
            "servingSize": "1 bowl",
        }


def test_array_of_types_nested_lists_and_string_instructions() -> None:
    recipe = parse_recipe(
        _fixture("news_array_type.html"), base_url="https://diario.example/recetas/arroz"
    )
    assert recipe["name"] == "Arroz con gandules"
    assert recipe["recipeIngredient"] == [
        "2 tazas de arroz",
        "1 lata (15 oz) de gandules",
        "1/4 cup sofrito",
        "3 cups water",
    ]
    assert [s["text"] for s in recipe["recipeInstructions"]] == [
        "Calienta el aceite y sofríe el sofrito.",
        "Añade los gandules y el agua.",
        "Agrega el arroz, tapa y cocina a fuego lento 30 minutes.".replace("minutes", "minutos"),
    ]
    assert [a["name"] for a in recipe["author"]] == ["Lucía Rivera", "Tomás Ortiz"]
    assert recipe["image"] == "https://diario.example/fotos/arroz-gandules-16x9.jpg"
    assert recipe["recipeYield"] == "8"
    assert recipe["cookTime"] == "PT45M"
    assert recipe["prepTime"] == "PT30M"
    assert recipe["keywords"] == "arroz, gandules, Navidad"
    assert recipe["inLanguage"] == "es-PR"


def test_microdata_when_no_jsonld() -> None:
    recipe = parse_recipe(_fixture("microdata.html"), base_url="https://riverbend.example/r/1")
    assert recipe["name"] == "Bannock over the fire"
    assert recipe["recipeIngredient"][3] == "1 ½ cups water"
    assert len(recipe["recipeInstructions"]) == 3
    assert recipe["recipeInstructions"][0]["text"] == "Mix the flour, baking powder and salt."
    assert recipe["author"] == [{"@type": "Person", "name": "Elsie Thunderchild"}]
    assert recipe["image"] == "https://riverbend.example/images/bannock.jpg"
    assert recipe["recipeYield"] == "8 pieces"
    assert recipe["cookTime"] == "PT15M"


def test_trailing_commas_and_cdata_are_repaired() -> None:
    recipe = parse_recipe(_fixture("repairable_jsonld.html"))
    assert recipe["name"] == "Three Sisters Stew"
    assert recipe["recipeIngredient"][-1] == "1 ½ cups cooked beans"
    assert recipe["totalTime"] == "PT45M"


def test_page_without_recipe_is_invalid() -> None:
    with pytest.raises(Invalid, match=r"no schema\.org Recipe found"):
        extract_recipe(_fixture("no_recipe.html"))


def test_invalid_jsonld_says_so() -> None:
    with pytest.raises(Invalid, match="not valid JSON"):
        extract_recipe(_fixture("invalid_jsonld.html"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"just some words, no markup", "neither an HTML page"),
        (b'{"@type": "Recipe", "name": ', "not valid JSON"),
        (b"<html><body><p>hello</p></body></html>", "no schema.org Recipe"),
    ],
)
def test_unreadable_inputs(content: bytes, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        extract_recipe(content)


def test_too_large() -> None:
    with pytest.raises(PayloadTooLarge):
        extract_recipe(b" " * (MAX_INPUT_BYTES + 1))


def test_recipe_without_name_is_invalid() -> None:
    with pytest.raises(Invalid, match="no name"):
        extract_recipe(_page({"@type": "Recipe", "recipeIngredient": ["1 egg"]}))


def test_decode_falls_back_to_meta_charset() -> None:
    page = '<meta charset="iso-8859-1"><title>Crème brûlée</title>'.encode("latin-1")
    assert "Crème brûlée" in decode(page)


def test_utf8_bom_is_skipped() -> None:
    doc = {"@context": "https://schema.org", "@type": "Recipe", "name": "Bread"}
    content = b"\xef\xbb\xbf" + json.dumps(doc).encode()
    assert extract_recipe(content).name == "Bread"


def test_nested_main_entity_and_prefixed_type() -> None:
    page = _page(
        {
            "@context": "https://schema.org",
            "@type": "WebPage",
            "mainEntity": {
                "@type": "schema:Recipe",
                "name": "Injera",
                "recipeIngredient": "2 cups teff flour\n3 cups water",
                "recipeInstructions": [
                    ["Mix the flour and water.", "Ferment for 3 days."],
                    {"@type": "HowToStep", "text": "Step 3: Cook in a mitad."},
                ],
                "image": "https://example.org/injera.jpg",
                "recipeYield": ["4"],
                "totalTime": "P3DT30M",
                "author": "Almaz",
            },
        }
    )
    recipe = extract_recipe(page)
    assert recipe.name == "Injera"
    assert recipe.ingredients == ("2 cups teff flour", "3 cups water")
    assert [s.text for s in recipe.steps()] == [
        "Mix the flour and water.",
        "Ferment for 3 days.",
        "Cook in a mitad.",
    ]
    assert recipe.total_time == "P3DT30M"
    assert recipe.authors == ("Almaz",)
    assert recipe.recipe_yield == "4"


def test_item_list_and_mixed_sections() -> None:
    page = _page(
        {
            "@type": "Recipe",
            "name": "Pierogi",
            "recipeInstructions": [
                {"@type": "HowToStep", "text": "Boil potatoes."},
                {
                    "@type": "HowToSection",
                    "name": "Dough",
                    "itemListElement": [
                        {"@type": "HowToStep", "text": "Mix flour and egg."},
                        {
                            "@type": "HowToSection",
                            "name": "inner",
                            "itemListElement": ["Rest 30 minutes."],
                        },
                    ],
                },
                {"@type": "HowToTip", "text": "Freeze extras."},
            ],
        }
    )
    items = extract_recipe(page).instructions
    assert len(items) == 3
    assert all(isinstance(i, Section) for i in items)
    assert items[0] == Section(name=None, steps=(Step("Boil potatoes."),))
    assert items[1] == Section(
        name="Dough", steps=(Step("Mix flour and egg."), Step("Rest 30 minutes."))
    )
    assert items[2] == Section(name=None, steps=(Step("Freeze extras."),))


def test_several_recipes_in_document_order() -> None:
    page = _page(
        {"@type": "Recipe", "name": "First"},
        {"@graph": [{"@type": "Recipe", "name": "Second"}, {"@type": "Recipe", "name": "Third"}]},
    )
    assert [r.name for r in extract_recipes(page)] == ["First", "Second", "Third"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1. Preheat the oven.", "Preheat the oven."),
        ("2) Stir well.", "Stir well."),
        ("Step 3: Bake.", "Bake."),
        ("10-15 minutes more, until golden.", "10-15 minutes more, until golden."),
        ("1.5 kg of apples go in now.", "1.5 kg of apples go in now."),
    ],
)
def test_step_numbers_are_stripped_but_not_quantities(text: str, expected: str) -> None:
    page = _page({"@type": "Recipe", "name": "x", "recipeInstructions": [text]})
    assert extract_recipe(page).steps() == [Step(expected)]


def test_image_object_list_and_relative_url() -> None:
    page = _page(
        {
            "@type": "Recipe",
            "name": "Soup",
            "image": [{"@type": "ImageObject", "contentUrl": "/img/soup.webp"}],
        }
    )
    assert extract_recipe(page, base_url="https://a.example/r/soup").image == (
        "https://a.example/img/soup.webp"
    )


def test_keyword_list_duplicates_and_cuisine_objects() -> None:
    page = _page(
        {
            "@type": "Recipe",
            "name": "Stew",
            "keywords": ["stew", "winter", "Stew", "winter"],
            "recipeCuisine": [{"@type": "Thing", "name": "Ghanaian"}],
            "recipeYield": 4,
        }
    )
    recipe = extract_recipe(page)
    assert recipe.keywords == "stew, winter, Stew"
    assert recipe.cuisine == "Ghanaian"
    assert recipe.recipe_yield == "4"


def test_heritage_round_trip_from_file() -> None:
    recipe = extract_recipe(_fixture("heritage.jsonld"))
    assert recipe.heritage is not None
    assert recipe.heritage.labels == (
        ProtocolLabel(
            code="TK CO",
            name="TK Community Use Only",
            url="https://localcontexts.org/label/tk-community-use-only/",
        ),
    )
    assert recipe.heritage.lineage[0].relation == "grandmother"
    assert recipe.heritage.community == "Riverbend"
    again = extract_recipe(json.dumps(to_jsonld(recipe)))
    assert again == recipe


def _heritage_recipe() -> RecipeData:
    return RecipeData(
        name="Hallaca",
        ingredients=("2 cups masa harina",),
        instructions=(Step("Wrap in plantain leaves."),),
        authors=("Carmen Díaz",),
        in_language="es-VE",
        heritage=Heritage(
            is_based_on="https://commonpot.example/recipes/7",
            credit_text="From the Díaz family, Maracaibo",
            conditions_of_access="Community members only",
            usage_info="https://localcontexts.org/label/tk-family/",
            lineage=(LineagePerson(name="Abuela Rosa", relation="grandmother", period="1950s"),),
            labels=(ProtocolLabel(code="TK F", name="TK Family"),),
        ),
    )


def test_export_with_heritage() -> None:
    doc = to_jsonld(_heritage_recipe())
    assert doc["@context"] == ["https://schema.org", {"commonpot": COMMONPOT_NS}]
    assert doc["isBasedOn"] == "https://commonpot.example/recipes/7"
    assert doc["creditText"] == "From the Díaz family, Maracaibo"
    assert doc["conditionsOfAccess"] == "Community members only"
    assert doc["usageInfo"] == "https://localcontexts.org/label/tk-family/"
    assert doc["inLanguage"] == "es-VE"
    assert doc["author"] == [{"@type": "Person", "name": "Carmen Díaz"}]
    assert doc["commonpot:lineage"] == [
        {
            "@type": "Person",
            "name": "Abuela Rosa",
            "commonpot:relation": "grandmother",
            "commonpot:period": "1950s",
        }
    ]
    assert doc["commonpot:protocolLabels"] == [
        {"@type": "commonpot:ProtocolLabel", "commonpot:code": "TK F", "name": "TK Family"}
    ]
    assert "commonpot:community" not in doc


def test_export_without_heritage_uses_plain_context() -> None:
    doc = to_jsonld(RecipeData(name="Toast"))
    assert doc == {
        "@context": "https://schema.org",
        "@type": "Recipe",
        "name": "Toast",
        "recipeIngredient": [],
        "recipeInstructions": [],
    }


_texts = (
    st.text(
        alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="<>&"),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)


@given(
    name=_texts,
    ingredients=st.lists(_texts, max_size=6),
    steps=st.lists(_texts.filter(lambda s: not s[0].isdigit()), min_size=1, max_size=6),
)
def test_export_then_parse_keeps_content(
    name: str, ingredients: list[str], steps: list[str]
) -> None:
    def tidy(s: str) -> str:
        return " ".join(s.split())

    recipe = RecipeData(
        name=tidy(name),
        ingredients=tuple(tidy(i) for i in ingredients),
        instructions=tuple(Step(tidy(s)) for s in steps),
    )
    page = _page(to_jsonld(recipe))
    back = extract_recipe(page)
    assert back.name == recipe.name
    assert back.ingredients == recipe.ingredients
    assert [s.text for s in back.steps()] == [s.text for s in recipe.steps()]

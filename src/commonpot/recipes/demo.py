"""Demo recipes: a dozen ancestral dishes in riverside, with lineage, variant and translation."""

# ruff: noqa: E501  (the recipes' own words read better unbroken than split mid-sentence)

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from commonpot.accounts.service import Viewer
from commonpot.demo import DemoContext
from commonpot.recipes import heritage, service
from commonpot.recipes.schemas import (
    LineageIn,
    OralHistoryIn,
    RecipeIn,
    SectionIn,
    TranslationIn,
)

DELGADO = [
    ("Carmen Ruiz", 1, "great-grandmother", "Chilapa, Guerrero", "1920s"),
    ("Rosa Delgado", 2, "grandmother", "Guerrero, then Riverside", "1960s"),
    ("Tomás Delgado", 3, "son", "Riverside", "1990s"),
    ("Lina Delgado", 4, "granddaughter", "Riverside", "2020s"),
]
OKAFOR = [
    ("Nneka Eze", 1, "grandmother", "Nsukka, Enugu", "1940s"),
    ("Chioma Okafor", 2, "mother", "Enugu", "1970s"),
    ("Amara Okafor", 3, "daughter", "Riverside", "2000s"),
]
WATANABE = [
    ("Watanabe Haru", 1, "grandmother", "Tanabe, Wakayama", "1930s"),
    ("Watanabe Fumiko", 2, "mother", "Osaka", "1960s"),
    ("Kenji Watanabe", 3, "son", "Riverside", "1990s"),
]
NAIR = [
    ("Kalyani Amma", 1, "grandmother", "Palakkad, Kerala", "1950s"),
    ("Sreedevi Nair", 2, "mother", "Kochi", "1980s"),
    ("Priya Nair", 3, "daughter", "Riverside", "2010s"),
]

# key, cook, fields (servings, times, origin, tags...), ingredients, steps ("## " starts a section)
RECIPES: list[tuple[str, str, dict[str, Any], list[str], list[str]]] = [
    (
        "pozole",
        "rosa",
        {
            "name": "Pozole rojo de la abuela Carmen",
            "language": "es",
            "description": "Caldo de maíz cacahuazintle y cerdo con chile guajillo, para Nochebuena.",
            "servings": 10,
            "prep_time": "PT40M",
            "cook_time": "PT3H",
            "cuisine": "Mexicana",
            "origin_place": "Chilapa",
            "origin_region": "Guerrero, México",
            "storytellers": "Rosa Delgado",
            "credit_text": "Receta de Carmen Ruiz, contada por Rosa Delgado",
            "story": "Mi abuela Carmen lo hacía en una olla de barro tan grande que cabía un niño."
            " Toda la calle venía con su plato en Nochebuena.\nYo lo aprendí mirando sus manos.",
            "tags": ["fiesta", "nochebuena", "maíz"],
            "labels": ["TK A"],
            "lineage": DELGADO,
        },
        [
            "1 kg pork shoulder, cut in large pieces",
            "500 g pork neck bones",
            "1 kg cooked hominy, rinsed",
            "6 chiles guajillo, seeded",
            "3 chiles ancho, seeded",
            "1 white onion, halved",
            "6 cloves garlic",
            "1 tbsp dried Mexican oregano",
            "salt to taste",
        ],
        [
            "## El caldo",
            "Cover the pork and bones with water, add half the onion and 3 garlic cloves.",
            "Simmer for 2 hours, skimming, until the meat is tender.",
            "## El chile",
            "Toast the chiles, soak them in hot water for 20 minutes and blend with the rest.",
            "Strain the chile into the pot with the hominy and simmer 1 hour more.",
            "Serve with radish, lettuce, oregano, lime and tostadas.",
        ],
    ),
    (
        "pozole_verde",
        "tomas",
        {
            "name": "Pozole verde de Tomás",
            "language": "es",
            "description": "My version with tomatillo and pumpkin seeds, for friends who skip pork.",
            "servings": 8,
            "cook_time": "PT2H",
            "cuisine": "Mexicana",
            "origin_place": "Riverside",
            "storytellers": "Tomás Delgado",
            "story": "Mamá Rosa frowned the first time. The second time she asked for the recipe.",
            "tags": ["variante", "vegetariano"],
            "based_on": "pozole",
            "lineage": DELGADO[1:3],
        },
        [
            "1 kg cooked hominy",
            "500 g tomatillos, husked",
            "1 cup pumpkin seeds (pepitas)",
            "2 poblano peppers",
            "1 bunch cilantro",
            "2 litres vegetable stock",
            "salt to taste",
        ],
        [
            "Roast the tomatillos and poblanos; toast the pepitas.",
            "Blend with cilantro and a ladle of stock.",
            "Simmer the green sauce with the hominy and stock for 40 minutes.",
        ],
    ),
    (
        "tamales",
        "rosa",
        {
            "name": "Tamales navideños",
            "language": "es",
            "description": "Tamales de rajas con queso, only made between November and January.",
            "servings": 24,
            "prep_time": "PT2H",
            "cook_time": "PT1H30M",
            "cuisine": "Mexicana",
            "origin_place": "Chilapa",
            "origin_region": "Guerrero, México",
            "storytellers": "Rosa Delgado",
            "story": "La tamalada is work for the whole family: the children spread, the elders fold.",
            "tags": ["fiesta", "maíz", "tamalada"],
            "labels": ["TK S", "TK A"],
            "season_start": 11,
            "season_end": 1,
            "lineage": DELGADO[:3],
        },
        [
            "1 kg masa harina",
            "400 g lard, whipped",
            "1 litre warm stock",
            "1 tbsp baking powder",
            "4 poblano peppers, roasted and cut in strips",
            "400 g queso fresco",
            "30 dried corn husks, soaked",
        ],
        [
            "Beat the lard until fluffy, then beat in masa, baking powder and stock.",
            "Spread masa on each husk, add rajas and cheese, fold.",
            "Steam standing up for 1 ½ hours.",
        ],
    ),
    (
        "mole",
        "rosa",
        {
            "name": "Mole de Doña Carmen",
            "language": "es",
            "description": "The ceremonial mole, made for weddings and for the Day of the Dead altar.",
            "servings": 30,
            "cook_time": "P1DT2H",
            "cuisine": "Mexicana",
            "origin_place": "Chilapa",
            "origin_region": "Guerrero, México",
            "storytellers": "Rosa Delgado",
            "story": "This mole is for the family altar. We share it with our community, not beyond.",
            "tags": ["ceremonia", "día de muertos"],
            "labels": ["TK CO", "TK NC"],
            "reach": "community",
            "lineage": DELGADO[:2],
        },
        [
            "8 chiles mulato",
            "6 chiles pasilla",
            "½ cup sesame seeds",
            "½ cup almonds",
            "2 tablets Mexican chocolate",
            "1 plantain, fried",
            "2 litres turkey stock",
        ],
        [
            "Toast every seed and chile separately, as Carmen taught: never together.",
            "Grind in the metate (or blender) with the plantain and chocolate.",
            "Fry the paste and add stock slowly, stirring for hours.",
        ],
    ),
    (
        "onugbu",
        "amara",
        {
            "name": "Ofe Onugbu (bitterleaf soup)",
            "language": "en",
            "description": "Nneka's bitterleaf soup, thickened with cocoyam.",
            "servings": 6,
            "cook_time": "PT1H30M",
            "cuisine": "Igbo",
            "origin_place": "Nsukka",
            "origin_region": "Enugu, Nigeria",
            "storytellers": "Amara Okafor",
            "credit_text": "From Nneka Eze's kitchen, told by Amara Okafor",
            "story": "Grandmother washed the bitterleaf at the stream until it was only a little bitter,"
            " 'like life', she said.",
            "tags": ["soup", "feast"],
            "labels": ["TK A", "TK V"],
            "lineage": OKAFOR,
        },
        [
            "2 cups washed bitterleaf",
            "6 cocoyams, boiled and pounded",
            "500 g beef, cubed",
            "200 g stockfish, soaked",
            "2 tbsp ground crayfish",
            "½ cup palm oil",
            "2 scotch bonnet peppers",
            "salt to taste",
        ],
        [
            "Boil the beef and stockfish with salt until tender.",
            "Add palm oil, pepper, crayfish and the cocoyam paste in small lumps.",
            "When the soup thickens, add the bitterleaf and cook 5 minutes.",
        ],
    ),
    (
        "jollof",
        "amara",
        {
            "name": "Party jollof rice",
            "language": "en",
            "description": "Smoky-bottomed jollof for forty, the way the aunties cook it outside.",
            "servings": 10,
            "cook_time": "PT1H",
            "cuisine": "Nigerian",
            "origin_place": "Enugu",
            "origin_region": "Nigeria",
            "storytellers": "Amara Okafor",
            "story": "The burnt bottom is the best part. Fight your cousins for it.",
            "tags": ["rice", "party"],
            "lineage": OKAFOR[1:],
        },
        [
            "1 kg long-grain parboiled rice",
            "6 plum tomatoes",
            "3 red bell peppers",
            "2 onions",
            "3 tbsp tomato paste",
            "½ cup vegetable oil",
            "1 litre chicken stock",
            "2 bay leaves",
            "1 tsp curry powder",
            "1 tsp dried thyme",
        ],
        [
            "Blend tomatoes, peppers and one onion; fry the paste in oil until it darkens.",
            "Add the blended base and cook down by half.",
            "Add stock, spices and rice; cover tightly and cook on low, letting the bottom catch.",
        ],
    ),
    (
        "umeboshi",
        "kenji",
        {
            "name": "Haru's umeboshi",
            "language": "ja",
            "description": "Salt-pickled ume plums dried in the June sun, the taste of Kishu.",
            "servings": 40,
            "prep_time": "P1D",
            "total_time": "P40D",
            "cuisine": "Japanese",
            "origin_place": "Tanabe",
            "origin_region": "Wakayama, Japan",
            "storytellers": "Kenji Watanabe",
            "story": "Every June my grandmother's veranda turned red with plums on bamboo mats.",
            "tags": ["pickle", "preserve", "summer"],
            "lineage": WATANABE,
        },
        ["2 kg ripe ume plums", "360 g sea salt", "200 g red shiso leaves", "50 ml shochu"],
        [
            "Rinse the plums in shochu and layer with salt in a crock; weight them.",
            "After the brine rises, add the salted shiso.",
            "In July, dry the plums three days and nights in the sun.",
        ],
    ),
    (
        "nukazuke",
        "kenji",
        {
            "name": "Nukazuke (rice bran pickles)",
            "language": "en",
            "description": "A living bran bed that my mother fed every day for forty years.",
            "servings": 8,
            "cuisine": "Japanese",
            "origin_place": "Osaka",
            "origin_region": "Japan",
            "storytellers": "Kenji Watanabe",
            "story": "When Mother moved in with us she brought her nuka pot in her lap on the train.",
            "tags": ["pickle", "fermented"],
            "lineage": WATANABE[1:],
        },
        [
            "1 kg rice bran, toasted",
            "130 g salt",
            "1 litre water",
            "1 piece kombu",
            "2 dried chillies",
            "3 cucumbers",
            "2 carrots",
        ],
        [
            "Boil water with salt, cool, and mix into the bran with kombu and chillies.",
            "Bury vegetables in the bed; stir it with your hand every day.",
            "Rinse and slice: cucumbers are ready in a day, carrots in two.",
        ],
    ),
    (
        "sambar",
        "priya",
        {
            "name": "Kalyani Amma's sambar",
            "language": "en",
            "description": "Palakkad sambar with freshly roasted spices and drumsticks.",
            "servings": 6,
            "cook_time": "PT50M",
            "cuisine": "Kerala",
            "origin_place": "Palakkad",
            "origin_region": "Kerala, India",
            "storytellers": "Priya Nair",
            "story": "Amma roasted the coriander and coconut until the whole house smelled of it.",
            "tags": ["dal", "vegetarian", "everyday"],
            "lineage": NAIR,
        },
        [
            "1 cup toor dal",
            "2 drumsticks, cut in pieces",
            "1 cup pumpkin, cubed",
            "1 tbsp tamarind paste",
            "2 tbsp coriander seeds",
            "½ cup grated coconut",
            "4 dried red chillies",
            "1 tsp mustard seeds",
            "1 sprig curry leaves",
        ],
        [
            "Cook the dal until soft.",
            "Roast coriander, chillies and coconut; grind to a paste.",
            "Simmer vegetables in tamarind water, add dal and paste; temper with mustard seeds.",
        ],
    ),
    (
        "avial",
        "priya",
        {
            "name": "Avial",
            "language": "en",
            "description": "Mixed vegetables in coconut and yoghurt, for the Onam feast.",
            "servings": 8,
            "cook_time": "PT30M",
            "cuisine": "Kerala",
            "origin_place": "Kochi",
            "origin_region": "Kerala, India",
            "storytellers": "Priya Nair",
            "story": "Avial is the dish that uses everything left in the garden.",
            "tags": ["vegetarian", "onam", "feast"],
            "lineage": NAIR[1:],
        },
        [
            "4 cups mixed vegetables, cut in batons",
            "1 cup grated coconut",
            "3 green chillies",
            "1 tsp cumin seeds",
            "½ cup thick yoghurt",
            "2 tbsp coconut oil",
            "1 sprig curry leaves",
        ],
        [
            "Cook the vegetables with turmeric and a little water.",
            "Grind coconut, chillies and cumin coarsely; fold in.",
            "Stir in the yoghurt off the heat; finish with coconut oil and curry leaves.",
        ],
    ),
    (
        "succotash",
        "sam",
        {
            "name": "North Dome three sisters succotash",
            "language": "en",
            "description": "Corn, beans and squash from the North Dome beds, grown together.",
            "servings": 6,
            "cook_time": "PT25M",
            "cuisine": "Riverside",
            "origin_place": "North Dome",
            "origin_region": "Riverside",
            "storytellers": "Sam Whitfield",
            "story": "We planted the three sisters in the dome's first spring. This was the first"
            " harvest supper.",
            "tags": ["harvest", "vegetarian", "dome"],
        },
        [
            "2 cups fresh corn kernels",
            "2 cups cooked beans",
            "2 cups cubed squash",
            "2 tbsp butter",
            "1 onion, diced",
            "salt and pepper, to taste",
        ],
        [
            "Soften the onion in butter.",
            "Add squash and cook 10 minutes; add corn and beans and warm through.",
        ],
    ),
    (
        "champurrado",
        "lina",
        {
            "name": "Champurrado de la abuela Rosa",
            "language": "es",
            "description": "Thick chocolate atole for cold mornings, the first recipe Abuela taught me.",
            "servings": 6,
            "cook_time": "PT20M",
            "cuisine": "Mexicana",
            "origin_place": "Riverside",
            "storytellers": "Lina Delgado",
            "story": "Abuela let me whisk with the molinillo when I was five. I still do it.",
            "tags": ["drink", "breakfast", "maíz"],
            "lineage": DELGADO[1:],
        },
        [
            "1 litre milk",
            "½ cup masa harina",
            "2 cups water",
            "1 tablet Mexican chocolate",
            "⅓ cup piloncillo, grated",
            "1 stick cinnamon",
        ],
        [
            "Dissolve the masa in water.",
            "Heat milk with chocolate, piloncillo and cinnamon.",
            "Whisk in the masa and cook, stirring, until thick.",
        ],
    ),
    (
        "watercress",
        "amara",
        {
            "name": "Willow Dome watercress soup",
            "language": "en",
            "description": "A bright green soup from the cress beds by the river.",
            "servings": 4,
            "cook_time": "PT30M",
            "cuisine": "Riverside",
            "origin_place": "Willow Dome",
            "origin_region": "Riverside",
            "storytellers": "Riverside Community Kitchen",
            "story": "The Willow Dome cress grows in the river's own water.",
            "tags": ["soup", "dome", "spring"],
        },
        [
            "2 bunches watercress",
            "2 potatoes, diced",
            "1 leek, sliced",
            "1 litre vegetable stock",
            "2 tbsp butter",
            "100 ml cream",
        ],
        [
            "Soften the leek in butter; add potatoes and stock and simmer 15 minutes.",
            "Add the cress for 2 minutes, blend, and finish with cream.",
        ],
    ),
]


def _sections(lines: list[str]) -> list[SectionIn]:
    sections = [SectionIn(name=None, steps=[])]
    for line in lines:
        if line.startswith("## "):
            sections.append(SectionIn(name=line[3:], steps=[]))
        else:
            sections[-1].steps.append(line)
    return [s for s in sections if s.steps]


def load(session: Session, ctx: DemoContext) -> None:
    """Add the demo recipes to riverside (and one to hillside)."""
    riverside = ctx.communities["riverside"]
    ids: dict[str, int] = {}
    for key, cook, fields, ingredients, steps in RECIPES:
        data = dict(fields)
        based_on = data.pop("based_on", None)
        lineage = [
            LineageIn(name=n, generation=g, relation=r, place=p, period=t)
            for n, g, r, p, t in data.pop("lineage", [])
        ]
        recipe = service.create_recipe(
            session,
            riverside,
            Viewer(user=ctx.users[cook]),
            RecipeIn(
                **data,
                ingredients=ingredients,
                sections=_sections(steps),
                lineage=lineage,
                based_on_id=ids[based_on] if based_on else None,
            ),
        )
        ids[key] = recipe.id
    rosa = Viewer(user=ctx.users["rosa"])
    service.save_translation(
        session,
        riverside,
        rosa,
        ids["pozole"],
        TranslationIn(
            language="en",
            name="Grandmother Carmen's red pozole",
            description="Hominy and pork stew with guajillo chile, for Christmas Eve.",
            story="My grandmother Carmen cooked it in a clay pot big enough to hold a child."
            " The whole street came with their bowls on Christmas Eve.",
            translated_by="Lina Delgado",
        ),
    )
    heritage.add_oral_history(
        session,
        riverside,
        rosa,
        ids["pozole"],
        OralHistoryIn(
            title="How Carmen cooked for the street",
            narrator="Rosa Delgado",
            recorded_by="Lina Delgado",
            recorded_on="2025-12-20",
            transcript="Mija, first you listen to the pot. When the bubbles get lazy, the meat is"
            " ready. My grandmother never used a clock...",
            consent_by="Rosa Delgado",
            consent_scope="Members of Riverside may listen; not to be published elsewhere.",
            consent_on="2025-12-20",
        ),
        audio=None,
        data_dir=_unused_dir(),
        max_bytes=0,
    )
    hillside = ctx.communities["hillside"]
    service.create_recipe(
        session,
        hillside,
        Viewer(user=ctx.users["jonah"]),
        RecipeIn(
            name="Lola Pining's adobo",
            description="Chicken and pork adobo, dark with vinegar and bay.",
            servings=6,
            cuisine="Filipino",
            origin_place="Batangas",
            storytellers="Jonah Reyes",
            story="Lola cooked it on Sundays and it was better on Monday.",
            ingredients=["1 kg chicken thighs", "½ cup cane vinegar", "⅓ cup soy sauce"],
            sections=[SectionIn(steps=["Marinate.", "Simmer until dark and glossy."])],
            lineage=[LineageIn(name="Pining Reyes", generation=1, relation="grandmother")],
        ),
    )
    ctx.notes.append(
        f"recipes: {len(RECIPES)} in riverside (try /communities/riverside/recipes), 1 in hillside"
    )


def _unused_dir() -> Any:
    from pathlib import Path

    return Path("/nonexistent")  # no audio file is written for transcript-only stories

"""Instance validation: every violation is rejected with a message naming the field."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from commonpot.errors import Invalid
from commonpot.network.instance import load_instance, parse_instance


def valid() -> dict[str, Any]:
    return {
        "offers": [
            {"id": "o1", "category": "veg", "quantity": 5, "lat": 52.0, "lon": 5.0},
            {
                "id": "o2",
                "category": "bread",
                "quantity": 2,
                "lat": 52.1,
                "lon": 5.1,
                "expires_in_hours": 1.5,
            },
        ],
        "needs": [
            {"id": "n1", "category": "veg", "quantity": 3, "lat": 52.0, "lon": 5.01},
            {
                "id": "n2",
                "category": "veg",
                "quantity": 1,
                "lat": 52.0,
                "lon": 5.02,
                "priority": 2,
                "group": "elders",
            },
        ],
        "params": {"max_distance_km": 10, "segments": 2},
    }


def test_valid_instance_becomes_arrays() -> None:
    inst = parse_instance(valid())
    assert inst.offer_ids == ["o1", "o2"]
    assert inst.need_ids == ["n1", "n2"]
    assert inst.categories == ["veg", "bread"]
    assert inst.offer_category.tolist() == [0, 1]
    assert inst.need_category.tolist() == [0, 0]
    assert inst.offer_quantity.tolist() == [5, 2]
    assert inst.offer_expires_h[0] == np.inf
    assert inst.offer_expires_h[1] == 1.5
    assert inst.need_priority.tolist() == [1.0, 2.0]
    assert inst.groups == ["default", "elders"]
    assert inst.need_group.tolist() == [0, 1]
    assert inst.params.max_distance_km == 10.0
    assert inst.params.segments == 2
    assert inst.params.speed_kmh == 20.0
    assert inst.params.cost_per_km == 0.01
    assert inst.params.candidates_per_need == 0


def test_defaults_when_params_absent() -> None:
    data = valid()
    del data["params"]
    params = parse_instance(data).params
    assert (params.max_distance_km, params.speed_kmh, params.cost_per_km) == (25.0, 20.0, 0.01)
    assert (params.segments, params.candidates_per_need) == (3, 0)


def _set(path: str, value: Any) -> dict[str, Any]:
    data = valid()
    target: Any = data
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return data


_DELETE = object()

CASES = [
    ("needs.1.quantity", 0, "needs[1].quantity: must be a positive integer"),
    ("needs.1.quantity", -3, "needs[1].quantity: must be a positive integer"),
    ("needs.1.quantity", 2.5, "needs[1].quantity: must be a positive integer"),
    ("needs.1.quantity", "3", "needs[1].quantity: must be a positive integer"),
    ("needs.1.quantity", True, "needs[1].quantity: must be a positive integer"),
    ("offers.0.quantity", _DELETE, "offers[0].quantity: must be a positive integer"),
    ("offers.1.id", "o1", "offers[1].id: duplicate id 'o1'"),
    ("needs.0.id", "", "needs[0].id: must be a non-empty string"),
    ("needs.0.id", 7, "needs[0].id: must be a non-empty string"),
    ("offers.0.category", None, "offers[0].category: must be a non-empty string"),
    ("offers.0.lat", 91, "offers[0].lat: must be a number between -90 and 90"),
    ("offers.0.lat", "52", "offers[0].lat: must be a number between -90 and 90"),
    ("needs.1.lon", -180.5, "needs[1].lon: must be a number between -180 and 180"),
    ("offers.1.expires_in_hours", 0, "offers[1].expires_in_hours: must be a positive number"),
    ("needs.1.priority", 0.5, "needs[1].priority: must be a number >= 1"),
    ("needs.1.group", "", "needs[1].group: must be a non-empty string"),
    ("needs.0.colour", "red", "needs[0].colour: unknown key"),
    ("params.segments", 0, "params.segments: must be an integer between 1 and 1000"),
    ("params.segments", 2.0, "params.segments: must be an integer between 1 and 1000"),
    ("params.candidates_per_need", -1, "params.candidates_per_need: must be an integer >= 0"),
    ("params.max_distance_km", 0, "params.max_distance_km: must be a positive number"),
    ("params.speed_kmh", "fast", "params.speed_kmh: must be a positive number"),
    ("params.cost_per_km", -0.1, "params.cost_per_km: must be a number >= 0"),
    ("params.radius", 3, "params.radius: unknown parameter"),
    ("params", [], "params: must be an object"),
    ("offers", {}, "offers: must be a list"),
    ("needs", _DELETE, "needs: is required and must be a list"),
    ("extra", 1, "extra: unknown key"),
]


@pytest.mark.parametrize(("path", "value", "message"), CASES)
def test_violation_names_the_field(path: str, value: Any, message: str) -> None:
    with pytest.raises(Invalid) as info:
        parse_instance(_set(path, value))
    assert str(info.value) == message
    assert info.value.field == message.split(":", maxsplit=1)[0]


def test_item_must_be_object() -> None:
    data = valid()
    data["needs"].append(["not", "an", "object"])
    with pytest.raises(Invalid, match=r"^needs\[2\]: must be an object$"):
        parse_instance(data)


def test_top_level_must_be_object() -> None:
    with pytest.raises(Invalid, match=r"^instance: must be a JSON object$"):
        parse_instance([1, 2])


def test_first_violation_in_file_order_is_reported() -> None:
    data = valid()
    data["needs"] = [copy.deepcopy(data["needs"][0]) for _ in range(20)]
    for i, need in enumerate(data["needs"]):
        need["id"] = f"n{i}"
    data["needs"][17]["quantity"] = 0
    data["needs"][18]["quantity"] = -1
    with pytest.raises(Invalid, match=r"^needs\[17\]\.quantity: must be a positive integer$"):
        parse_instance(data)


def test_load_rejects_bad_json_and_nan() -> None:
    with pytest.raises(Invalid, match=r"^instance: not valid JSON"):
        load_instance("{")
    with pytest.raises(Invalid, match="NaN is not a JSON number"):
        load_instance('{"offers": [], "needs": [], "params": {"speed_kmh": NaN}}')


def test_null_expiry_means_no_spoiling() -> None:
    inst = parse_instance(_set("offers.1.expires_in_hours", None))
    assert inst.offer_expires_h[1] == np.inf

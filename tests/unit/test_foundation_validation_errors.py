"""One converter from a Pydantic validation to `Invalid`, the same field for every reader."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from commonpot.ecology.schemas import CropIn, read_in
from commonpot.errors import Invalid, invalid_from
from commonpot.events.schemas import EventIn
from commonpot.events.web_form import MESSAGES, read_model
from commonpot.parsing import validated


class LineIn(BaseModel):
    food: str = Field(min_length=1)
    quantity: int

    @field_validator("food")
    @classmethod
    def _known(cls, value: str) -> str:
        if value == "gravel":
            raise ValueError("Gravel is not food.")
        return value


class BasketIn(BaseModel):
    lines: list[LineIn]
    low: int = 0
    high: int = 10

    @model_validator(mode="after")
    def _ordered(self) -> BasketIn:
        if self.low > self.high:
            raise ValueError("low must not exceed high")
        return self


def problem(
    data: dict[str, object], *, form_field: bool = False, say: dict[str, str] | None = None
) -> Invalid:
    with pytest.raises(ValidationError) as caught:
        BasketIn.model_validate(data)
    return invalid_from(caught.value, form_field=form_field, say=say)


def test_the_field_is_the_problems_path_and_our_words_say_where() -> None:
    found = problem(
        {"lines": [{"food": "maize", "quantity": 2}, {"food": "rice", "quantity": "x"}]}
    )
    assert found.field == "lines.1.quantity"
    assert found.detail == "lines.1.quantity: must be a whole number"
    assert found.status == 422


def test_a_form_field_is_the_first_part_of_the_path() -> None:
    found = problem({"lines": [{"food": "rice", "quantity": "x"}]}, form_field=True)
    assert found.field == "lines"
    assert found.detail == "lines: must be a whole number"


def test_a_validators_own_words_stand_alone() -> None:
    found = problem({"lines": [{"food": "gravel", "quantity": 1}]})
    assert (found.field, found.detail) == ("lines.0.food", "Gravel is not food.")


def test_a_problem_of_the_whole_model_names_no_field() -> None:
    found = problem({"lines": [], "low": 5, "high": 1})
    assert (found.field, found.detail) == (None, "low must not exceed high")


def test_error_types_can_be_worded_our_way() -> None:
    found = problem(
        {"lines": [{"food": "rice", "quantity": "x"}]}, say={"int_parsing": "must be a number"}
    )
    assert (found.field, found.detail) == ("lines.0.quantity", "lines.0.quantity: must be a number")
    other = problem({"lines": [{"food": "", "quantity": 1}]}, say={"int_parsing": "no"})
    assert other.detail == "lines.0.food: must not be empty"


def test_the_three_readers_name_the_same_fields_as_before() -> None:
    with pytest.raises(Invalid) as basket:
        validated(BasketIn, {"lines": [{"food": "rice", "quantity": "two"}]})
    assert basket.value.field == "lines.0.quantity"
    with pytest.raises(Invalid) as crop:
        read_in(CropIn, {"name": "Maize", "seeds_per_m2": "many", "csrf_token": "t"})
    assert (crop.value.field, crop.value.detail) == (
        "seeds_per_m2",
        "seeds_per_m2: must be a number",
    )
    event = {"title": "Tamales", "starts_at": "2026-05-01T10:00", "ends_at": "2026-05-01T12:00"}
    with pytest.raises(Invalid) as roles:
        read_model(EventIn, {**event, "roles": [{"name": "", "wanted": 2}]})
    assert (roles.value.field, roles.value.detail) == ("roles", MESSAGES["roles"])
    with pytest.raises(Invalid) as kind:
        read_model(EventIn, {**event, "kind": "x" * 40})
    assert (kind.value.field, kind.value.detail) == ("kind", "Check this field.")


class CountIn(BaseModel):
    count: int = Field(ge=1000)
    name: str = Field(default="x", max_length=3)


def test_the_shapes_rules_read_in_the_readers_language_with_their_limits() -> None:
    from commonpot.errors import Worded, worded_detail
    from commonpot.i18n import Reader

    spanish = Reader("es")
    empty = problem({"lines": [{"food": "", "quantity": 1}]})
    assert isinstance(empty.detail, Worded)
    assert worded_detail(empty.detail, spanish) == "lines.0.food: no puede estar vacío"
    with pytest.raises(ValidationError) as caught:
        CountIn.model_validate({"count": 5})
    low = invalid_from(caught.value)
    assert low.detail == "count: must be at least 1000"
    assert worded_detail(low.detail, spanish) == "count: debe ser al menos 1.000"
    with pytest.raises(ValidationError) as caught:
        CountIn.model_validate({"count": 1000, "name": "long"})
    long = invalid_from(caught.value)
    assert (long.field, long.detail) == ("name", "name: at most 3 characters")
    assert worded_detail(long.detail, spanish) == "name: como máximo 3 caracteres"

"""Accounts API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class UserOut(BaseModel):
    """A person as others see them."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    display_name: str
    birth_year: int | None = None
    languages: str


class MeOut(UserOut):
    """The signed-in person, as they see themself."""

    email: str
    is_admin: bool
    bio: str
    public_key: str | None = None
    created_at: datetime


class ProfileIn(BaseModel):
    """Profile changes; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(default=None, max_length=120)
    birth_year: int | None = None
    languages: str | None = Field(default=None, max_length=120)
    bio: str | None = Field(default=None, max_length=2000)
    public_key: str | None = Field(default=None, max_length=120)


class PasswordIn(BaseModel):
    """A password change."""

    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class LoginIn(BaseModel):
    """Credentials for a browser-less sign-in that returns a new API token."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)
    token_name: str = Field(default="script", max_length=80)


class TokenIn(BaseModel):
    """A new API token's name."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)


class TokenOut(BaseModel):
    """An API token's public facts (never the secret)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class NewTokenOut(TokenOut):
    """A token just created: the secret is shown this once."""

    token: str

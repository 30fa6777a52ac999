"""Governance's own actions: a decision in words, a grant, and amending the constitution."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.actions import ActionType, Params, Said, Words, said
from commonpot.communities import Community
from commonpot.errors import Invalid

POOLS = ("seed_bank", "treasury")


def _validate_text(session: Session, community: Community, params: Params) -> Params:
    note = params.get("note", "")
    if not isinstance(note, str) or len(note) > 2000:
        raise Invalid("A note is text of at most 2000 characters.", field="action.params.note")
    return {"note": note} if note else {}


def _execute_text(session: Session, community: Community, params: Params, _: Viewer) -> Said:
    if params.get("note"):
        return said("Decision recorded. %(note)s", note=str(params["note"]))
    return said("Decision recorded.")


def _validate_grant(session: Session, community: Community, params: Params) -> Params:
    pool = params.get("pool")
    amount = params.get("amount")
    recipient = params.get("recipient")
    if pool not in POOLS:
        raise Invalid("Grant from the seed_bank or the treasury.", field="action.params.pool")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise Invalid("Grant a positive whole amount.", field="action.params.amount")
    if not isinstance(recipient, str) or not 1 <= len(recipient.strip()) <= 120:
        raise Invalid("Name who receives the grant.", field="action.params.recipient")
    balance = int((community.settings or {}).get(f"{pool}_balance", 0))
    if amount > balance:
        raise Invalid(SHORT[pool], field="action.params.amount", balance=balance)
    return {"pool": pool, "amount": amount, "recipient": recipient.strip()}


def _execute_grant(session: Session, community: Community, params: Params, _: Viewer) -> Said:
    from commonpot.communities import set_setting

    key = f"{params['pool']}_balance"
    if session.get_bind().dialect.name != "sqlite":
        # read the balance under a row lock (FOR NO KEY UPDATE: rows referencing the
        # community keep inserting), or two grants paid at once would both see it unspent
        session.execute(
            select(Community.id).where(Community.id == community.id).with_for_update(key_share=True)
        )
        session.refresh(community, ["settings"])
    balance = int((community.settings or {}).get(key, 0))
    if params["amount"] > balance:
        short = SHORT_NOW[str(params["pool"])]
        raise Invalid(short, balance=balance)
    set_setting(session, community, key, balance - params["amount"])
    granted = GRANTED[str(params["pool"])]
    return Said(granted, {"amount": params["amount"], "recipient": params["recipient"]})


def _validate_amend(session: Session, community: Community, params: Params) -> Params:
    from commonpot.governance import constitution

    _, current = constitution.floors(session, community)
    changes = params.get("floors")
    constitution.amended(current, changes)  # raises Invalid naming the floor at fault
    if not isinstance(changes, dict):  # pragma: no cover - amended() refused it already
        raise Invalid("List the floors to change.", field="action.params.floors")
    return {
        "floors": {
            kind: None if raw is None else constitution.normal_floor(raw, kind)
            for kind, raw in sorted(changes.items())
        }
    }


def _execute_amend(session: Session, community: Community, params: Params, _: Viewer) -> Said:
    from commonpot.governance import constitution

    new = constitution.amend(session, community, params["floors"], None)
    return said("The constitution is amended (version %(version)s).", version=str(new.version))


def _describe_amend(params: Params, words: Words) -> str:
    from commonpot.governance import constitution

    parts = [
        f"{kind}: "
        + (
            words.gettext("use the floor for actions")
            if f is None
            else constitution.describe(f, words)
        )
        for kind, f in params.get("floors", {}).items()
    ]
    return words.gettext("Amend the constitution: %(changes)s") % {"changes": "; ".join(parts)}


def N_(message: str) -> str:  # noqa: N802 (the gettext name for marked strings)
    """Mark a message for extraction; it is translated where it is shown."""
    return message


# what a grant larger than the pool is told (one sentence per pool, so each reads well)
SHORT = {
    "seed_bank": N_("The seed bank holds only %(balance)s."),
    "treasury": N_("The treasury holds only %(balance)s."),
}
SHORT_NOW = {
    "seed_bank": N_("The seed bank holds only %(balance)s now."),
    "treasury": N_("The treasury holds only %(balance)s now."),
}
# what a paid grant did (in words: the pool's key `seed_bank` is never shown; ledgers keep
# the English they recorded, older entries "from the seed_bank")
GRANTED = {
    "seed_bank": N_("Granted %(amount)s from the seed bank to %(recipient)s."),
    "treasury": N_("Granted %(amount)s from the treasury to %(recipient)s."),
}
# the pools a grant draws from, as a sentence names them
POOL_WORDS = {"seed_bank": N_("the seed bank"), "treasury": N_("the shared treasury")}


def _describe_grant(params: Params, words: Words) -> str:
    pool = str(params["pool"])
    return words.gettext("Grant %(amount)s from %(pool)s to %(recipient)s") % {
        "amount": words.number(params["amount"], 0),
        "pool": words.gettext(POOL_WORDS.get(pool, pool)),
        "recipient": params["recipient"],
    }


def _describe_text(params: Params, words: Words) -> str:
    return str(params.get("note") or words.gettext("Record the decision"))


ACTIONS = [
    ActionType(
        kind="text",
        label="A decision in words (nothing is executed)",
        describe=_describe_text,
        validate=_validate_text,
        execute=_execute_text,
    ),
    ActionType(
        kind="grant",
        label="Grant from the seed bank or shared treasury",
        describe=_describe_grant,
        validate=_validate_grant,
        execute=_execute_grant,
    ),
    ActionType(
        kind="amend_constitution",
        label="Amend the constitution (the least quorum, majority and times per action)",
        describe=_describe_amend,
        validate=_validate_amend,
        execute=_execute_amend,
    ),
]

"""Governance pages: proposals by state, a ballot for every method, results, the ledger."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, NamedTuple

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy import bindparam, select

from commonpot import actions
from commonpot.accounts import User
from commonpot.communities.scope import CommunityScope, Here
from commonpot.errors import DomainError, Invalid, worded_detail
from commonpot.governance import constitution, delegation, ledger, ledger_words, service
from commonpot.governance.catchup import caught_up_read
from commonpot.governance.count_methods import METHODS
from commonpot.governance.grants_web import router as grants_router
from commonpot.governance.models import State
from commonpot.governance.refused import Refused, form_context, status_of
from commonpot.governance.web_proposal import METHOD_LABELS
from commonpot.governance.web_proposal import router as proposal_router
from commonpot.http import PostedForm, own_address, verify_csrf_form
from commonpot.paging import address, page_number, pager
from commonpot.templating import (
    READER_TOKEN,
    Reader,
    for_reader,
    fragment,
    reader,
    reader_locale,
    redirect,
    render,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
router.include_router(grants_router)
SECTION = {
    "label": "Decisions",
    "path": "governance",
    "order": 40,
    "blurb": "Proposals, votes and the community's verifiable ledger.",
}
BASE = "/communities/{slug}/governance"
STATE_ORDER = ["active", "pending", "queued", "draft", "executed", "succeeded", "defeated"]
STATES = frozenset(state.value for state in State)
# the search form's states: the page's order, then the rest
STATE_CHOICES = [s for s in STATE_ORDER if s in STATES] + sorted(STATES - set(STATE_ORDER))


# Form field for each rule the constitution bounds (the API names them rules.<rule>).
FORM_FIELD = {
    "rules.quorum": "quorum",
    "rules.threshold": "threshold",
    "rules.voting_seconds": "voting_hours",
    "rules.timelock_seconds": "timelock_hours",
}


SHORT_LABELS = {
    "text": "decisions in words",
    "*": "actions",
    "amend_constitution": "changes to the constitution",
}


def _floor_rows(floors: dict[str, constitution.Floor]) -> list[dict[str, Any]]:
    labels = {a.kind: a.label for a in actions.load_all().values()}
    rows = []
    for kind, floor in sorted(floors.items(), key=lambda kv: (kv[0] != "text", kv[0] == "*")):
        label = "Every other action" if kind == "*" else labels.get(kind, kind)
        short = SHORT_LABELS.get(kind, label)
        rows.append(
            {
                "kind": kind,
                "label": label,
                "short": short,
                # shares ("2/3"): the page shows them as the reader writes a percentage
                "quorum": str(floor["quorum"]),
                "threshold": str(floor["threshold"]),
                "inclusive": floor["inclusive"],
                "voting_hours": floor["voting_seconds"] / 3600,
                "timelock_hours": floor["timelock_seconds"] / 3600,
            }
        )
    return rows


class Listing(NamedTuple):
    """Which proposals the governance page lists, and whom its delegation form offers
    (from the address: `?state=`, `?title=`, `?page=`, `?who=`)."""

    state: str = ""
    title: str = ""
    page: int = 1
    who: str = ""

    @property
    def narrowed(self) -> bool:
        """One state's proposals, or a title search: a flat, paged list (not the groups)."""
        return bool(self.state or self.title)


def _listing(state: str, title: str, page: str, who: str) -> Listing:
    """The page's `Listing` from its address; an unknown state or page is refused naming it."""
    if state and state not in STATES:
        raise Invalid("Choose a state from the list.", field="state")
    return Listing(state, title.strip()[:200], page_number(page, "page"), who.strip()[:100])


def _list_page(
    request: Request, here: Here, refused: Refused | None = None, listing: Listing = Listing()
) -> Response:
    ctx, community = here, here.community
    path = f"/communities/{community.slug}/governance"
    found, found_pager, groups = None, None, []
    if listing.narrowed:
        found = service.listed_page(
            ctx.session,
            community,
            ctx.viewer,
            state=listing.state or None,
            title=listing.title or None,
            offset=(listing.page - 1) * service.LIST_SHOWN,
        )

        def url(at: int) -> str:
            return address(path, state=listing.state, title=listing.title, page=at)

        found_pager = pager(len(found.rows), found.total, listing.page, service.LIST_SHOWN, url)
    else:
        rank = {state: i for i, state in enumerate(STATE_ORDER)}
        groups = sorted(
            service.listed_groups(ctx.session, community, ctx.viewer),
            key=lambda g: rank.get(g.state, len(rank)),
        )
    version, floors = constitution.floors(ctx.session, community)
    propose_form = None
    if refused is None and here.is_member:  # the blank form: kept per language and rules
        rules = json.dumps(floors, sort_keys=True)
        kept = _blank_propose_form(
            request.app.state.templates,
            reader_locale(request),
            community.slug,
            rules,
            tuple(_action_kinds()),
        )
        propose_form = for_reader(request, kept)
    choices = (
        delegation.form_choices(ctx.session, community, ctx.viewer, name=listing.who or None)
        if here.is_member
        else delegation.NO_CHOICES
    )
    data = here.page(
        groups=groups,
        listing=listing,
        states=STATE_CHOICES,
        found=found.rows if found else None,
        found_pager=found_pager,
        state_address=lambda state: address(path, state=state),
        propose_form=propose_form,
        methods=[(m, METHOD_LABELS[m]) for m in METHODS],
        action_kinds=_action_kinds(),
        delegations=choices.given,
        members=choices.members,
        members_total=choices.total,
        **form_context(refused, _prefill(floors)),
        constitution_version=version,
        floor_rows=_floor_rows(floors),
    )
    return render(request, "governance/list.html", data, ctx=ctx, status_code=status_of(refused))


def _prefill(floors: dict[str, constitution.Floor]) -> dict[str, str]:
    """The proposal form's values before anything is typed: the usual rules in force."""
    standard = floors[constitution.FALLBACK]
    return {
        "quorum": standard["quorum"],
        "threshold": standard["threshold"],
        "voting_hours": f"{standard['voting_seconds'] / 3600:g}",
        "timelock_hours": f"{standard['timelock_seconds'] / 3600:g}",
        "seats": "1",
        "secret": "default",
        "action_kind": "text",
        "method": "majority",
    }


def _action_kinds() -> list[tuple[str, str]]:
    return sorted((a.kind, a.label) for a in actions.load_all().values())


@lru_cache(maxsize=256)
def _blank_propose_form(
    templates: Any, locale: str, slug: str, rules: str, kinds: tuple[tuple[str, str], ...]
) -> str:
    """The proposal form as a member first sees it (nothing typed, nothing refused), with
    `READER_TOKEN` for the CSRF token: a function of the language, the community's address and its
    constitution's floors (`rules`, as JSON) and the kinds of action (`kinds`) alone
    (`templating.fragment`), written once per
    process for each, not on every governance page (a third of its rendering)."""
    floors = json.loads(rules)
    context = {
        "community": SimpleNamespace(slug=slug),
        "csrf_token": READER_TOKEN,
        "methods": [(m, METHOD_LABELS[m]) for m in METHODS],
        "action_kinds": list(kinds),
        "floor_rows": _floor_rows(floors),
        **form_context(None, _prefill(floors)),
    }
    return str(fragment(templates, "governance/_propose_form.html", locale, **context))


@router.get(BASE, response_class=HTMLResponse)
async def proposals_page(
    request: Request, slug: str, state: str = "", title: str = "", page: str = "", who: str = ""
) -> Response:
    """Proposals grouped by state (each state's newest; `?state=` lists one state a hundred
    at a time, `?title=` finds them by title), the constitution, and forms to propose and
    to delegate (`?who=` finds the member to delegate to).

    Read on the event loop after any due step, and for readers not signed in rendered once
    until the database changes or the next step falls due (`caught_up_read`)."""
    listing = _listing(state, title, page, who)
    return await caught_up_read(
        request, slug, lambda here: _list_page(request, here, listing=listing), page=True
    )


def _form_list(value: str) -> list[str]:
    return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


MAX_HOURS = 10**6  # beyond any rule's range: the rules say which range


def _hours(text: dict[str, str], key: str, default: str) -> int:
    raw = text.get(key) or default
    try:
        hours = float(raw)
    except ValueError:
        hours = math.nan
    if not math.isfinite(hours) or abs(hours) > MAX_HOURS:  # the rules then say their range
        raise Invalid("Hours are a number, e.g. 72 or 1.5.", field=key)
    return int(hours * 3600)


@router.post(BASE + "/proposals")
def create_proposal(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Draft a proposal from the form (shown again with the problem if a rule is too low)."""
    text = {k: str(v) for k, v in posted.items()}
    try:
        with here.session.begin_nested():
            proposal = service.create_proposal(
                here.session, here.community, here.viewer, **_proposal_fields(text)
            )
    except ValueError:
        return _list_page(request, here, _proposal_refused(Invalid("Check the numbers."), text))
    except DomainError as exc:
        return _list_page(request, here, _proposal_refused(exc, text))
    return redirect(
        request,
        f"/communities/{here.community.slug}/governance/proposals/{proposal.number}",
        "Draft saved. Open voting when it is ready.",
    )


def _proposal_refused(error: DomainError, text: dict[str, str]) -> Refused:
    """The proposal form refused; the rules' names are the form's fields (FORM_FIELD)."""
    return Refused("proposal", error, text, FORM_FIELD)


def _proposal_fields(text: dict[str, str]) -> dict[str, Any]:
    """The proposal form's fields as `service.create_proposal` takes them."""
    rules: dict[str, Any] = {"open_results": text.get("open_results") == "on"}
    # a field left empty takes the floor (the form starts at the floor anyway)
    for key, field in (("voting_seconds", "voting_hours"), ("timelock_seconds", "timelock_hours")):
        if (text.get(field) or "").strip():
            rules[key] = _hours(text, field, "0")
    for key in ("quorum", "threshold"):
        if (text.get(key) or "").strip():
            rules[key] = text[key].strip()
    ballot_mode = text.get("secret")
    if ballot_mode in {"secret", "open"}:
        rules["secret"] = ballot_mode != "open"
    try:
        seats = int(text.get("seats") or 1)
    except ValueError:
        raise Invalid("Winners is a whole number.", field="seats") from None
    return {
        "title": text.get("title", ""),
        "body": text.get("body", ""),
        "method": text.get("method", "majority"),
        "options": _form_list(text.get("options", "")),
        "seats": seats,
        "action": {"kind": text.get("action_kind", "text"), "params": _action_params(text)},
        "rules": rules,
    }


def _action_params(text: dict[str, str]) -> dict[str, Any]:  # noqa: PLR0911 - one per kind
    kind = text.get("action_kind", "text")
    if kind == "text":
        return {"note": text.get("action_note", "")} if text.get("action_note") else {}
    if kind == "grant":
        return {
            "pool": text.get("grant_pool", "treasury"),
            "amount": int(text.get("grant_amount") or 0),
            "recipient": text.get("grant_recipient", ""),
        }
    if kind in {"commit_allocation_run"}:
        return {"run_id": int(text.get("run_id") or 0)}
    if kind == "change_setting":
        return {"key": text.get("setting_key", ""), "value": text.get("setting_value", "")}
    if kind == "admit_member":
        return {"user_id": int(text.get("user_id") or 0), "role": text.get("role") or "member"}
    if kind == "remove_member":
        return {"user_id": int(text.get("user_id") or 0)}
    if kind == "amend_constitution":
        floor = {
            "quorum": text.get("amend_quorum", ""),
            "threshold": text.get("amend_threshold", ""),
            "inclusive": text.get("amend_inclusive") == "on",
            "voting_seconds": _hours(text, "amend_voting_hours", "0"),
            "timelock_seconds": _hours(text, "amend_timelock_hours", "0"),
        }
        return {"floors": {text.get("amend_kind") or "*": floor}}
    return {}


@router.post(BASE + "/delegation")
def delegation_form(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Delegate your vote, or take the delegation back."""
    text = {k: str(v) for k, v in posted.items()}
    scope = text.get("scope") or "*"
    url = f"/communities/{here.community.slug}/governance"
    try:
        with here.session.begin_nested():
            if text.get("revoke"):
                delegation.revoke_delegation(
                    here.session, here.community, here.viewer, here.settings, scope
                )
                return redirect(request, url, "Delegation withdrawn: you vote yourself.")
            delegate_id = int(text.get("delegate_id") or 0)
            delegation.delegate(
                here.session, here.community, here.viewer, delegate_id, here.settings, scope
            )
    except ValueError:
        error = Invalid("Choose a member.", field="delegate_id")
        return _list_page(request, here, Refused("delegation", error, text))
    except DomainError as exc:
        return _list_page(request, here, Refused("delegation", exc, text, {"": "delegate_id"}))
    return redirect(request, url, "Delegated. Your own vote still overrides it.")


@router.get(BASE + "/ledger", response_class=HTMLResponse)
async def ledger_page(request: Request, slug: str) -> Response:
    """The ledger: latest signed checkpoint, the key, the newest entries (`caught_up_read`:
    shared by readers not signed in while nothing changes; it names the instance's
    address, so only when that is set)."""
    return await caught_up_read(
        request, slug, lambda here: _ledger_page(request, here), page=True, address=True
    )


def _ledger_page(request: Request, here: Here) -> Response:
    checkpoint = ledger.latest(here.session, here.community)
    rows, count = ledger.newest_and_size(here.session, here.community, 50)
    names: dict[int, str] = {}
    if here.is_member:  # outsiders read "member #id", as the JSON says
        ids = set().union(*(ledger_words.people_in(e.data) for e in rows)) if rows else set()
        if ids:
            found = here.session.execute(_NAMES, {"ids": sorted(ids)})
            names = {int(row[0]): str(row[1]) for row in found}
    templates, locale = request.app.state.templates, reader_locale(request)
    entries = []
    for e in rows:
        named = tuple(sorted((i, names[i]) for i in ledger_words.people_in(e.data) if i in names))
        entries.append(_entry_html(templates, e.seq, e.data, named, locale))
    data = here.page(
        checkpoint=checkpoint,
        vkey=ledger.instance_verifier(here.settings).vkey(),
        entries=entries,
        count=count,
        base_url=own_address(request),
    )
    return render(request, "governance/ledger.html", data, ctx=here)


_NAMES = select(User.id, User.display_name).where(User.id.in_(bindparam("ids", expanding=True)))


@lru_cache(maxsize=2048)
def _entry_html(
    templates: Any, seq: int, data: str, names: tuple[tuple[int, str], ...], locale: str
) -> Markup:
    """One ledger entry as the page lists it: its sentence (naming `names`, the people in it
    the reader may know by name), its time and its JSON. A function of its arguments alone
    (`templating.fragment`), and entries never change once written: each is written once per
    process, language and set of names, and given again to every reader."""
    said = ledger_words.describe(seq, data, dict(names), Reader(locale).gettext)
    return fragment(templates, "governance/_ledger_entry.html", locale, e=said)


@router.get(BASE + "/ledger/verify", response_class=HTMLResponse)
async def verify_page(request: Request, slug: str) -> Response:
    """Recompute the whole ledger now and show what was found (problems in the reader's
    words). The same ledger gives the same report: for readers not signed in it is
    recomputed only when the database changed (`caught_up_read`), so a link to it that goes
    round cannot keep the server hashing."""
    return await caught_up_read(
        request, slug, lambda here: _verify_page(request, here), page=True, address=True
    )


def _verify_page(request: Request, here: Here) -> Response:
    report = ledger.verify(here.session, here.community, here.settings)
    data = here.page(
        report=report,
        problems=[worded_detail(problem, reader(request)) for problem in report.problems],
        base_url=own_address(request),
    )
    return render(request, "governance/verify.html", data, ctx=here)


# after the list's fixed paths
router.include_router(proposal_router)

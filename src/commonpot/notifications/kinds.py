"""The kinds of notification, their words (gettext msgids) and how people hear them by default."""

from __future__ import annotations

from dataclasses import dataclass

CHANNELS = ("inapp", "email", "digest", "off")


def N_(message: str) -> str:  # noqa: N802 (the gettext name for marked strings)
    """Mark a string for translation; it is translated when rendered for its reader."""
    return message


@dataclass(frozen=True)
class Kind:
    """One kind of notification: a label for preferences, a subject and a body (with %(x)s)."""

    name: str
    label: str
    subject: str
    body: str
    default: str = "email"


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "need_matched",
            N_("Your need was matched"),
            N_("Your need was matched: %(quantity)s of %(category)s"),
            N_(
                "An allocation in %(community)s matched %(quantity)s of %(category)s to your "
                "need. Where: %(where)s."
            ),
        ),
        Kind(
            "offer_allocated",
            N_("Your offer was allocated"),
            N_("Your offer was allocated: %(quantity)s of %(category)s"),
            N_(
                "An allocation in %(community)s gave %(quantity)s of your %(category)s to "
                "people who need it."
            ),
        ),
        Kind(
            "waitlist_opened",
            N_("A waitlist place opened"),
            N_("You have a place at %(title)s"),
            N_("A place opened at %(title)s (%(community)s) and it is yours now."),
        ),
        Kind(
            "event_reminder",
            N_("Event reminders"),
            N_("Tomorrow: %(title)s"),
            N_("%(title)s (%(community)s) starts at %(starts)s. Where: %(where)s."),
        ),
        Kind(
            "event_cancelled",
            N_("Event cancelled"),
            N_("Cancelled: %(title)s"),
            N_("%(title)s (%(community)s) was cancelled."),
        ),
        Kind(
            "event_changed",
            N_("Event changed"),
            N_("Changed: %(title)s"),
            N_(
                "%(title)s (%(community)s) has changed. It starts at %(starts)s. "
                "Where: %(where)s. Menu: %(menu)s."
            ),
        ),
        Kind(
            "proposal_opened",
            N_("Proposal opened for voting"),
            N_("Vote now: %(title)s"),
            N_("Proposal #%(number)s in %(community)s is open for voting: %(title)s."),
            default="inapp",
        ),
        Kind(
            "flash_event",
            N_("Flash event called"),
            N_("Flash event: %(title)s"),
            N_("%(title)s (%(community)s) was just called for %(starts)s. Where: %(where)s."),
            default="inapp",
        ),
        Kind(
            "proposal_closing",
            N_("Voting closes soon"),
            N_("Voting closes tomorrow: %(title)s"),
            N_("Voting on proposal #%(number)s in %(community)s closes within a day: %(title)s."),
            default="inapp",
        ),
        Kind(
            "proposal_result",
            N_("Proposal result"),
            N_("Result: %(title)s"),
            N_("Voting on proposal #%(number)s in %(community)s has closed: %(outcome)s."),
            default="inapp",
        ),
        Kind(
            "invited",
            N_("You were invited"),
            N_("You were invited to %(community)s"),
            N_("A steward of %(community)s invited you to join as %(role)s."),
        ),
        Kind(
            "role_changed",
            N_("Your role changed"),
            N_("Your role in %(community)s changed"),
            N_("You are now %(role)s in %(community)s."),
        ),
        Kind(
            "handover_confirmed",
            N_("A pickup was confirmed"),
            N_("Confirmed: %(quantity)s %(unit)s of %(category)s"),
            N_(
                "The pickup of %(quantity)s %(unit)s of %(category)s in %(community)s is "
                "confirmed for %(when)s."
            ),
            default="inapp",
        ),
        Kind(
            "handover_window",
            N_("A pickup window changed"),
            N_("New pickup time: %(quantity)s %(unit)s of %(category)s"),
            N_(
                "The pickup of %(quantity)s %(unit)s of %(category)s in %(community)s now "
                "starts at %(when)s."
            ),
            default="inapp",
        ),
        Kind(
            "handover_volunteer",
            N_("A volunteer will carry food"),
            N_("A volunteer carries %(quantity)s %(unit)s of %(category)s"),
            N_(
                "A volunteer in %(community)s will carry %(quantity)s %(unit)s of %(category)s "
                "(from %(when)s)."
            ),
            default="inapp",
        ),
        Kind(
            "handover_picked_up",
            N_("Food is on its way"),
            N_("On its way: %(quantity)s %(unit)s of %(category)s"),
            N_("%(quantity)s %(unit)s of %(category)s in %(community)s were picked up."),
            default="inapp",
        ),
        Kind(
            "handover_handed_over",
            N_("Food was handed over"),
            N_("Handed over: %(quantity)s %(unit)s of %(category)s"),
            N_(
                "%(quantity)s %(unit)s of %(category)s reached the person who needed them in "
                "%(community)s. Thank you."
            ),
            default="inapp",
        ),
        Kind(
            "handover_declined",
            N_("A pickup was declined"),
            N_("Declined: %(quantity)s %(unit)s of %(category)s"),
            N_(
                "The pickup of %(quantity)s %(unit)s of %(category)s in %(community)s was "
                "declined; the food goes to the next person who needs it."
            ),
            default="inapp",
        ),
        Kind(
            "handover_expired",
            N_("A pickup window was missed"),
            N_("Missed: %(quantity)s %(unit)s of %(category)s"),
            N_(
                "Nobody collected %(quantity)s %(unit)s of %(category)s in %(community)s in "
                "time; the food goes to the next person who needs it."
            ),
            default="inapp",
        ),
        Kind(
            "job_failed",
            N_("A background job failed (stewards)"),
            N_("A job failed: %(title)s"),
            N_("The background job “%(title)s” in %(community)s failed: %(error)s"),
        ),
        Kind(
            "telemetry_alarm",
            N_("A compost drum raised an alert (stewards)"),
            N_("%(device)s: %(alert)s (%(level)s)"),
            N_(
                "%(device)s in %(community)s: %(alert)s (%(level)s) since %(since)s. "
                "Worst value so far: %(peak)s."
            ),
        ),
    )
}

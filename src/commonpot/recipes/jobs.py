"""Recipe imports that run in the background: a web page fetched, an uploaded file or archive.

Fetching a page can take seconds and a Mealie or Tandoor export holds hundreds of recipes, so
the import form queues a job and shows its progress (`/jobs/{id}`); the job's result link
opens the imported recipe (or the archive when there are several). Pasted HTML is small and
is imported at once by the form itself.
"""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from commonpot import jobs
from commonpot.accounts import Viewer, viewer_for
from commonpot.communities import Community, community_by_id, require_member
from commonpot.errors import Forbidden, Invalid
from commonpot.fields import is_web_url
from commonpot.recipes import exchange
from commonpot.recipes.jsonld import MAX_INPUT_BYTES
from commonpot.words import said, said_n

IMPORT_JOB = "recipes.import"
MAX_FILE_BYTES = MAX_INPUT_BYTES * 4


def start_import(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    url: str = "",
    upload: bytes = b"",
    filename: str = "",
) -> jobs.Job:
    """A member imports from a web address or an uploaded file in the background; the job."""
    member = require_member(session, community, viewer)
    if len(upload) > MAX_FILE_BYTES:
        raise Invalid("The file is larger than 20 MB.", field="file")
    payload: dict[str, Any] = {"community_id": community.id}
    if upload:
        payload["content"] = base64.b64encode(upload).decode("ascii")
        title = filename[:120] or "file"
    elif url:
        if not is_web_url(url):
            raise Invalid("The address must start with http:// or https://.", field="url")
        payload["url"] = url
        title = url[:120]
    else:
        raise Invalid("Give a web address, paste a page, or choose a file.", field="url")
    return jobs.enqueue(
        session,
        IMPORT_JOB,
        payload,
        community_id=community.id,
        created_by=member.user_id,
        title=said("Recipe import (%(source)s)", source=title),
    )


def import_job(ctx: jobs.JobContext, payload: dict[str, Any]) -> str:
    """Fetch or unpack, store every recipe found; the imported recipe's (or the list's) page."""
    session = ctx.session
    community = community_by_id(session, int(payload["community_id"]))
    viewer = viewer_for(session, ctx.created_by)
    if viewer.user is None:
        raise Forbidden("The person who started this import has no account any more.")
    if "url" in payload:
        ctx.progress(10, said("Fetching the page"))
        found = exchange.import_url(session, community, viewer, str(payload["url"]))
    else:
        ctx.progress(10, said("Reading the file"))
        content = base64.b64decode(payload["content"])
        found = exchange.import_content(session, community, viewer, content)
    ctx.progress(90, said_n("Stored %(num)s recipe", "Stored %(num)s recipes", len(found)))
    # the uploaded bytes are recipes now: keep only what was imported
    summary = {"community_id": community.id, "recipes": [r.id for r in found]}
    session.execute(update(jobs.Job).where(jobs.Job.id == ctx.job_id).values(payload=summary))
    base = f"/communities/{community.slug}/recipes"
    return f"{base}/{found[0].id}" if len(found) == 1 else base


# a page without recipes or a damaged file fails the same way twice: stewards may retry
JOBS = (jobs.JobSpec(IMPORT_JOB, import_job, max_attempts=1),)
PERIODIC: tuple[jobs.PeriodicSpec, ...] = ()

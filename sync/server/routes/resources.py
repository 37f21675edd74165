"""Reference data of the desk over REST: people, teams and their pipelines, what tickets
are filed under, reusable text, sales teams, leave and the desk settings.

Who may do what (the server checks every call; nothing the client says about itself counts):

| resource                                      | read            | write (create/update/delete) |
| --------------------------------------------- | --------------- | ---------------------------- |
| contacts, accounts                            | staff           | staff                        |
| tags, canned replies                          | staff           | staff (personal: own only)   |
| companies                                     | staff           | supervisor                   |
| teams, members, followers                     | staff, visible  | supervisor, visible          |
| following a team oneself (O4)                 | -               | staff, visible               |
| stages (of a team)                            | staff, visible  | supervisor, visible          |
| departments, subjects, subtypes, custom fields| staff           | supervisor                   |
| KB articles, sales teams, leave periods       | staff           | supervisor                   |
| users (staff directory; no password hashes)   | staff           | admin                        |
| settings (priority matrix, SLA targets)       | staff           | admin                        |

staff = agent, supervisor or admin; supervisor = supervisor or admin. Portal customers get
403 on all of these (they have /portal); no token is 401. "visible": a team the caller may
not see (private, not invited; core.visibility.visible_teams_clause) answers 404, as do
its stages, as if it did not exist (O3). Canned replies of a hidden team or of another
user are hidden the same way: a personal reply is its owner's alone, read, edited or
deleted by nobody else, admins included (they manage the shared ones; E2).

Deleting: rows with an `active` flag (users, teams, departments) are deactivated; other
rows are deleted, or refused with 409 `in_use` while another row still points at them.
Lists page with `limit`/`offset` (`next_offset` is null on the last page); the short
child lists of one parent (a team's stages, a department's subjects, a subtype's fields)
come whole. PATCH takes an optional `base_version`: when the row moved on since, nothing
changes (409). A team leaving "public" drops its portal followers and those of its tickets
(O3, through core.visibility.set_team_visibility); a non-admin who makes a team private
joins it, or it would vanish from their own sight.
"""

from __future__ import annotations

from fastapi import APIRouter

from sync.server.routes import (
    resources_catalog,
    resources_desk,
    resources_people,
    resources_teams,
)

router = APIRouter()
for _module in (resources_people, resources_teams, resources_catalog, resources_desk):
    for _sub in _module.routers:
        router.include_router(_sub)

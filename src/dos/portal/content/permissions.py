"""Named permissions of the content app (see dos.portal.accounts.permissions).

Editors and city admins write posts, pages and documents of their city; publishing (moving a
post from review to published, scheduling, withdrawing, changing a published post) needs
``content.publish_post``, which city admins hold: they are the city's reviewers. Region admins
hold everything. Region-wide objects (no city) need a region-wide role.
"""

from dos.portal.accounts.roles import CITY_ADMIN, EDITOR

WRITERS = {EDITOR, CITY_ADMIN}

PERMISSIONS = {
    "content.view_post": WRITERS,
    "content.add_post": WRITERS,
    "content.change_post": WRITERS,
    "content.delete_post": WRITERS,
    "content.publish_post": {CITY_ADMIN},
    "content.view_page": WRITERS,
    "content.add_page": WRITERS,
    "content.change_page": WRITERS,
    "content.delete_page": WRITERS,
    "content.view_document": WRITERS,
    "content.add_document": WRITERS,
    "content.change_document": WRITERS,
    "content.delete_document": WRITERS,
    "content.view_tag": WRITERS,
    "content.add_tag": WRITERS,
    "content.change_tag": WRITERS,
    "content.delete_tag": {CITY_ADMIN},
    "content.view_searchentry": set(),
    "content.rebuild_search": set(),
}

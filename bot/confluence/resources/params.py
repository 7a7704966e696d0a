"""Allowed values of query parameters, as Atlassian's OpenAPI documents give them.

Each operation has its own list (a list endpoint takes fewer body formats than a single item; blog
posts cannot be sorted by title), so each parameter is typed with the list of the operations it
is sent to. tests/confluence/test_spec_conformance.py checks these against the documents.
"""

from __future__ import annotations

from typing import Literal

# One page, blog post or comment (GET /pages/{id}, /blogposts/{id}, /footer-comments/{id}).
BodyFormat = Literal["storage", "atlas_doc_format", "view"]
# Lists, tasks and custom content.
ListBodyFormat = Literal["storage", "atlas_doc_format"]
PageSort = Literal[
    "id",
    "-id",
    "created-date",
    "-created-date",
    "modified-date",
    "-modified-date",
    "title",
    "-title",
]
BlogPostSort = Literal[
    "id", "-id", "created-date", "-created-date", "modified-date", "-modified-date"
]
PageStatus = Literal["current", "archived", "deleted", "trashed"]
BlogPostStatus = Literal["current", "deleted", "trashed"]
SpaceType = Literal["global", "collaboration", "knowledge_base", "personal"]
SpaceStatus = Literal["current", "archived"]
TaskStatus = Literal["complete", "incomplete"]
Excerpt = Literal["highlight", "indexed", "none", "highlight_unescaped", "indexed_unescaped"]
# Comment lists (CommentSortOrder).
CommentSort = Literal["created-date", "-created-date", "modified-date", "-modified-date"]

"""Every Confluence request the client makes exists in Atlassian's OpenAPI documents.

The per-test check runs in conftest (`_conforms_to_openapi`) after every test that used the fake; this
module proves the check itself can fail, and reports clearly when the specs are absent.
"""

from __future__ import annotations

import pytest

from tests.confluence.conftest import SPECS, _spec_routes, spec_mismatches
from tests.fakes.confluence_fake import FakeConfluence
from tests.shared_specs import missing


def test_spec_check_catches_unknown_paths(fake: FakeConfluence) -> None:
    if _spec_routes() is None:
        pytest.skip(missing("the Confluence OpenAPI documents", SPECS))
    from tests.fakes.confluence_fake import RecordedRequest

    fake.requests.append(
        RecordedRequest(
            method="GET", path="/wiki/api/v2/not-a-thing", query={}, headers={}, body=b""
        )
    )
    fake.requests.append(
        RecordedRequest(method="PATCH", path="/wiki/api/v2/pages/1", query={}, headers={}, body=b"")
    )
    assert spec_mismatches(fake) == ["GET /wiki/api/v2/not-a-thing", "PATCH /wiki/api/v2/pages/1"]
    fake.requests.clear()

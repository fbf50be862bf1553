"""The vendored copy of shared/ (tests/data/shared) is identical to the live folder when present."""

from __future__ import annotations

import pytest

from tests.conftest import VENDORED_SHARED, live_shared


@pytest.mark.parametrize("name", ["personas/public.yml", "reference/dispositifs.md", "contract/profile.schema.json",
                                  "contract/recommendation.schema.json", "contract/dispositifs.yml"])
def test_vendored_shared_files_match_the_live_folder(name):
    live = live_shared()
    if live is None:
        pytest.skip("no live shared/ folder on this machine: the vendored copy is used")
    assert (VENDORED_SHARED / name).read_bytes() == (live / name).read_bytes(), name

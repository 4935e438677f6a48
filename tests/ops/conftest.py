"""The helper modules of these tests get pytest's assertion messages too."""

import pytest

pytest.register_assert_rewrite("tests.ops.cluster", "tests.ops.invariants")

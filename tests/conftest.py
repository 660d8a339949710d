import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def policy():
    from policy import load_policy

    return load_policy()


@pytest.fixture(scope="session")
def rows(policy):
    from policy.coverage import designation_rows

    return designation_rows(policy)

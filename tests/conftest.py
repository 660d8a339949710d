from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def policy():
    from policy import load_policy

    return load_policy()


@pytest.fixture(scope="session")
def rows(policy):
    from policy.coverage import designation_rows

    return designation_rows(policy)

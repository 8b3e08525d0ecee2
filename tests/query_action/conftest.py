"""Fixtures of the Terraform 1.12-1.14 tests (issue 17): resource identity, list
resources (`terraform query`) and the action ssmpatch_patch_now. tests/ssm_endpoint.py
and tests/harness do the work.

- ``ssm_endpoint``: the session's SSM endpoint: the local emulator in ap-northeast-1
  with SigV4 checking, or the endpoint of SSMPATCH_TEST_ENDPOINT (tests that need
  instances or fault injection then skip, saying so);
- ``ep``: the same for one test, started from an empty emulator;
- ``provider``, ``provider_binary``, ``protocol``: tests/harness/fixtures.py's
  (``provider(protocol=6, configure=True)``: a harness Provider configured for
  ``ep``, closed at teardown and required to exit cleanly; ``protocol``: 5 and 6).
"""
import os
import sys

import pytest

sys.path[:0] = [d for d in (os.path.abspath(os.path.join(os.path.dirname(__file__), "..")),) if d not in sys.path]
from ssm_endpoint import EMULATOR_DIR, endpoint_fixture  # noqa: E402
from harness.fixtures import protocol, provider, provider_binary  # noqa: E402,F401

sys.path[:0] = [EMULATOR_DIR] if EMULATOR_DIR not in sys.path else []  # seed_fleet
ssm_endpoint = endpoint_fixture("ssm_endpoint", provider_defaults={"max_retries": 1},
                                region="ap-northeast-1", check_sigv4=True)


@pytest.fixture
def ep(ssm_endpoint):
    ssm_endpoint.begin_test()
    return ssm_endpoint


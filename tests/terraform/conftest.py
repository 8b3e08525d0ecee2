"""The SSM endpoint the real-CLI acceptance tests run against (fixture
``ssm_endpoint``, tests/ssm_endpoint.py).

By default the local emulator (tests/emulator/) in ap-northeast-1 with SigV4
checking, started and stopped here. With SSMPATCH_TEST_ENDPOINT set, that
endpoint instead (a real account or another emulator), with credentials and
region from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and
AWS_REGION; emulator-only checks (inventory) are skipped there.
"""
import os
import sys

TESTS = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)

from ssm_endpoint import endpoint_fixture  # noqa: E402

ssm_endpoint = endpoint_fixture("ssm_endpoint", region="ap-northeast-1", check_sigv4=True)

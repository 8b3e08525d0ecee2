"""The SSM endpoint the real-CLI acceptance tests run against.

By default the local emulator (tests/emulator/), started and stopped here. With
SSMPATCH_TEST_ENDPOINT set, that endpoint instead (a real account or another
emulator), with credentials and region from AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_REGION; emulator-only checks
(inventory) are skipped there.
"""
import json
import os
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "emulator"))


class SsmEndpoint:
    def __init__(self, url, emulator=None):
        self.url = url
        self.emulator = emulator
        self.is_emulator = emulator is not None

    def terraform_vars(self):
        args = ["-var", f"endpoint={self.url}"]
        if not self.is_emulator:
            args += ["-var", f"region={os.environ['AWS_REGION']}",
                     "-var", f"access_key={os.environ['AWS_ACCESS_KEY_ID']}",
                     "-var", f"secret_key={os.environ['AWS_SECRET_ACCESS_KEY']}"]
        return args

    def terraform_env(self):
        return {}

    def call(self, op, body):
        """Call the SSM API directly, outside Terraform (drift)."""
        if self.is_emulator:
            return self.emulator.ssm(op, body)
        import botocore.session
        client = botocore.session.get_session().create_client(
            "ssm", region_name=os.environ["AWS_REGION"], endpoint_url=self.url)
        name = "".join("_" + c.lower() if c.isupper() else c for c in op).lstrip("_")
        return getattr(client, name)(**body)

    @staticmethod
    def count(inventory, kind):
        """Number of customer objects of a kind ("baselines", "windows", "targets",
        "tasks", "patch_groups") in the emulator's inventory, over all accounts
        and regions."""
        n = 0
        for regions in inventory.values():
            for st in regions.values():
                windows = st.get("maintenance_windows", {}).values()
                n += {
                    "baselines": lambda: len(st.get("patch_baselines", {})),
                    "patch_groups": lambda: len(st.get("patch_groups", [])),
                    "windows": lambda: len(windows),
                    "targets": lambda: sum(len(w.get("Targets", {})) for w in windows),
                    "tasks": lambda: sum(len(w.get("Tasks", {})) for w in windows),
                }[kind]()
        return n


@pytest.fixture(scope="session")
def ssm_endpoint():
    url = os.environ.get("SSMPATCH_TEST_ENDPOINT")
    if url:
        yield SsmEndpoint(url)
        return
    from emulator import Emulator
    with Emulator(region="ap-northeast-1", check_sigv4=True) as emu:
        yield SsmEndpoint(emu.url, emu)

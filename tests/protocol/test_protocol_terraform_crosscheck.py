"""The harness's Terraform emulation agrees with the real Terraform CLI.

The same provider (tests/harness/fake_provider.py, with an injected bug or
none) is driven once by `terraform apply` (dev_overrides, no registry) and
once by harness.Provider.apply: both must accept the clean provider and both
must reject each bug with the same error summary. Skips without a
`terraform` binary on PATH (or $TERRAFORM)."""

import os
import shutil
import subprocess

import pytest

from harness import errors
from harness.provider import Provider

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = os.path.join(HERE, "..", "harness", "fake_provider.py")
TERRAFORM = os.environ.get("TERRAFORM") or shutil.which("terraform")

MAIN_TF = """
terraform {
  required_providers { fake = { source = "example.com/harness/fake" } }
}
provider "fake" {}
resource "fake_thing" "a" {
  name   = "abc"
  groups = ["b", "a"]
  rule {
    approve_after_days = 3
    filter {
      key    = "a"
      values = ["b"]
    }
  }
}
"""
CFG = {"name": "abc", "groups": ["b", "a"],
       "rule": [{"approve_after_days": 3, "filter": [{"key": "a", "values": ["b"]}]}]}

pytestmark = pytest.mark.skipif(not TERRAFORM, reason="terraform CLI not installed")


@pytest.fixture
def tfdir(tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    wrapper = plugins / "terraform-provider-fake"
    wrapper.write_text("#!/bin/sh\nexec /usr/bin/python3 %s \"$@\"\n" % os.path.abspath(FAKE))
    wrapper.chmod(0o755)
    rc = tmp_path / "cli.tfrc"
    rc.write_text('provider_installation {\n  dev_overrides { "example.com/harness/fake" = "%s" }\n'
                  '  direct {}\n}\n' % plugins)
    work = tmp_path / "work"
    work.mkdir()
    (work / "main.tf").write_text(MAIN_TF)
    return tmp_path


def _terraform(tfdir, bug, *args):
    env = dict(os.environ, TF_CLI_CONFIG_FILE=str(tfdir / "cli.tfrc"), FAKE_PROVIDER_BUG=bug,
               FAKE_PROVIDER_STORE=str(tfdir / "tf-store.json"), TF_IN_AUTOMATION="1",
               CHECKPOINT_DISABLE="1")
    return subprocess.run([TERRAFORM, *args, "-no-color"], cwd=tfdir / "work", env=env,
                          capture_output=True, text=True, timeout=180)


def _harness_apply(tfdir, bug):
    p = Provider(binary=FAKE, protocol=6,
                 env={"FAKE_PROVIDER_BUG": bug, "FAKE_PROVIDER_STORE": str(tfdir / "h-store.json")})
    try:
        p.configure({})
        st = p.apply("fake_thing", CFG)
        return st, p.refresh_and_plan("fake_thing", CFG, st).action
    finally:
        p.close()


def test_clean_provider_accepted_by_both(tfdir):
    res = _terraform(tfdir, "", "apply", "-auto-approve")
    assert res.returncode == 0, res.stdout + res.stderr
    res = _terraform(tfdir, "", "plan", "-detailed-exitcode")
    assert res.returncode == 0, "terraform sees changes after apply:\n" + res.stdout
    st, action = _harness_apply(tfdir, "")
    assert st["id"].startswith("ft-") and action == "noop"


@pytest.mark.parametrize("bug,exc", [
    ("plan_changes_config", errors.InvalidPlan),
    ("apply_changes_known", errors.InconsistentResult),
    ("apply_unknown", errors.InvalidResultObject),
])
def test_bug_rejected_by_both(tfdir, bug, exc):
    res = _terraform(tfdir, bug, "apply", "-auto-approve")
    out = res.stdout + res.stderr
    assert res.returncode != 0, out
    assert "Error: " + exc.summary in out, out
    with pytest.raises(exc) as ei:
        _harness_apply(tfdir, bug)
    assert str(ei.value).startswith(exc.summary)

"""Acceptance tests through a real `terraform` CLI, as terraform-plugin-testing does
for Go providers: the provider binary is installed into a local filesystem mirror,
then `terraform init`, `apply`, `plan -detailed-exitcode`, `import` and `destroy`
run the quickstart example (the seed scenario for STG and PRD) against the SSM
endpoint - the local emulator, or the one named by SSMPATCH_TEST_ENDPOINT.

The terraform binary is $TERRAFORM, else `terraform` on PATH; without one these
tests are skipped (and say so). Each test runs over plugin protocol 5 and 6: the
provider offers only the version named by SSMPATCH_PROTOCOL_VERSIONS, which
Terraform passes through to it.
"""
import json
import os
import shutil
import subprocess
import textwrap

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VERSION = "0.1.0"
SOURCE = "registry.terraform.io/ssmpatch/ssmpatch"


def terraform_binary():
    tf = os.environ.get("TERRAFORM") or shutil.which("terraform")
    return tf if tf and os.access(tf, os.X_OK) else None


pytestmark = pytest.mark.skipif(
    terraform_binary() is None,
    reason="no terraform binary (set TERRAFORM or put terraform on PATH): real-CLI acceptance tests skipped",
)


def provider_binary():
    return os.environ.get("SSMPATCH_PROVIDER", os.path.join(REPO, "build", "terraform-provider-ssmpatch"))


class Workdir:
    """One Terraform working directory with its own CLI config and plugin mirror."""

    def __init__(self, tmp_path, protocol, endpoint_env):
        self.root = tmp_path
        self.protocol = protocol
        mirror = tmp_path / "mirror" / SOURCE / VERSION / "linux_amd64"
        mirror.mkdir(parents=True)
        shutil.copy(provider_binary(), mirror / f"terraform-provider-ssmpatch_v{VERSION}")
        self.cli_config = tmp_path / "terraformrc"
        self.cli_config.write_text(textwrap.dedent(f"""
            provider_installation {{
              filesystem_mirror {{
                path    = "{tmp_path / 'mirror'}"
                include = ["{SOURCE}"]
              }}
              direct {{
                exclude = ["{SOURCE}"]
              }}
            }}
        """))
        shutil.copytree(os.path.join(REPO, "examples"), tmp_path / "examples")
        self.dir = tmp_path / "examples" / "quickstart"
        self.env = dict(os.environ)
        self.env.update({
            "TF_CLI_CONFIG_FILE": str(self.cli_config),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "TF_INPUT": "0",
            "SSMPATCH_PROTOCOL_VERSIONS": str(protocol),
            "TF_LOG_PATH": str(tmp_path / "terraform.log"),
            "TF_LOG": os.environ.get("TF_LOG", "DEBUG"),
        })
        self.env.update(endpoint_env)

    def tf(self, *args, expect=(0,), timeout=300):
        proc = subprocess.run([terraform_binary(), *args], cwd=self.dir, env=self.env,
                              capture_output=True, text=True, timeout=timeout)
        if proc.returncode not in expect:
            log = ""
            logpath = self.root / "terraform.log"
            if logpath.exists():
                log = "\n".join(l for l in logpath.read_text().splitlines()
                                if "ssmpatch" in l and ("ERROR" in l or "error" in l))[-4000:]
            raise AssertionError(f"terraform {' '.join(args)} exited {proc.returncode}\n"
                                 f"stdout:\n{proc.stdout[-6000:]}\nstderr:\n{proc.stderr[-6000:]}\n"
                                 f"provider errors in log:\n{log}")
        return proc

    def outputs(self):
        return json.loads(self.tf("output", "-json").stdout)

    def state_list(self):
        return self.tf("state", "list").stdout.split()


@pytest.fixture(params=[5, 6], ids=["protocol5", "protocol6"])
def workdir(request, tmp_path, ssm_endpoint):
    w = Workdir(tmp_path, request.param, ssm_endpoint.terraform_env())
    w.tf("init", "-input=false", "-no-color")
    yield w
    # Never leave objects behind, whatever failed.
    w.tf("destroy", "-auto-approve", "-no-color", *ssm_endpoint.terraform_vars(), expect=(0, 1))


def test_quickstart_apply_noop_drift_import_destroy(workdir, ssm_endpoint):
    tfvars = ssm_endpoint.terraform_vars()
    workdir.tf("apply", "-auto-approve", "-no-color", *tfvars)
    out = workdir.outputs()
    stg, prd = out["stg"]["value"], out["prd"]["value"]
    assert stg["baseline"].startswith("pb-") and prd["baseline"].startswith("pb-")
    assert stg["window"].startswith("mw-")
    assert set(stg["targets"]) == {"scan", "install"} and set(prd["tasks"]) == {"scan", "install"}

    if ssm_endpoint.is_emulator:
        inv = ssm_endpoint.emulator.inventory()
        assert ssm_endpoint.count(inv, "baselines") == 2
        assert ssm_endpoint.count(inv, "windows") == 2
        assert ssm_endpoint.count(inv, "targets") == 4
        assert ssm_endpoint.count(inv, "tasks") == 4

    # A second plan right after apply is empty.
    workdir.tf("plan", "-detailed-exitcode", "-no-color", *tfvars)

    # Drift made outside Terraform shows up as a change, and apply repairs it.
    ssm_endpoint.call("UpdateMaintenanceWindow", {"WindowId": stg["window"], "Duration": 3})
    plan = workdir.tf("plan", "-detailed-exitcode", "-no-color", *tfvars, expect=(2,))
    assert "duration" in plan.stdout
    ssm_endpoint.call("DeregisterTargetFromMaintenanceWindow",
                      {"WindowId": prd["window"], "WindowTargetId": prd["targets"]["scan"], "Safe": False})
    workdir.tf("apply", "-auto-approve", "-no-color", *tfvars)
    workdir.tf("plan", "-detailed-exitcode", "-no-color", *tfvars)
    window = ssm_endpoint.call("GetMaintenanceWindow", {"WindowId": stg["window"]})
    assert window["Duration"] == 1

    # Import: forget two objects, import them by ID, and the plan is empty again.
    out = workdir.outputs()
    stg = out["stg"]["value"]
    workdir.tf("state", "rm", "module.stg.ssmpatch_maintenance_window.this",
               'module.stg.ssmpatch_window_task.this["install"]')
    workdir.tf("import", "-no-color", *tfvars, "module.stg.ssmpatch_maintenance_window.this", stg["window"])
    workdir.tf("import", "-no-color", *tfvars, 'module.stg.ssmpatch_window_task.this["install"]',
               f'{stg["window"]}/{stg["tasks"]["install"]}')
    workdir.tf("plan", "-detailed-exitcode", "-no-color", *tfvars)

    workdir.tf("destroy", "-auto-approve", "-no-color", *tfvars)
    assert workdir.state_list() == []
    if ssm_endpoint.is_emulator:
        inv = ssm_endpoint.emulator.inventory()
        for kind in ("baselines", "windows", "targets", "tasks"):
            assert ssm_endpoint.count(inv, kind) == 0, inv


def test_validate_rejects_bad_config_with_location(workdir, ssm_endpoint):
    bad = workdir.dir.parent / "bad"
    bad.mkdir()
    shutil.copy(workdir.dir / "main.tf", bad / "main.tf")
    (bad / "extra.tf").write_text(textwrap.dedent("""
        resource "ssmpatch_maintenance_window" "bad" {
          name     = "bad-window"
          schedule = "cron(0 17 * * *)"
          duration = 2
          cutoff   = 2
        }
    """))
    shutil.copytree(workdir.dir / ".terraform", bad / ".terraform", symlinks=True)
    lock = workdir.dir / ".terraform.lock.hcl"
    if lock.exists():
        shutil.copy(lock, bad / ".terraform.lock.hcl")
    proc = subprocess.run([terraform_binary(), "validate", "-no-color"], cwd=bad, env=workdir.env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    msg = proc.stdout + proc.stderr
    assert "extra.tf line" in msg, msg
    assert "schedule" in msg and "cutoff" in msg, msg


@pytest.mark.parametrize("example", ["quickstart", "stg", "prd", "modules/ssm-patching"])
def test_examples_validate(tmp_path, example):
    """Every example configuration initialises from the local mirror and validates."""
    w = Workdir(tmp_path, 6, {})
    w.dir = tmp_path / "examples" / example
    w.tf("init", "-backend=false", "-input=false", "-no-color")
    out = w.tf("validate", "-no-color")
    assert "Success" in out.stdout, out.stdout

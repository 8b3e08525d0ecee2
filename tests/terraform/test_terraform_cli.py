"""Acceptance tests through real CLIs, as terraform-plugin-testing does for Go
providers: the provider binary is put into a private filesystem mirror (under
both registry hosts), then `init`, `apply`, `plan -detailed-exitcode`,
`import` and `destroy` run the quickstart example (the seed scenario for STG
and PRD) against the SSM endpoint - the local emulator, or the one named by
SSMPATCH_TEST_ENDPOINT.

The clients come from tests/harness/tfcli.py: terraform ($TERRAFORM or PATH),
tofu ($TOFU or PATH) and the pinned terraform 0.13.7 / 1.14.8 and tofu 1.6.0
from ../shared/clients; an absent one is a skip that says so. The quickstart
runs over plugin protocol 5 and 6 where the client speaks them (the provider
offers only the version named by SSMPATCH_PROTOCOL_VERSIONS, which the CLI
passes through), and each run checks from the CLI's own log that this
protocol was negotiated. SSMPATCH_TF_CLIENTS picks the set (tests/README.md).
"""
import os
import textwrap

import pytest

from harness import tfcli


@pytest.fixture
def cleanup():
    """Destroys whatever the registered working directories still hold."""
    pending = []
    yield pending.append
    for w, args in pending:
        w.run("destroy", "-auto-approve", "-no-color", *args, expect=None)


@pytest.mark.parametrize("cli,protocol", tfcli.protocol_params())
def test_quickstart_apply_noop_drift_import_destroy(cli, protocol, tmp_path, ssm_endpoint, cleanup):
    w = tfcli.Workdir(cli, tmp_path, protocol=protocol, example="quickstart", env=ssm_endpoint.terraform_env())
    tfvars = ssm_endpoint.terraform_vars()
    w.init()
    cleanup((w, tfvars))

    w.run("apply", "-auto-approve", "-no-color", *tfvars)
    assert w.negotiated_protocols() == {protocol}, "the CLI did not negotiate protocol %d" % protocol
    out = w.outputs()
    stg, prd = out["stg"], out["prd"]
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
    w.run("plan", "-detailed-exitcode", "-no-color", *tfvars)

    # Drift made outside Terraform shows up as a change, and apply repairs it.
    ssm_endpoint.call("UpdateMaintenanceWindow", {"WindowId": stg["window"], "Duration": 3})
    plan = w.run("plan", "-detailed-exitcode", "-no-color", *tfvars, expect=(2,))
    assert "duration" in plan.stdout
    ssm_endpoint.call("DeregisterTargetFromMaintenanceWindow",
                      {"WindowId": prd["window"], "WindowTargetId": prd["targets"]["scan"], "Safe": False})
    w.run("apply", "-auto-approve", "-no-color", *tfvars)
    w.run("plan", "-detailed-exitcode", "-no-color", *tfvars)
    window = ssm_endpoint.call("GetMaintenanceWindow", {"WindowId": stg["window"]})
    assert window["Duration"] == 1

    # Import: forget two objects, import them by ID, and the plan is empty again.
    stg = w.outputs()["stg"]
    w.run("state", "rm", "module.stg.ssmpatch_maintenance_window.this",
          'module.stg.ssmpatch_window_task.this["install"]')
    w.run("import", "-no-color", *tfvars, "module.stg.ssmpatch_maintenance_window.this", stg["window"])
    w.run("import", "-no-color", *tfvars, 'module.stg.ssmpatch_window_task.this["install"]',
          "%s/%s" % (stg["window"], stg["tasks"]["install"]))
    w.run("plan", "-detailed-exitcode", "-no-color", *tfvars)

    w.run("destroy", "-auto-approve", "-no-color", *tfvars)
    assert w.state_list() == []
    assert w.negotiated_protocols() == {protocol}
    if ssm_endpoint.is_emulator:
        inv = ssm_endpoint.emulator.inventory()
        for kind in ("baselines", "windows", "targets", "tasks"):
            assert ssm_endpoint.count(inv, kind) == 0, inv


@pytest.mark.parametrize("cli", tfcli.client_params())
def test_validate_rejects_bad_config_with_location(cli, tmp_path):
    w = tfcli.Workdir(cli, tmp_path, example="quickstart")
    (tmp_path / "examples" / "quickstart" / "extra.tf").write_text(textwrap.dedent("""
        resource "ssmpatch_maintenance_window" "bad" {
          name     = "bad-window"
          schedule = "cron(0 17 * * *)"
          duration = 2
          cutoff   = 2
        }
    """))
    w.init("-backend=false")
    proc = w.run("validate", "-no-color", expect=(1,))
    msg = proc.stdout + proc.stderr
    assert "extra.tf line" in msg, msg
    assert "schedule" in msg and "cutoff" in msg, msg


@pytest.mark.parametrize("example", ["quickstart", "stg", "prd", "modules/ssm-patching"])
@pytest.mark.parametrize("cli", tfcli.client_params())
def test_examples_validate(cli, example, tmp_path):
    """Every example configuration initialises from the mirror and validates,
    with every client (OpenTofu resolving ssmpatch/ssmpatch to its own host)."""
    w = tfcli.Workdir(cli, tmp_path, example=example)
    w.init("-backend=false")
    out = w.run("validate", "-no-color")
    assert "Success" in out.stdout, out.stdout
    lock = os.path.join(w.dir, ".terraform.lock.hcl")
    if cli.at_least(0, 14):  # dependency lock files came with 0.14
        with open(lock) as f:
            assert 'provider "%s"' % cli.source in f.read()

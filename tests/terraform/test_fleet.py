"""Fleet scale through the real CLI (issue 14), against the local emulator:

- 25 accounts, one provider alias each (tests/harness/fleet.py): with
  Terraform 1.6+ every command asks for the provider's schema at most once
  (get_provider_schema_optional: the CLI reuses its cached schema in all the
  other provider processes), counted from the provider's own DEBUG lines in
  the CLI's log; and the plan is the one a CLI that asks every process
  (terraform 0.13.7, when present) makes;
- per-resource region through the real CLI, over protocol 5 and 6: the seed
  module in three regions from one provider block: apply, an empty plan,
  drift in one region found there only, import with "<ID>@<region>" (a
  target; the module's `tags = {}` would show as `+ tags = {}` after importing a
  window: an import cannot tell {} from no tags), moving
  the module to another region plans replacements, destroy empties every
  region.

Emulator-only: the aliases assume roles in made-up accounts, and one endpoint
serves three regions.
"""
import json

import pytest

from harness import fleet, tfcli

SCHEMA_LINE = {5: "GetSchema: ", 6: "GetProviderSchema: "}


def schema_calls(log_text, protocol):
    """The provider's DEBUG lines for each schema request, in this log."""
    return sum(1 for ln in log_text.splitlines()
               if SCHEMA_LINE[protocol] in ln and "provider.rpc" in ln and "bytes" in ln)


def fleet_workdir(cli, tmp_path, protocol, n, regions=None):
    w = tfcli.Workdir(cli, tmp_path, protocol=protocol, files={"main.tf": fleet.config(n, regions)})
    fleet.copy_module(w.dir)
    w.init()
    return w


def run_logged(w, *args, expect=(0,)):
    """Run a command with a log of its own; (CompletedProcess, log text)."""
    open(w.log_path, "w").close()
    proc = w.run(*args, expect=expect)
    return proc, w.log()


def plan_changes(w, tfvars, name):
    """{address: (actions, after)} of a saved plan, and the plan command's log."""
    _, log = run_logged(w, "plan", "-no-color", "-input=false", "-out", name, *tfvars)
    shown = json.loads(w.run("show", "-json", name).stdout)
    return {c["address"]: (tuple(c["change"]["actions"]), c["change"].get("after"))
            for c in shown.get("resource_changes", [])}, log


@pytest.mark.parametrize("cli", tfcli.client_params(kinds=("terraform",), min_version=(1, 6)))
def test_25_aliases_ask_for_the_schema_once_per_command(cli, tmp_path, ssm_endpoint):
    ssm_endpoint.requires_emulator("25 aliases assume roles in made-up accounts")
    emu = ssm_endpoint.emulator
    tfvars = ["-var", "endpoint=" + ssm_endpoint.url]
    w = fleet_workdir(cli, tmp_path / "p6", 6, 25)
    try:
        _, log = run_logged(w, "validate", "-no-color")
        assert schema_calls(log, 6) == 1, "validate asked %d times" % schema_calls(log, 6)
        # 26 provider processes (the schema's, then one per alias), one request
        # (exactly one: the count itself is checked to work)
        assert log.count("plugin started") == 26, log.count("plugin started")

        planned, log = plan_changes(w, tfvars, "create.tfplan")
        assert len(planned) == 150 and {a for a, _ in planned.values()} == {("create",)}
        assert schema_calls(log, 6) == 1, "plan asked %d times" % schema_calls(log, 6)

        _, log = run_logged(w, "apply", "-auto-approve", "-no-color", "-input=false", *tfvars)
        assert schema_calls(log, 6) == 1
        inv = emu.inventory()
        for i in range(25):
            region = inv[fleet.account_id(i)][fleet.HOME_REGION]
            assert len(region["maintenance_windows"]) == 1 and len(region["patch_baselines"]) == 1

        proc, log = run_logged(w, "plan", "-detailed-exitcode", "-no-color", "-input=false", *tfvars)
        assert schema_calls(log, 6) == 1 and "No changes" in proc.stdout
        assert log.count("plugin started") == 51

        # Protocol 5 takes the schema from the cache too.
        w5 = tfcli.Workdir(cli, tmp_path / "p5", protocol=5, files={"main.tf": fleet.config(3)})
        fleet.copy_module(w5.dir)
        w5.init()
        _, log = run_logged(w5, "plan", "-no-color", "-input=false", *tfvars)
        assert schema_calls(log, 5) == 1 and log.count("plugin started") == 7
    finally:
        w.run("destroy", "-auto-approve", "-no-color", "-input=false", *tfvars, expect=None)
    inv = emu.inventory()
    assert all(not r["maintenance_windows"] and not r["patch_baselines"]
               for acct in inv.values() for r in acct.values()), inv

    # The plan is the one of a CLI that asks every process for the schema.
    old = tfcli.client("terraform-0.13.7")
    if old is None:
        pytest.skip("terraform-0.13.7 not present: plan not compared with a CLI that asks every process")
    w13 = tfcli.Workdir(old, tmp_path / "old", protocol=5, files={"main.tf": fleet.config(25)})
    fleet.copy_module(w13.dir)
    w13.init()
    assert plan_changes(w13, tfvars, "old.tfplan")[0] == planned


@pytest.mark.parametrize("cli,protocol", tfcli.protocol_params(kinds=("terraform",), min_version=(0, 15)))
def test_three_regions_from_one_provider_block(cli, protocol, tmp_path, ssm_endpoint):
    emu = ssm_endpoint.requires_emulator("one endpoint for three regions")
    regions = ["ap-northeast-1", "us-east-1", "eu-west-1"]
    tfvars = ["-var", "endpoint=" + ssm_endpoint.url]
    w = fleet_workdir(cli, tmp_path, protocol, 1, regions)
    acct = fleet.account_id(0)
    try:
        w.run("apply", "-auto-approve", "-no-color", "-input=false", *tfvars)
        assert w.negotiated_protocols() == {protocol}
        state = w.show_json()["values"]["root_module"]["child_modules"]
        by_region = {}
        for m in state:
            for r in m["resources"]:
                by_region.setdefault(r["values"]["region"], []).append(r)
        assert sorted(by_region) == sorted(regions) and all(len(v) == 6 for v in by_region.values())
        windows = {}
        for r in regions:
            inv = emu.inventory(acct, r)
            assert len(inv["maintenance_windows"]) == 1 and len(inv["patch_baselines"]) == 1, r
            windows[r] = next(iter(inv["maintenance_windows"]))

        w.run("plan", "-detailed-exitcode", "-no-color", "-input=false", *tfvars)

        # Drift in us-east-1: that module's window plans an update, nothing else.
        sk = fleet.STATIC_KEY
        creds = emu.assume_role("arn:aws:iam::%s:role/PatchingAdmin" % acct, credentials=(sk[0], sk[1], None))
        update_in(emu, "us-east-1", creds, windows["us-east-1"])
        proc = w.run("plan", "-detailed-exitcode", "-no-color", "-input=false", *tfvars, expect=(2,))
        assert "module.acct00_us_east_1.ssmpatch_maintenance_window.this will be updated" in proc.stdout
        assert "0 to add, 1 to change, 0 to destroy" in proc.stdout
        w.run("apply", "-auto-approve", "-no-color", "-input=false", *tfvars)

        # Import by <window_id>/<id>@region after forgetting an eu-west-1 target.
        addr = 'module.acct00_eu_west_1.ssmpatch_window_target.this["scan"]'
        tid = next(r["values"]["id"] for m in state for r in m["resources"]
                   if r["address"] == addr)
        w.run("state", "rm", addr)
        w.run("import", "-no-color", "-input=false", *tfvars, addr,
              "%s/%s@eu-west-1" % (windows["eu-west-1"], tid))
        w.run("plan", "-detailed-exitcode", "-no-color", "-input=false", *tfvars)

        # Moving the us-east-1 instance to eu-central-1 replaces its objects.
        moved = fleet.config(1, regions).replace('region             = "us-east-1"',
                                                 'region             = "eu-central-1"')
        (w.dir / "main.tf").write_text(moved)
        proc = w.run("plan", "-detailed-exitcode", "-no-color", "-input=false", *tfvars, expect=(2,))
        assert "module.acct00_us_east_1.ssmpatch_maintenance_window.this must be replaced" in proc.stdout
        assert "6 to add, 0 to change, 6 to destroy" in proc.stdout
        (w.dir / "main.tf").write_text(fleet.config(1, regions))

        w.run("destroy", "-auto-approve", "-no-color", "-input=false", *tfvars)
        for r in regions:
            inv = emu.inventory(acct, r)
            assert not inv["maintenance_windows"] and not inv["patch_baselines"], r
    finally:
        w.run("destroy", "-auto-approve", "-no-color", "-input=false", *tfvars, expect=None)


def update_in(emu, region, creds, window_id):
    """UpdateMaintenanceWindow outside Terraform, signed for `region`."""
    import botocore.session
    c = botocore.session.get_session().create_client(
        "ssm", region_name=region, endpoint_url=emu.url, aws_access_key_id=creds[0],
        aws_secret_access_key=creds[1], aws_session_token=creds[2])
    c.update_maintenance_window(WindowId=window_id, Duration=3)

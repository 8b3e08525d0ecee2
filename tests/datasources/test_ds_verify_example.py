"""examples/verify with a real terraform (1.5+, check blocks) against the emulator's seed
fleet (issue 13, point 4): planned after a failed run of the seed's window it prints the
check warnings naming the window and the patch group, planned after a good run none, and
`plan -detailed-exitcode` exits 0 both times (checks warn, they do not fail a plan).

The example also has outputs (what STG's next install will apply, the pending reboots);
a changed output is a change to `plan -detailed-exitcode` (exit 2), so each run is first
`apply`d, which records the outputs (the configuration has no resources), as an operator
does when taking note of them. Without terraform 1.5+ the test says it was skipped."""

import re

import pytest

from harness import tfcli

import ds_helpers as h

WARNING = "Check block assertion failed"


@pytest.mark.parametrize("cli,protocol", tfcli.protocol_params(min_version=(1, 5)))
def test_ds_verify_example_warns_after_failed_run_only(cli, protocol, ep, tmp_path):
    s = h.seed(ep)  # skips on an external endpoint: instances cannot be made there
    emu, wid = ep.emulator, s["objs"]["window"]
    bad = s["fleet"]["PRD"]["INSTALL"][0]
    emu.fail_instances([bad], operation="Install", times=1)
    assert emu.run_window(wid)["Status"] == "FAILED"

    w = tfcli.Workdir(cli, tmp_path, protocol=protocol, example="verify",
                      env=ep.terraform_env())
    w.init()
    args = ("-no-color",) + tuple(ep.terraform_vars())
    w.run("apply", "-auto-approve", *args)
    plan = w.run("plan", "-detailed-exitcode", *args)  # exit 0: checks only warn
    out = plan.stdout + plan.stderr
    assert out.count(WARNING) == 2, out
    text = " ".join(out.split())  # Terraform wraps long messages
    assert "Maintenance window patch-window-am2 (%s): the last execution" % wid in text
    assert "ended FAILED" in text and bad in text
    assert re.search(r"s3://patch-logs/patch/window/install/[0-9a-f-]+/%s/" % bad, text), text
    assert "Patch group PRD: patch install failed on %s" % bad in text
    assert "Patch group STG" not in text
    assert "No changes." in out
    assert w.negotiated_protocols() == {protocol}

    # the next night's run succeeds (the failure was for one run)
    emu.clock(advance=h.DAY)
    assert emu.run_window(wid)["Status"] == "SUCCESS"
    w.run("apply", "-auto-approve", *args)
    plan = w.run("plan", "-detailed-exitcode", *args)
    out = plan.stdout + plan.stderr
    assert WARNING not in out and "Warning" not in out, out
    assert "No changes." in out

    outputs = w.outputs()
    # STG's next install: the patches its SCAN instance still misses (its INSTALL
    # instance has them installed, waiting for a reboot)
    nxt = {p["title"]: p for p in outputs["next_install"]}
    assert sorted(nxt) == sorted(s["patches"][k]["Title"] for k in ("fresh_critical", "old_important"))
    assert {p["instances"] for p in nxt.values()} == {1}
    assert nxt[s["patches"]["fresh_critical"]["Title"]]["severity"] == "Critical"
    assert outputs["pending_reboots"] == {"STG": s["fleet"]["STG"]["INSTALL"],
                                          "PRD": s["fleet"]["PRD"]["INSTALL"]}

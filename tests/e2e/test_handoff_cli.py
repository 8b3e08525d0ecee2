"""Hand-offs between patch baselines through a real `terraform` CLI (issue 11,
"What it must show" 1 and 7), against the SSM endpoint of tests/ssm_endpoint.py.

One configuration holds the three hand-offs, and every round applies all of
them at once:
  - the default of WINDOWS moves between baselines `a` and `b`;
  - patch group `<prefix>ho-web` of AMAZON_LINUX_2 moves between `c` and `d`;
  - `e` (UBUNTU, patch group `<prefix>ho-ub`, default of UBUNTU) has
    `create_before_destroy` and is replaced (`-replace`) every round.
Rounds run at -parallelism=10 and then at -parallelism=1. After every apply,
the endpoint's registrations are what the configuration says (the default of
each OS, the holders of both groups, the old `e` gone, five baselines), and
`terraform plan -detailed-exitcode` exits 0. The replacement takes the group
(and the default) over from the old `e` every round, so its warnings must
name the old `e` by ID and name; a take-over in the a/b or c/d move happens
only when Terraform ran the taking update first, and must then name the
baseline that held the claim before.

Cost: by default protocol 6 runs SSMPATCH_HANDOFF_ROUNDS rounds (20) at each
parallelism, protocol 5 three; SSMPATCH_HANDOFF_FULL=1 gives both protocols
the full rounds (tests/README.md). The default-baseline parts change
account-wide settings: on an external endpoint they run only with
SSMPATCH_TEST_ACCOUNT_WIDE=1, else the groups alone are handed over.

Also here: the window task's `description` shows as (sensitive value) in a
plan.

The CLI is the first Terraform 1.x that tests/harness/tfcli.py finds ($TERRAFORM
or `terraform` on PATH first; `apply -json` needs 0.15.3+); without one these
tests are skipped and say so (test_handoff.py covers the same hand-offs through
the harness). `Cli` below is the one place that talks to the CLI.
"""
import json
import os
import sys
import textwrap

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))

from handoff import (TAKEOVER_DEFAULT, TAKEOVER_GROUP, default_of, full_matrix,  # noqa: E402
                     group_holders, groups_of, rounds, same_baseline)
from harness import tfcli  # noqa: E402

PB = "ssmpatch_patch_baseline"

def provider_tf(ep):
    """The provider block for this endpoint (values written in), and name_prefix."""
    cfg = ep.provider_config()
    lines = ['terraform {', '  required_providers {',
             '    ssmpatch = { source = "ssmpatch/ssmpatch" }', '  }', '}', '',
             'variable "name_prefix" { type = string }', '', 'provider "ssmpatch" {']
    lines += ['  %s = %s' % (k, json.dumps(cfg[k]))
              for k in ("region", "access_key", "secret_key", "token") if cfg.get(k)]
    lines += ['  endpoints {'] + ['    %s = %s' % (k, json.dumps(v)) for k, v in cfg["endpoints"][0].items()]
    return "\n".join(lines + ['  }', '}', ''])


HANDOFF_TF = """
variable "default_holder" {
  type    = string
  default = "a"
}
variable "group_holder" {
  type    = string
  default = "c"
}
variable "with_default" {
  type    = bool
  default = false
}

locals {
  web = "${var.name_prefix}ho-web"
  ub  = "${var.name_prefix}ho-ub"
}

resource "ssmpatch_patch_baseline" "a" {
  name             = "${var.name_prefix}ho-a"
  operating_system = "WINDOWS"
  approved_patches = ["KB000001"]
  default_baseline = var.with_default && var.default_holder == "a"
}

resource "ssmpatch_patch_baseline" "b" {
  name             = "${var.name_prefix}ho-b"
  operating_system = "WINDOWS"
  approved_patches = ["KB000002"]
  default_baseline = var.with_default && var.default_holder == "b"
}

resource "ssmpatch_patch_baseline" "c" {
  name             = "${var.name_prefix}ho-c"
  operating_system = "AMAZON_LINUX_2"
  approved_patches = ["kernel"]
  patch_groups     = var.group_holder == "c" ? [local.web] : []
}

resource "ssmpatch_patch_baseline" "d" {
  name             = "${var.name_prefix}ho-d"
  operating_system = "AMAZON_LINUX_2"
  approved_patches = ["glibc"]
  patch_groups     = var.group_holder == "d" ? [local.web] : []
}

resource "ssmpatch_patch_baseline" "e" {
  name             = "${var.name_prefix}ho-e"
  operating_system = "UBUNTU"
  approved_patches = ["libc6"]
  patch_groups     = [local.ub]
  default_baseline = var.with_default

  lifecycle {
    create_before_destroy = true
  }
}
"""


class Cli:
    """One working directory of `main.tf` driven by a terraform CLI."""

    def __init__(self, tmp_path, protocol, ep, main_tf):
        cli = tfcli.require(kinds=("terraform",), min_version=(1, 0))
        self.w = tfcli.Workdir(cli, tmp_path, protocol=protocol, files={"main.tf": main_tf},
                               env=ep.terraform_env())
        self.vars = ["-var", "name_prefix=%s" % ep.prefix]

    def run(self, *args, expect=(0,)):
        return self.w.run(*args, *self.vars, expect=expect)

    def init(self):
        self.w.init()

    def apply(self, *args):
        """apply -json: the diagnostics, one dict per warning or error."""
        out = self.run("apply", "-auto-approve", "-json", *args)
        lines = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
        return [m["diagnostic"] for m in lines if m.get("type") == "diagnostic"]

    def plan_exitcode(self, *args):
        return self.run("plan", "-detailed-exitcode", "-no-color", *args, expect=(0, 1, 2)).returncode

    def ids(self):
        """{resource name: id} from the local state file."""
        state = json.loads((self.w.dir / "terraform.tfstate").read_text())
        return {r["name"]: r["instances"][0]["attributes"]["id"]
                for r in state["resources"] if r["mode"] == "managed"}

    def destroy(self):
        self.run("destroy", "-auto-approve", "-no-color", expect=(0, 1))


def protocol_params():
    return [pytest.param(6, id="protocol6"), pytest.param(5, id="protocol5")]


def warnings(diags, summary, address):
    return [d for d in diags
            if d.get("severity") == "warning" and d.get("summary") == summary and d.get("address") == address]


def assert_names(diag, bid, name):
    assert bid in diag["detail"] and name in diag["detail"], diag


@pytest.mark.parametrize("protocol", protocol_params())
def test_handoffs_through_terraform(tmp_path, ep, protocol):
    with_default = not (ep.emulator is None and os.environ.get("SSMPATCH_TEST_ACCOUNT_WIDE") != "1")
    n = rounds(20) if protocol == 6 or full_matrix() else min(3, rounds(20))
    cli = Cli(tmp_path, protocol, ep, provider_tf(ep) + HANDOFF_TF)
    web, ub = ep.prefix + "ho-web", ep.prefix + "ho-ub"
    name = lambda k: ep.prefix + "ho-" + k  # noqa: E731
    aws_default = {os_: default_of(ep, os_) for os_ in ("WINDOWS", "UBUNTU")} if with_default else {}
    takeovers = {"default": 0, "group": 0}
    cli.init()
    try:
        def holders(r):
            return ["-var", "default_holder=%s" % "ab"[r % 2], "-var", "group_holder=%s" % "cd"[r % 2],
                    "-var", "with_default=%s" % str(with_default).lower()]

        cli.apply(*holders(0))
        ids = cli.ids()
        r = 0
        for parallelism in (10, 1):
            for _ in range(n):
                r += 1
                before, old_e = ids, ids["e"]
                diags = cli.apply("-parallelism=%d" % parallelism, "-replace=%s.e" % PB, *holders(r))
                assert not [d for d in diags if d.get("severity") == "error"], diags
                ids = cli.ids()
                dh, gh = "ab"[r % 2], "cd"[r % 2]
                prev_dh, prev_gh = "ab"[(r - 1) % 2], "cd"[(r - 1) % 2]
                where = "round %d, -parallelism=%d" % (r, parallelism)

                # the registrations are what the configuration says
                assert ids["e"] != old_e, where
                assert group_holders(ep, web) == {"AMAZON_LINUX_2": ids[gh]}, where
                assert groups_of(ep, ids[prev_gh]) == [], where
                assert group_holders(ep, ub) == {"UBUNTU": ids["e"]}, where
                assert ep.call_error("GetPatchBaseline", {"BaselineId": old_e}) is not None, where
                if with_default:
                    assert same_baseline(default_of(ep, "WINDOWS"), ids[dh]), where
                    assert same_baseline(default_of(ep, "UBUNTU"), ids["e"]), where
                assert len(ep.baselines()) == 5, where

                # the replacement takes over from the old e every round
                (wg,) = warnings(diags, TAKEOVER_GROUP, PB + ".e")
                assert_names(wg, old_e, name("e"))
                if with_default:
                    (wd,) = warnings(diags, TAKEOVER_DEFAULT, PB + ".e")
                    assert_names(wd, old_e, name("e"))
                # a take-over in the moves names the previous holder
                for d in warnings(diags, TAKEOVER_DEFAULT, PB + "." + dh):
                    assert_names(d, before[prev_dh], name(prev_dh))
                    takeovers["default"] += 1
                for d in warnings(diags, TAKEOVER_GROUP, PB + "." + gh):
                    assert_names(d, before[prev_gh], name(prev_gh))
                    takeovers["group"] += 1

                assert cli.plan_exitcode(*holders(r)) == 0, where
        cli.run("destroy", "-auto-approve", "-no-color", *holders(r))
        assert ep.baselines() == []
        assert group_holders(ep, web) == {} and group_holders(ep, ub) == {}
        for os_, dflt in aws_default.items():
            assert default_of(ep, os_) == dflt
        print("hand-off rounds: %d per parallelism, take-overs in the moves: %r" % (n, takeovers))
    finally:
        cli.destroy()


TASK_TF = """
resource "ssmpatch_maintenance_window" "w" {
  name     = "${var.name_prefix}sens-w"
  schedule = "cron(00 17 * * ? *)"
  duration = 2
  cutoff   = 1
}

resource "ssmpatch_window_task" "t" {
  window_id   = ssmpatch_maintenance_window.w.id
  task_type   = "RUN_COMMAND"
  task_arn    = "AWS-RunPatchBaseline"
  description = "runs at night: pager 555-0100"
  max_concurrency = "1"
  max_errors      = "1"

  targets {
    key    = "InstanceIds"
    values = ["i-0123456789abcdef0"]
  }
}
"""


def test_task_description_sensitive_in_plan(tmp_path, ep):
    cli = Cli(tmp_path, 6, ep, provider_tf(ep) + TASK_TF)
    cli.init()
    out = cli.run("plan", "-no-color").stdout
    assert "pager 555-0100" not in out, out
    lines = [" ".join(line.split()) for line in out.splitlines() if line.strip().startswith("+ description")]
    assert lines == ["+ description = (sensitive value)"], textwrap.shorten(out, 2000)

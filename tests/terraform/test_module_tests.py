"""The module's own tests (examples/modules/ssm-patching/tests/*.tftest.hcl)
run by `terraform test` / `tofu test` - every client 1.6+ present, skipped
with a message for older or absent ones - against the SSM endpoint of the
session: the local emulator, or SSMPATCH_TEST_ENDPOINT.

- every run of both files passes (plan-only assertions: names, schedules,
  patch group, targets, tasks, outputs; the apply through the fixture in
  tests/emulator and a re-plan keeping every object);
- the apply really reached this endpoint (the emulator counted the creates),
  and the test's teardown left nothing behind;
- the plan-only assertions bite: the same tests against a copy of the module
  whose window name is changed fail in that run, and only there.
"""
import re

import pytest

from harness import tfcli

MODULE = "modules/ssm-patching"
RUNS = {
    "tests/emulator.tftest.hcl": ["apply", "replan_keeps_every_object"],
    "tests/plan.tftest.hcl": ["stg_names_and_schedule", "stg_patch_group_and_approval",
                              "stg_targets_and_tasks", "prd_settings"],
}
RUN_RE = re.compile(r'^\s*run "([^"]+)"\.\.\. (\w+)', re.M)


def endpoint_vars(ssm_endpoint):
    """-var arguments for the fixture tests/emulator (module variables)."""
    args = ["-var", "endpoint=" + ssm_endpoint.url, "-var", "region=" + ssm_endpoint.region]
    if ssm_endpoint.sts_url != ssm_endpoint.url:
        args += ["-var", "sts_endpoint=" + (ssm_endpoint.sts_url or "")]
    ak, sk, _ = ssm_endpoint.credentials()
    if ak and sk:
        args += ["-var", "access_key=" + ak, "-var", "secret_key=" + sk]
    if not ssm_endpoint.is_emulator:
        args += ["-var", "environment=%sTFTEST" % ssm_endpoint.prefix]
    return args


def run_results(stdout):
    """{file: {run: status}} from the CLI's progress lines."""
    out, current = {}, None
    for line in stdout.splitlines():
        m = re.match(r"^(tests/\S+\.tftest\.hcl)\.\.\.", line)
        if m:
            current = out.setdefault(m.group(1), {})
            continue
        m = RUN_RE.match(line)
        if m and current is not None:
            current[m.group(1)] = m.group(2)
    return out


@pytest.mark.parametrize("cli", tfcli.client_params(min_version=(1, 6)))
def test_module_tests_pass_against_the_endpoint(cli, tmp_path, ssm_endpoint):
    ssm_endpoint.begin_test()
    w = tfcli.Workdir(cli, tmp_path, example=MODULE)
    w.init()
    proc = w.run("test", "-no-color", *endpoint_vars(ssm_endpoint), timeout=600)
    got = run_results(proc.stdout)
    assert got == {f: {r: "pass" for r in runs} for f, runs in RUNS.items()}, proc.stdout

    if ssm_endpoint.is_emulator:
        calls = ssm_endpoint.emulator.calls()["by_op"]
        for op in ("CreatePatchBaseline", "CreateMaintenanceWindow"):
            assert calls.get(op, {}).get("ok") == 1, (op, calls.get(op))
        for op in ("RegisterTargetWithMaintenanceWindow", "RegisterTaskWithMaintenanceWindow"):
            assert calls.get(op, {}).get("ok") == 2, (op, calls.get(op))
    ssm_endpoint.assert_clean()


@pytest.mark.parametrize("cli", tfcli.client_params(min_version=(1, 6)))
def test_plan_assertions_fail_on_a_broken_module(cli, tmp_path):
    w = tfcli.Workdir(cli, tmp_path, example=MODULE)
    main = w.dir / "main.tf"
    text = main.read_text()
    assert '"${var.window_name}-${lower(var.environment)}"' in text
    main.write_text(text.replace('"${var.window_name}-${lower(var.environment)}"', '"${var.window_name}"'))
    w.init()
    proc = w.run("test", "-no-color", "-filter=tests/plan.tftest.hcl", expect=(1,))
    got = run_results(proc.stdout)["tests/plan.tftest.hcl"]
    assert got == {"stg_names_and_schedule": "fail", "stg_patch_group_and_approval": "pass",
                   "stg_targets_and_tasks": "pass", "prd_settings": "fail"}, proc.stdout
    assert "window name: patch-window-am2" in proc.stdout + proc.stderr

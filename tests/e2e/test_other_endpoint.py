"""test_other_endpoint.py - keeps the "another endpoint" path working.

The project rule: the acceptance tests run unchanged against an endpoint given
by environment variables (tests/README.md, "Running against another
endpoint"). This test follows that recipe itself: it starts a second emulator
process by hand in eu-west-1 (with SigV4 checking, so the exported static test
key is really what signs), exports SSMPATCH_TEST_ENDPOINT / AWS_REGION /
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, reruns a small subset of the e2e,
protocol and terraform tests in a child pytest, and checks that

- the runnable tests passed and the emulator-only ones were skipped as such;
- every call reached that second emulator, in eu-west-1, with no
  authentication failure (so nothing silently used a local emulator);
- nothing of the run is left on it.

About 30 s (the terraform test dominates).
"""
import json
import os
import subprocess
import time
import urllib.request
import xml.etree.ElementTree as ET

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
PYTHON = "/usr/bin/python3"
SERVER = os.path.join(REPO, "tests", "emulator", "server.py")
REGION = "eu-west-1"
# The emulator's static test key (tests/emulator/README.md).
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

# node id -> "passed" or the text the skip reason must contain
SUBSET = {
    "tests/e2e/test_baseline_window.py::test_drift_is_planned_and_restored[6]": "passed",
    "tests/e2e/test_baseline_window.py::test_tag_failure_during_update[6]": "emulator-only",
    "tests/e2e/test_target_task.py::test_target_replaced_while_a_task_uses_it[proto6]": "passed",
    "tests/e2e/test_seed_scenario.py::test_seed_scenario_end_to_end[proto6]": "passed",
    "tests/protocol/test_protocol_wire.py::test_parallel_reads_run_side_by_side_and_stop_cancels_them": "emulator-only",
    "tests/terraform/test_terraform_cli.py::test_quickstart_apply_noop_drift_import_destroy[terraform-p6]": "passed",
}


def _provider_binary():
    return os.path.abspath(os.environ.get("SSMPATCH_PROVIDER")
                           or os.path.join(REPO, "build", "terraform-provider-ssmpatch"))


def _http(url, method="GET", body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"{}")


@pytest.fixture
def second_emulator(tmp_path):
    """`server.py --port 0 --port-file F --region eu-west-1 --check-sigv4`, started
    by hand as the recipe does; yields its URL; stopped (this process only) after."""
    port_file = tmp_path / "port"
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen([PYTHON, SERVER, "--port", "0", "--port-file", str(port_file),
                             "--region", REGION, "--check-sigv4", "--self-check"],
                            stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.monotonic() + 20
        url = None
        while time.monotonic() < deadline and proc.poll() is None:
            text = port_file.read_text().strip() if port_file.exists() else ""
            if text:
                url = "http://127.0.0.1:%d" % int(text)
                try:
                    if _http(url + "/_emulator/health").get("ok"):
                        break
                except OSError:
                    pass
            time.sleep(0.1)
        else:
            pytest.fail("second emulator did not start:\n%s" % (tmp_path / "server.log").read_text())
        yield url
    finally:
        if proc.poll() is None:
            try:
                _http(url + "/_emulator/shutdown", "POST", {})
            except Exception:  # noqa: BLE001 - terminated below anyway
                pass
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        log.close()


def _results(junit_path):
    """node id (as given on the command line) -> ("passed"|"skipped"|"failed", message)."""
    out = {}
    for case in ET.parse(junit_path).getroot().iter("testcase"):
        path = case.get("classname").replace(".", "/") + ".py"
        node = "%s::%s" % (path, case.get("name"))
        state, msg = "passed", ""
        for child in case:
            if child.tag == "skipped":
                state, msg = "skipped", child.get("message", "")
            elif child.tag in ("failure", "error"):
                state, msg = "failed", (child.get("message", "") + "\n" + (child.text or ""))[-3000:]
        out[node] = state, msg
    return out


def test_same_tests_pass_against_another_endpoint(second_emulator, tmp_path):
    if not os.access(_provider_binary(), os.X_OK):
        pytest.skip("provider binary not built: %s" % _provider_binary())
    env = dict(os.environ)
    for k in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "SSMPATCH_TEST_STS_ENDPOINT",
              "SSMPATCH_TEST_ACCOUNT_WIDE", "AWS_DEFAULT_REGION"):
        env.pop(k, None)
    env.update({"SSMPATCH_TEST_ENDPOINT": second_emulator, "AWS_REGION": REGION,
                "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                "AWS_EC2_METADATA_DISABLED": "true"})
    junit = tmp_path / "junit.xml"
    proc = subprocess.run([PYTHON, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                           "--junitxml", str(junit), *SUBSET],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=240)
    report = "child pytest exited %d\n%s\n%s" % (proc.returncode, proc.stdout[-6000:], proc.stderr[-3000:])
    assert proc.returncode == 0, report
    got = _results(junit)
    for node, want in SUBSET.items():
        assert node in got, "%s did not run\n%s" % (node, report)
        state, msg = got[node]
        if want == "passed":
            assert state == "passed", "%s: %s %s" % (node, state, msg)
        else:
            assert state == "skipped" and want in msg, "%s: %s %r" % (node, state, msg)

    # Everything went to the second emulator, in its region, properly signed.
    calls = _http(second_emulator + "/_emulator/calls?log=1")
    assert calls["total"] > 100 and calls["auth_errors"] == 0, {k: v for k, v in calls.items() if k != "log"}
    assert calls["by_op"]["sts:GetCallerIdentity"]["ok"] >= 1, sorted(calls["by_op"])
    ssm_calls = [c for c in calls["log"] if not c["op"].startswith("sts:")]
    assert ssm_calls and {c.get("region") for c in ssm_calls} == {REGION}
    # ... and nothing of the run is left there.
    assert _http(second_emulator + "/_emulator/inventory") == {}

"""Fault injection: throttling, server errors (before/after commit), latency, one-shot
injections, counters, concurrency and scale."""

import http.client
import json
import threading
import time

import pytest
from botocore.exceptions import ClientError

from emu_helpers import error_code
from emulator import Emulator, SSMError


def hammer(emu, n, op="GetDefaultPatchBaseline", body=None):
    """n sequential raw calls on one keep-alive connection: list of (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=30)
    out = []
    try:
        for i in range(n):
            b = body(i) if callable(body) else (body or {})
            conn.request("POST", "/", body=json.dumps(b).encode(), headers={
                "X-Amz-Target": "AmazonSSM." + op, "Content-Type": "application/x-amz-json-1.1"})
            r = conn.getresponse()
            out.append((r.status, r.getheader("Content-Type"), r.read()))
    finally:
        conn.close()
    return out


def test_throttle_rate_within_tolerance_and_deterministic(emu):
    emu.configure(throttle_rate=0.3, seed=1234)
    first = hammer(emu, 400)
    throttled = [s for s, _, b in first if s == 400]
    assert 0.22 * 400 <= len(throttled) <= 0.38 * 400
    for s, _, b in first:
        if s == 400:
            d = json.loads(b)
            assert d == {"__type": "ThrottlingException", "message": "Rate exceeded"}
    calls = emu.calls()
    assert calls["by_op"]["GetDefaultPatchBaseline"]["count"] == 400
    assert calls["throttled"] == len(throttled)
    # the same seed gives the same sequence
    emu.configure(seed=1234)
    second = hammer(emu, 400)
    assert [s for s, _, _ in first] == [s for s, _, _ in second]


def test_error_rate_kinds_and_after_commit(emu):
    emu.configure(error_rate=0.4, seed=99)
    results = hammer(emu, 300, "CreatePatchBaseline", lambda i: {"Name": "b-%04d" % i})
    ok = [r for r in results if r[0] == 200]
    errors = [r for r in results if r[0] != 200]
    assert 0.3 * 300 <= len(errors) <= 0.5 * 300
    statuses = {r[0] for r in errors}
    assert statuses == {500, 502, 503}
    for status, ctype, body in errors:
        if status == 502:
            assert ctype == "text/html" and b"502 Bad Gateway" in body
        else:
            d = json.loads(body)
            assert d["__type"] == ("InternalServerError" if status == 500 else "ServiceUnavailable")
    calls = emu.calls()
    after = calls["errors_after_commit"]
    assert calls["errors"] == len(errors)
    # about half of the failures still created the baseline
    assert 0.3 * len(errors) <= after <= 0.7 * len(errors)
    created = emu.inventory(emu.account)["patch_baselines"]
    assert len(created) == len(ok) + after


def test_fault_ops_limits_faults_to_named_operations(emu):
    emu.configure(throttle_rate=1.0, fault_ops=["CreatePatchBaseline"])
    assert all(s == 200 for s, _, _ in hammer(emu, 20))
    assert all(s == 400 for s, _, _ in hammer(emu, 5, "CreatePatchBaseline", {"Name": "abc"}))


def test_one_shot_injection_before_and_after_commit(emu, ssm):
    emu.configure(inject=[{"op": "RegisterPatchBaselineForPatchGroup", "status": 500,
                           "code": "InternalServerError", "message": "boom"}])
    bid = ssm.create_patch_baseline(Name="inj")["BaselineId"]
    with pytest.raises(ClientError) as ei:
        ssm.register_patch_baseline_for_patch_group(BaselineId=bid, PatchGroup="G")
    assert error_code(ei) == "InternalServerError"
    assert ssm.get_patch_baseline(BaselineId=bid)["PatchGroups"] == []  # nothing committed
    ssm.register_patch_baseline_for_patch_group(BaselineId=bid, PatchGroup="G")  # used up
    emu.configure(inject=[{"op": "CreateMaintenanceWindow", "status": 503,
                           "code": "ServiceUnavailable", "after_commit": True, "times": 2}])
    for _ in range(2):
        with pytest.raises(ClientError):
            ssm.create_maintenance_window(Name="win", Schedule="rate(1 day)", Duration=2, Cutoff=0,
                                          AllowUnassociatedTargets=False, ClientToken="same")
    # committed once despite the errors; the retry with the same token returns it
    wid = ssm.create_maintenance_window(Name="win", Schedule="rate(1 day)", Duration=2, Cutoff=0,
                                        AllowUnassociatedTargets=False, ClientToken="same")["WindowId"]
    assert list(emu.inventory(emu.account)["maintenance_windows"]) == [wid]
    assert emu.calls()["injected"] == 3


def test_botocore_retries_through_throttling(emu):
    from botocore.config import Config
    from emu_helpers import session
    emu.configure(throttle_rate=0.3, seed=5)
    c = session().create_client(
        "ssm", region_name=emu.region, endpoint_url=emu.url, aws_access_key_id=emu.access_key,
        aws_secret_access_key=emu.secret_key,
        config=Config(retries={"mode": "standard", "total_max_attempts": 20}))
    for i in range(8):
        c.create_patch_baseline(Name="retry-%d" % i, ClientToken="tok-%d" % i)
    assert len(emu.inventory(emu.account)["patch_baselines"]) == 8
    assert emu.calls()["throttled"] > 0


def test_latency_applies_and_ten_clients_run_in_parallel(emu):
    emu.configure(latency_ms=50)
    t0 = time.monotonic()
    hammer(emu, 4)
    serial = time.monotonic() - t0
    assert serial >= 0.2  # the latency is applied: 4 calls at 50 ms each, at least
    per_call = serial / 4
    errors = []

    def client(k):
        try:
            for s, _, _ in hammer(emu, 10, "CreatePatchBaseline", lambda i: {"Name": "c%d-%d" % (k, i)}):
                assert s == 200
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    t0 = time.monotonic()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    took = time.monotonic() - t0
    assert not errors
    # 100 calls: 100 x per_call one after another; ten clients side by side
    # take about a tenth of that. Compared with the serial calls measured
    # above on the same machine, not with a clock budget.
    assert took < 100 * per_call / 3, (took, per_call)
    assert len(emu.inventory(emu.account)["patch_baselines"]) == 100


def test_live_config_round_trip(emu):
    cfg = emu.configure(latency_ms=3, error_rate=0.1)
    assert cfg["latency_ms"] == 3 and cfg["error_rate"] == 0.1
    assert emu.config()["latency_ms"] == 3
    with pytest.raises(Exception):
        emu.configure(no_such_setting=1)


def test_calls_log_and_reset(emu, ssm):
    ssm.create_patch_baseline(Name="logged")
    with pytest.raises(ClientError):
        ssm.get_patch_baseline(BaselineId="pb-0123456789abcdef0")
    calls = emu.calls(log=True)
    assert calls["total"] == 2 and calls["ok"] == 1 and calls["api_errors"] == 1
    assert [e["op"] for e in calls["log"]] == ["CreatePatchBaseline", "GetPatchBaseline"]
    assert calls["log"][0]["request"]["Name"] == "logged"
    assert "ClientToken" in calls["log"][0]["request"]  # botocore fills idempotency tokens
    assert calls["log"][1]["error"] == "DoesNotExistException"
    emu.reset()
    assert emu.calls()["total"] == 0
    assert emu.inventory() == {}


def test_scale_thousands_of_objects(emu):
    n = 3000
    hammer(emu, n, "CreatePatchBaseline", lambda i: {"Name": "scale-%05d" % i})
    inv = emu.inventory(emu.account)["patch_baselines"]
    assert len(inv) == n
    some = list(inv)[n // 2]
    got = hammer(emu, 200, "GetPatchBaseline", {"BaselineId": some})
    assert all(s == 200 for s, _, _ in got)
    assert {json.loads(b)["BaselineId"] for _, _, b in got} == {some}


def test_cli_flags_and_fixture_lifecycle():
    with Emulator(latency_ms=20, throttle_rate=0.0, error_rate=0.0, seed=3, region="ap-northeast-1",
                  namespaced_errors=True) as emu:
        cfg = emu.config()
        assert cfg["latency_ms"] == 20 and cfg["seed"] == 3 and cfg["namespaced_errors"] is True
        d = emu.ssm("GetDefaultPatchBaseline", {"OperatingSystem": "AMAZON_LINUX_2"})
        assert d["BaselineId"].startswith("arn:aws:ssm:ap-northeast-1:")
        with pytest.raises(SSMError) as ei:
            emu.ssm("GetPatchBaseline", {"BaselineId": "pb-0123456789abcdef0"})
        assert ei.value.code == "DoesNotExistException" and ei.value.status == 400
        proc = emu.proc
    assert proc.poll() is not None  # stopped


def test_injection_is_not_used_up_by_invalid_requests(emu, ssm):
    emu.configure(inject=[{"op": "CreatePatchBaseline", "status": 500, "code": "InternalServerError"}])
    with pytest.raises(ClientError) as ei:
        ssm.create_patch_baseline(Name="no")  # invalid name: validation comes first
    assert error_code(ei) == "ValidationException"
    with pytest.raises(ClientError) as ei:
        ssm.create_patch_baseline(Name="valid-name")
    assert error_code(ei) == "InternalServerError"
    assert emu.config()["inject"] == []
    ssm.create_patch_baseline(Name="valid-name")
    assert len(emu.inventory(emu.account)["patch_baselines"]) == 1

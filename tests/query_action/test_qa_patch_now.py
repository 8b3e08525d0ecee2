"""The action ssmpatch_patch_now over the plugin protocol (issue 17, point 3): InvokeAction
streamed through the harness against the emulator's patching simulation - a Scan of STG
reports each STG instance and leaves the patch states a Scan leaves; an Install where an
instance fails ends with an error naming it; max_errors cancels the rest; the other
kinds of targets; Stop and the client going away end the stream cleanly; malformed
requests."""

import grpc
import pytest

import qa_helpers as h


def _fleet(ep, per_group=2):
    """The seed's fleet (emulator only) and its baselines, window, targets and tasks
    (the patch groups STG and PRD, as the instances are tagged)."""
    import seed_fleet
    fleet = ep.seed_fleet(per_group=per_group)
    objs = seed_fleet.create_seed_objects(ep.call)
    return fleet, objs


def _states(ep, ids):
    """{instance: the patch state fields a Scan sets} (DescribeInstancePatchStates)."""
    keep = ("Operation", "BaselineId", "PatchGroup", "InstalledCount", "InstalledOtherCount",
            "InstalledPendingRebootCount", "InstalledRejectedCount", "MissingCount", "FailedCount",
            "NotApplicableCount", "CriticalNonCompliantCount", "SecurityNonCompliantCount",
            "OtherNonCompliantCount")
    out = {}
    for s in ep.call("DescribeInstancePatchStates", {"InstanceIds": list(ids)})["InstancePatchStates"]:
        out[s["InstanceId"]] = {k: s.get(k) for k in keep}
    return out


def _done_lines(run):
    return [m for m in run.progress if " done)" in m]


@pytest.mark.parametrize("protocol", [5, 6], ids=["p5", "p6"])
def test_qa_patch_now_scan_stg(ep, provider, protocol):
    """Scan of patch group STG: one progress message per STG instance naming it, the
    counts at the end, no error; each STG instance's patch state is what a Scan sent
    straight to SSM leaves (the two approved patches missing), PRD is untouched."""
    fleet, _ = _fleet(ep)
    stg = fleet["STG"]["SCAN"] + fleet["STG"]["INSTALL"]
    prd = fleet["PRD"]["SCAN"] + fleet["PRD"]["INSTALL"]
    p = provider(protocol)
    run = h.invoke_action(p, {"operation": "Scan", "patch_group": "STG"})
    assert run.status == grpc.StatusCode.OK and run.completed == 1, run.progress
    assert run.diagnostics == [], run.diagnostics
    assert run.progress[0].startswith("AWS-RunPatchBaseline Scan sent as command ")
    done = _done_lines(run)
    assert sorted(m.split(" ")[0] for m in done) == sorted(stg), run.progress
    assert all(": Success (" in m for m in done)
    assert done[-1].endswith("(4 of 4 done)")
    assert run.progress[-1].endswith("finished: 4 succeeded, 0 did not")

    after_action = _states(ep, stg)
    assert {s["Operation"] for s in after_action.values()} == {"Scan"}
    assert {s["MissingCount"] for s in after_action.values()} == {2}
    assert {s["InstalledCount"] for s in after_action.values()} == {0}
    assert _states(ep, prd) == {}, "PRD instances were scanned"
    # The same Scan sent straight to SSM changes nothing the action did not.
    cmd = ep.call("SendCommand", {"DocumentName": "AWS-RunPatchBaseline", "InstanceIds": stg,
                                  "Parameters": {"Operation": ["Scan"]}})["Command"]["CommandId"]
    ep.emulator.advance_commands(cmd)
    assert _states(ep, stg) == after_action


def test_qa_patch_now_install_failure_names_the_instance(ep, provider):
    """An Install where one instance fails: its progress line says Failed, the action
    ends with an error naming it with its output; the other one installed (pending
    reboot: NoReboot)."""
    fleet, _ = _fleet(ep, per_group=2)
    bad, good = fleet["STG"]["INSTALL"]
    ep.emulator.fail_instances([bad], operation="Install", times=1, message="yum: disk full on /var")
    p = provider(6)
    run = h.invoke_action(p, {"operation": "Install", "reboot_option": "NoReboot", "patch_group": "STG",
                              "max_errors": "1",
                              "tag": [{"key": "PatchWindowTaskAM2", "values": ["INSTALL"]}]})
    assert run.status == grpc.StatusCode.OK and run.completed == 1
    done = {m.split(" ")[0]: m for m in _done_lines(run)}
    assert set(done) == {bad, good}
    assert ": Failed (" in done[bad] and ": Success (" in done[good]
    assert run.errors() == [("Patching failed", "")]
    detail = run.diagnostics[0].detail
    assert bad in detail and good not in detail
    assert "yum: disk full on /var" in detail
    assert "did not succeed on 1 of 2 instances" in detail
    st = _states(ep, [good, bad])
    assert st[good]["InstalledPendingRebootCount"] == 2 and st[good]["MissingCount"] == 0
    assert st[bad]["FailedCount"] == 2


def test_qa_patch_now_max_errors_cancels_the_rest(ep, provider):
    """max_errors 0, one at a time: the first failure leaves the other instance
    unstarted; the error names both, the second as never started."""
    fleet, _ = _fleet(ep, per_group=2)
    first, second = fleet["STG"]["INSTALL"]
    ep.emulator.fail_instances([first], operation="Install", times=1)
    p = provider(6)
    run = h.invoke_action(p, {"operation": "Install", "reboot_option": "RebootIfNeeded",
                              "instance_ids": [first, second], "max_concurrency": "1", "max_errors": "0"})
    assert run.errors() == [("Patching failed", "")]
    detail = run.diagnostics[0].detail
    assert first in detail and second in detail
    assert "not started: more instances failed than max_errors allows" in detail
    assert _states(ep, [second]) == {}, "the cancelled instance was patched"


def test_qa_patch_now_window_target_and_nothing_matched(ep, provider):
    """A window target's own selection (tag PatchWindowTaskAM2=SCAN: STG and PRD);
    a patch group no instance has: a warning, not an error."""
    fleet, objs = _fleet(ep, per_group=1)
    p = provider(6)
    run = h.invoke_action(p, {"operation": "Scan", "window_target": [
        {"window_id": objs["window"], "window_target_id": objs["targets"]["SCAN"]}]})
    assert run.diagnostics == []
    assert sorted(m.split(" ")[0] for m in _done_lines(run)) == sorted(fleet["STG"]["SCAN"] + fleet["PRD"]["SCAN"])
    assert "the targets of window target %s" % objs["targets"]["SCAN"] in run.progress[0]

    run = h.invoke_action(p, {"operation": "Scan", "patch_group": "NOBODY"})
    assert run.errors() == [] and [d.summary for d in run.diagnostics] == ["No instances patched"]


def test_qa_patch_now_stop_ends_the_stream(ep, provider):
    """Stop while the command runs: the stream ends at once with one Completed event,
    an error giving the command ID, the gRPC status OK; the provider then exits
    cleanly (the fixture checks)."""
    fleet, _ = _fleet(ep, per_group=3)
    p = provider(6)

    def stop_after_send(run, call):
        if len(run.progress) == 1:
            p.stop()
    run = h.invoke_action(p, {"operation": "Scan", "patch_group": "STG", "max_concurrency": "1"},
                          on_event=stop_after_send)
    assert run.status == grpc.StatusCode.OK and run.completed == 1
    assert [s for s, _ in run.errors()] == ["Stopped"]
    command = run.progress[0].split(" command ")[1].split(" ")[0]
    assert command in run.diagnostics[0].detail
    assert "goes on running the command" in run.diagnostics[0].detail
    assert len(_done_lines(run)) < 6


def test_qa_patch_now_client_gone_stops_polling(ep, provider):
    """The client cancels after the first message: the provider ends the stream,
    logs it, and polls no more."""
    fleet, _ = _fleet(ep, per_group=3)
    p = provider(6, env={"TF_LOG": "DEBUG"})
    run = h.invoke_action(p, {"operation": "Scan", "patch_group": "STG", "max_concurrency": "1"},
                          on_event=lambda r, call: call.cancel())
    assert run.status == grpc.StatusCode.CANCELLED and len(run.progress) == 1
    h.wait_for_log(p, "InvokeAction: stream ended by the client")
    polls = h.op_count(ep, "ListCommandInvocations")
    p.rpc("GetMetadata", p.pb.GetMetadata.Request())
    assert h.op_count(ep, "ListCommandInvocations") == polls


def test_qa_patch_now_malformed_requests(provider, protocol):
    """Garbage protobuf: INVALID_ARGUMENT. A config that is not the action's object,
    an unknown action, a configuration with unknown values: one Completed event with
    the error. No command is sent; the provider stays up."""
    p = provider(protocol)
    for g in (b"\xff\xff\xff\xff", b"\x0a\x40short", b"\x12\x05\x0a\x02"):
        with pytest.raises(grpc.RpcError) as e:
            list(p.plugin.call_stream("InvokeAction", g, p.pb.InvokeAction.Event, timeout=10))
        assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    reqs = [p.pb.InvokeAction.Request(action_type=h.ACTION, config=p.pb.DynamicValue(msgpack=bad))
            for bad in (b"\xc1", b"\xa3abc", b"\x81\xa4name\xa3abc", b"\xdf\xff\xff\xff\xff")]
    reqs.append(p.pb.InvokeAction.Request(action_type="ssmpatch_nope", config=p.pb.DynamicValue(msgpack=b"\x80")))
    from harness import cty
    b = h.action_block(p)
    reqs.append(p.pb.InvokeAction.Request(action_type=h.ACTION, config=p.dv(
        b.implied_type(), b.config({"operation": "Scan", "patch_group": cty.UNKNOWN}))))
    for req in reqs:
        evs = list(p.plugin.call_stream("InvokeAction", req, timeout=10))
        assert [e.WhichOneof("type") for e in evs] == ["completed"], evs
        assert any(d.is_error for d in h.diags(evs[0].completed.diagnostics)), req
    assert p.plugin.proc.poll() is None and p.plugin.health() == "SERVING"


def test_qa_patch_now_shutdown_while_polling(ep, provider):
    """Terraform shuts the provider down while an action polls (it was interrupted
    twice): Shutdown ends the wait, the stream closes, and the process exits within
    go-plugin's 2 s with its socket removed."""
    import threading
    fleet, _ = _fleet(ep, per_group=3)
    p = provider(6)
    first = threading.Event()
    result = {}

    def run():
        result["run"] = h.invoke_action(p, {"operation": "Scan", "patch_group": "STG", "max_concurrency": "1"},
                                        on_event=lambda r, call: first.set())
    t = threading.Thread(target=run)
    t.start()
    assert first.wait(120), "no progress event"
    p.close()
    t.join(timeout=60)
    assert not t.is_alive(), "the stream never ended after Shutdown"
    p.plugin.check_clean_exit()
    run = result["run"]
    assert len(_done_lines(run)) < 6

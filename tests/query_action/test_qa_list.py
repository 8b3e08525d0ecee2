"""List resources over the plugin protocol (issue 17, points 1 and 4): ListResource
streamed one event per object through the harness, as `terraform query` calls it -
120 windows all found, the limit honoured (and no API call past it), each object as the
resource's read makes it, the filters, API errors and Stop as diagnostics events, the
client going away, malformed requests."""

import grpc
import pytest

import qa_helpers as h

WINDOW = "ssmpatch_maintenance_window"


def _windows(ep, label, n, **extra):
    """n windows named <run prefix><label>-<i>; returns (prefix, {id: name})."""
    made = {}
    for _ in range(n):
        name = ep.name(label)
        body = {"Name": name, "Schedule": "rate(1 day)", "Duration": 2, "Cutoff": 1,
                "AllowUnassociatedTargets": False}
        body.update(extra)
        made[ep.call("CreateMaintenanceWindow", body)["WindowId"]] = name
    return ep.prefix + label + "-", made

# ---------------------------------------------------------------- the seed's objects


def test_qa_list_finds_the_seed(ep, provider, protocol):
    """The twelve objects made outside Terraform: each list resource finds its own,
    with the identity import needs, the name as display name, and with
    include_resource the object exactly as importing it and reading it gives."""
    seed = h.create_seed(ep)
    p = provider(protocol)
    want = {"ssmpatch_patch_baseline": [(None, i) for i in seed["baselines"].values()],
            WINDOW: [(None, i) for i in seed["windows"].values()],
            "ssmpatch_window_target": [(seed["windows"][e], i) for (e, _), i in seed["targets"].items()],
            "ssmpatch_window_task": [(seed["windows"][e], i) for (e, _), i in seed["tasks"].items()]}
    found = 0
    for t in h.LIST_TYPES:
        got = []
        if t in ("ssmpatch_window_target", "ssmpatch_window_task"):
            for wid in seed["windows"].values():
                r = h.list_resource(p, t, {"window_id": wid}, include=True)
                assert r.status == grpc.StatusCode.OK and r.errors() == [], r.diagnostics
                got += r.results
        else:
            r = h.list_resource(p, t, {"name_prefix": seed["prefix"]}, include=True)
            assert r.status == grpc.StatusCode.OK and r.errors() == [], r.diagnostics
            assert r.events == len(r.results), "one event per object"
            got = r.results
        keys = sorted((x["identity"].get("window_id"), x["identity"]["id"]) for x in got)
        assert keys == sorted(want[t]), t
        for x in got:
            idt = x["identity"]
            assert (idt["account_id"], idt["region"]) == (ep.account, ep.region)
            obj = x["object"]
            assert x["display_name"] == obj["name"], x
            import_id = "/".join(v for v in (idt.get("window_id"), idt["id"]) if v)
            assert obj == dict(p.import_state(t, import_id)), "%s %s: the listed object is not the read one" % (
                t, import_id)
        found += len(got)
    assert found == seed["count"] == 12

# ---------------------------------------------------------------- many windows, the limit


@pytest.mark.parametrize("protocol", [5, 6], ids=["p5", "p6"])
def test_qa_list_120_windows_streamed_with_limit(ep, provider, protocol):
    """120 windows: every one found, one event each; a limit below that gets exactly
    that many events, and no API call is made past it (one page of 100 answers a
    limit of 50; with include_resource, one read per result sent)."""
    prefix, made = _windows(ep, "many", 120)
    p = provider(protocol)
    r = h.list_resource(p, WINDOW, {"name_prefix": prefix}, limit=1000)
    assert r.status == grpc.StatusCode.OK and r.diagnostics == []
    assert r.events == len(r.results) == 120
    assert {x["identity"]["id"]: x["display_name"] for x in r.results} == made
    assert all(x["object"] is None for x in r.results), "objects sent without include_resource"

    pages0 = h.op_count(ep, "DescribeMaintenanceWindows") if ep.is_emulator else None
    r = h.list_resource(p, WINDOW, {"name_prefix": prefix}, limit=50)
    assert r.events == len(r.results) == 50 and r.diagnostics == []
    assert {x["identity"]["id"] for x in r.results} <= set(made)
    if ep.is_emulator:
        assert h.op_count(ep, "DescribeMaintenanceWindows") - pages0 == 1

        reads0 = h.op_count(ep, "GetMaintenanceWindow")
        r = h.list_resource(p, WINDOW, {"name_prefix": prefix}, include=True, limit=7)
        assert r.events == len(r.results) == 7
        assert all(x["object"]["id"] == x["identity"]["id"] for x in r.results)
        assert h.op_count(ep, "GetMaintenanceWindow") - reads0 == 7

        calls0 = ep.emulator.calls()["total"]
        r = h.list_resource(p, WINDOW, {"name_prefix": prefix}, limit=0)
        assert r.events == 0 and r.status == grpc.StatusCode.OK
        assert ep.emulator.calls()["total"] == calls0, "a limit of 0 still called the API"

# ---------------------------------------------------------------- filters


def test_qa_list_filters(ep, provider):
    """enabled and name_prefix on windows; owner and operating_system on baselines
    (AWS-managed ones listed without an object, left out with a warning when objects are
    asked for); targets and tasks of one window, or of every window."""
    p = provider(6)
    prefix, made = _windows(ep, "filt", 3)
    off = sorted(made)[0]
    ep.call("UpdateMaintenanceWindow", {"WindowId": off, "Enabled": False})
    got = lambda r: sorted(x["identity"]["id"] for x in r.results)  # noqa: E731
    assert got(h.list_resource(p, WINDOW, {"name_prefix": prefix, "enabled": False})) == [off]
    assert got(h.list_resource(p, WINDOW, {"name_prefix": prefix, "enabled": True})) == sorted(made)[1:]
    assert got(h.list_resource(p, WINDOW, {"name_prefix": prefix + "nothing"})) == []

    seed = h.create_seed(ep)
    bl = "ssmpatch_patch_baseline"
    r = h.list_resource(p, bl, {"name_prefix": seed["prefix"] + "STG"})
    assert got(r) == [seed["baselines"]["STG"]]
    assert got(h.list_resource(p, bl, {"name_prefix": seed["prefix"], "operating_system": "WINDOWS"})) == []
    aws = h.list_resource(p, bl, {"owner": "AWS", "operating_system": "AMAZON_LINUX_2"})
    assert aws.results and all(x["identity"]["id"].startswith("arn:") and x["object"] is None
                               for x in aws.results), aws.results
    assert aws.diagnostics == []
    both = h.list_resource(p, bl, {"owner": "All", "operating_system": "AMAZON_LINUX_2"}, include=True,
                           limit=1000)
    ours = [x for x in both.results if x["identity"]["id"] in seed["baselines"].values()]
    assert len(ours) == 2 and all(x["object"] for x in both.results)
    assert not any(x["identity"]["id"].startswith("arn:") for x in both.results)
    assert [d.summary for d in both.diagnostics] == ["AWS-managed patch baselines left out"]
    assert not both.diagnostics[0].is_error

    stg = seed["windows"]["STG"]
    r = h.list_resource(p, "ssmpatch_window_task", {"window_id": stg})
    assert got(r) == sorted(seed["tasks"][("STG", role)] for role in ("SCAN", "INSTALL"))
    assert sorted(x["display_name"] for x in r.results) == ["PatchingTaskInstall", "PatchingTaskScan"]
    if ep.is_emulator:  # every window's: only this run's windows exist in the emulator
        r = h.list_resource(p, "ssmpatch_window_target", {}, limit=1000)
        assert got(r) == sorted(seed["targets"].values())

def test_qa_list_in_another_region(ep, provider, protocol):
    """`region` in a list config: the window and target made there (outside Terraform)
    are found there and only there; their identities and objects name that region, and
    an import by such an identity reads the object in that region (the emulator keeps
    every region apart)."""
    ep.requires_emulator("one custom endpoint for two regions")
    other = "eu-west-3" if ep.region != "eu-west-3" else "us-east-2"
    name = ep.name("far")
    wid = ep.call("CreateMaintenanceWindow", {"Name": name, "Schedule": "rate(1 day)", "Duration": 2,
                                              "Cutoff": 1, "AllowUnassociatedTargets": False}, region=other)["WindowId"]
    tid = ep.call("RegisterTargetWithMaintenanceWindow", {
        "WindowId": wid, "ResourceType": "INSTANCE", "Name": "far-target",
        "Targets": [{"Key": "tag:Patch Group", "Values": ["STG"]}]}, region=other)["WindowTargetId"]
    p = provider(protocol)
    try:
        assert h.list_resource(p, WINDOW, {"name_prefix": name}).results == []
        r = h.list_resource(p, WINDOW, {"name_prefix": name, "region": other}, include=True)
        assert r.errors() == [] and [x["identity"] for x in r.results] == [
            {"account_id": ep.account, "region": other, "id": wid}]
        assert r.results[0]["object"]["region"] == other and r.results[0]["object"]["name"] == name
        tgt = "ssmpatch_window_target"
        r = h.list_resource(p, tgt, {"window_id": wid, "region": other}, include=True)
        assert [x["identity"] for x in r.results] == [
            {"account_id": ep.account, "region": other, "window_id": wid, "id": tid}]
        obj = r.results[0]["object"]
        assert obj["region"] == other and obj["name"] == "far-target"
        assert h.read_with_identity(p, tgt, obj)[1] == r.results[0]["identity"]
        st, ident, ds = h.import_raw(p, tgt, identity={"account_id": None, "region": other,
                                                       "window_id": wid, "id": tid})
        assert h.errors(ds) == [] and ident == r.results[0]["identity"]
        assert h.read_with_identity(p, tgt, st)[0] == obj
        assert h.list_resource(p, tgt, {"window_id": wid}).errors() != [], "the window is not in the home region"
    finally:
        ep.call("DeleteMaintenanceWindow", {"WindowId": wid}, region=other)

# ---------------------------------------------------------------- errors, Stop, the client gone


def test_qa_list_api_error_is_a_diagnostics_event(ep, provider, protocol):
    """An API error ends the stream with an event that carries the error (and no
    identity); the gRPC status is OK, as Terraform expects diagnostics in events."""
    emu = ep.requires_emulator("fault injection")
    p = provider(protocol)
    emu.configure(inject=[{"op": "DescribeMaintenanceWindows", "status": 400, "code": "AccessDeniedException",
                           "message": "not allowed", "times": 1}])
    r = h.list_resource(p, WINDOW, {})
    assert r.status == grpc.StatusCode.OK and r.results == []
    assert r.errors() == [("DescribeMaintenanceWindows failed: AccessDeniedException", "")]


def test_qa_list_error_after_some_results(ep, provider):
    """The first page's objects are sent as they are found; the second page's call
    fails: the results so far, then the error."""
    emu = ep.requires_emulator("fault injection")
    prefix, _ = _windows(ep, "page", 105)
    p = provider(6)

    def fail_next_page(res, call):
        if res.events == 1:  # page 1 is being sent, page 2 not asked for yet
            emu.configure(inject=[{"op": "DescribeMaintenanceWindows", "status": 500,
                                   "code": "InternalServerError", "message": "boom", "times": 5}])
    r = h.list_resource(p, WINDOW, {"name_prefix": prefix}, include=True, limit=1000, on_event=fail_next_page)
    assert r.status == grpc.StatusCode.OK
    assert len(r.results) == 100
    assert r.errors() == [("DescribeMaintenanceWindows failed: InternalServerError", "")]


def test_qa_list_stop_ends_the_stream(ep, provider):
    """Stop while objects are being read: the stream ends with a "Stopped" error
    event long before the last object, and the provider exits cleanly."""
    emu = ep.requires_emulator("latency")
    prefix, _ = _windows(ep, "stop", 40)
    emu.configure(latency_ms=40)
    try:
        p = provider(6)

        def stop_after_first(res, call):
            if res.events == 1:
                p.stop()
        r = h.list_resource(p, WINDOW, {"name_prefix": prefix}, include=True, limit=1000,
                            on_event=stop_after_first)
    finally:
        emu.configure(latency_ms=0)
    assert r.status == grpc.StatusCode.OK
    assert [s for s, _ in r.errors()] == ["Stopped"]
    # 40 objects at two 40 ms calls each take over 3 s; Stop cuts them off.
    assert len(r.results) < 40


def test_qa_list_client_gone_stops_the_calls(ep, provider):
    """The client cancels after the first event: the provider ends the stream (and
    says so in its log) and makes no further call."""
    emu = ep.requires_emulator("call counts")
    prefix, _ = _windows(ep, "gone", 40)
    emu.configure(latency_ms=40)
    try:
        p = provider(6, env={"TF_LOG": "DEBUG"})
        r = h.list_resource(p, WINDOW, {"name_prefix": prefix}, include=True, limit=1000,
                            on_event=lambda res, call: call.cancel())
        assert r.status == grpc.StatusCode.CANCELLED and len(r.results) == 1
        line = h.wait_for_log(p, "ListResource: stream ended by the client")
        reads = h.op_count(ep, "GetMaintenanceWindow")
        assert reads < 40, line
        p.rpc("GetMetadata", p.pb.GetMetadata.Request())  # a round trip later: still no call
        assert h.op_count(ep, "GetMaintenanceWindow") == reads
    finally:
        emu.configure(latency_ms=0)

# ---------------------------------------------------------------- malformed requests


def test_qa_list_malformed_requests(provider, protocol):
    """Garbage protobuf: INVALID_ARGUMENT. A config that is not the list block's
    object, or a type without a list resource: one event with the error. The provider
    stays up."""
    p = provider(protocol)
    for g in (b"\xff\xff\xff\xff", b"\x0a\x40short", b"\x12\x05\x0a\x02"):
        with pytest.raises(grpc.RpcError) as e:
            list(p.plugin.call_stream("ListResource", g, p.pb.ListResource.Event, timeout=10))
        assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    for bad in (b"\xc1", b"\xa3abc", b"\x81\xa4name\xa3abc", b"\xdf\xff\xff\xff\xff"):
        req = p.pb.ListResource.Request(type_name=WINDOW, config=p.pb.DynamicValue(msgpack=bad), limit=10)
        evs = list(p.plugin.call_stream("ListResource", req, timeout=10))
        assert len(evs) == 1 and not evs[0].HasField("identity")
        assert any(d.is_error for d in h.diags(evs[0].diagnostic)), bad
    req = p.pb.ListResource.Request(type_name="ssmpatch_nope", config=p.pb.DynamicValue(msgpack=b"\x80"), limit=10)
    evs = list(p.plugin.call_stream("ListResource", req, timeout=10))
    assert [d.summary for d in h.diags(evs[0].diagnostic)] == ["Unsupported list resource type"]
    assert p.plugin.proc.poll() is None and p.plugin.health() == "SERVING"


def test_qa_list_streams_side_by_side(ep, provider):
    """Sixteen ListResource streams at once (more than Terraform's parallelism), each
    reading objects, next to unary calls: every stream gets all its results (each
    handler on a thread of its own, none holding up the completion queue's workers)."""
    import threading
    prefix, made = _windows(ep, "side", 12)
    p = provider(6)
    out, errs = [None] * 16, []

    def one(i):
        try:
            out[i] = h.list_resource(p, WINDOW, {"name_prefix": prefix}, include=True, limit=1000)
        except Exception as e:  # noqa: BLE001 - reported below
            errs.append(e)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for _ in range(20):
        assert p.validate(WINDOW, {"name": "abc", "schedule": "rate(1 day)", "duration": 2, "cutoff": 1}) == []
    for t in threads:
        t.join(timeout=300)
    assert not errs, errs
    for r in out:
        assert r.status == grpc.StatusCode.OK and r.diagnostics == []
        assert sorted(x["identity"]["id"] for x in r.results) == sorted(made)

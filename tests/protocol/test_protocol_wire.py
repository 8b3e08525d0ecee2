"""The Provider service on the wire: schemas, unimplemented RPCs, malformed
payloads, stdout/stderr discipline, concurrency (docs/protocol.md §2.5-§4)."""

import json
import re

import grpc
import pytest

from harness import cty
from harness.errors import Diagnostic
from harness.provider import Provider
from harness.wait import wait_for

RESOURCE_TYPES = ["ssmpatch_patch_baseline", "ssmpatch_maintenance_window",
                  "ssmpatch_window_target", "ssmpatch_window_task"]
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$")
LEVELS = {"trace", "debug", "info", "warn", "error"}


def _rpc_status(fn):
    try:
        return fn(), None
    except grpc.RpcError as e:
        return None, e.code()


# -- unimplemented -------------------------------------------------------------


@pytest.mark.parametrize("version", [5, 6])
def test_unknown_method_is_unimplemented(start, version):
    """Any path not registered is UNIMPLEMENTED at once: unknown methods and
    services, Health/Watch, the other protocol's newer RPCs, and go-plugin's
    GRPCBroker stream (the client ignores that)."""
    p = start(protocol=version)
    resp = p.pb.Stop.Response if version == 5 else p.pb.StopProvider.Response
    for method in ("/tfplugin%d.Provider/NoSuchMethod" % version, "/nosuch.Service/Call",
                   "/grpc.health.v1.Health/Watch", "/tfplugin6.Provider/OpenEphemeralResource",
                   "/tfplugin5.Provider/GetFunctions"):
        _, code = _rpc_status(lambda: p.plugin.call(method, b"", resp, timeout=5))
        assert code == grpc.StatusCode.UNIMPLEMENTED, "%s answered %s" % (method, code)
    broker = p.plugin.channel.stream_stream("/plugin.GRPCBroker/StartStream")(iter([]), timeout=5)
    with pytest.raises(grpc.RpcError) as ei:
        list(broker)
    assert ei.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert p.plugin.health() == "SERVING"


@pytest.mark.parametrize("version", [5, 6])
def test_server_capabilities(start, version):
    """The schema answer's ServerCapabilities (tfplugin_common.inc says what
    each does): Terraform 1.6+ may take the schema from its cache in every
    process after the first; nothing else is claimed."""
    p = start(protocol=version)
    assert p.schema.capabilities == {"plan_destroy": False, "get_provider_schema_optional": True,
                                     "move_resource_state": False,
                                     "generate_resource_config": False}, p.schema.capabilities


@pytest.mark.parametrize("version", [5, 6])
def test_unadvertised_features_unimplemented(start, version):
    """docs/protocol.md §6.4: RPCs for features the schema does not advertise
    answer UNIMPLEMENTED (Terraform tolerates it)."""
    p = start(protocol=version)
    pb = p.pb
    caps = p.schema.capabilities
    cases = [("GetFunctions", pb.GetFunctions.Request()),
             ("ValidateEphemeralResourceConfig", pb.ValidateEphemeralResourceConfig.Request(type_name="x"))]
    if not caps.get("move_resource_state"):
        cases.append(("MoveResourceState", pb.MoveResourceState.Request(target_type_name=RESOURCE_TYPES[0])))
    if not caps.get("generate_resource_config"):
        cases.append(("GenerateResourceConfig", pb.GenerateResourceConfig.Request(type_name=RESOURCE_TYPES[0])))
    for name, req in cases:
        resp, code = _rpc_status(lambda: p.rpc(name, req, timeout=5))
        assert code == grpc.StatusCode.UNIMPLEMENTED, "%s answered %s %s" % (name, code, resp)


# -- malformed payloads ------------------------------------------------------------


def _alive(p):
    assert p.plugin.proc.poll() is None, "provider died"
    assert p.plugin.health() == "SERVING"
    assert p.get_schema().resources


def _is_error_answer(fn):
    resp, code = _rpc_status(fn)
    if code is not None:
        return code != grpc.StatusCode.OK
    diags = [Diagnostic.from_proto(d) for d in resp.diagnostics]
    return any(d.is_error for d in diags)


@pytest.mark.parametrize("version", [5, 6])
def test_malformed_protobuf_gets_error(start, version):
    p = start(protocol=version)
    names = p.names
    vcls = getattr(p.pb, names["validate_resource_msg"])
    garbage = [b"\xff\xff\xff\xff", b"\x0a\x40short", b"\x12\x05\x0a\x02", b"\x08"]
    for g in garbage:
        assert _is_error_answer(lambda: p.plugin.call(names["validate_resource"], g, vcls.Response, timeout=5)), \
            "ValidateResourceConfig accepted malformed protobuf %r" % g
        assert _is_error_answer(lambda: p.plugin.call("PlanResourceChange", g, p.pb.PlanResourceChange.Response,
                                                      timeout=5)), \
            "PlanResourceChange accepted malformed protobuf %r" % g
    _alive(p)


def test_malformed_protobuf_is_invalid_argument(start):
    """A request that is not the method's protobuf message is answered
    INVALID_ARGUMENT (not a crash, not a diagnostic on a half-decoded
    message), on both protocols' services whatever was negotiated, and on
    the side services."""
    p = start(protocol=5, mtls=False)
    t5 = p.plugin.pb.v5
    good = t5.PlanResourceChange.Request(type_name="ssmpatch_maintenance_window",
                                         config=t5.DynamicValue(msgpack=b"\x80")).SerializeToString()
    for path in ("/tfplugin5.Provider/PlanResourceChange", "/tfplugin6.Provider/PlanResourceChange",
                 "/tfplugin5.Provider/Configure", "/grpc.health.v1.Health/Check"):
        for bad in (good[:-1], good[:5], b"\xff\xff\xff", b"\x0a\xff\xff\xff\xff\x0f"):
            _, code = _rpc_status(lambda: p.plugin.call(path, bad, t5.PlanResourceChange.Response, timeout=5))
            assert code == grpc.StatusCode.INVALID_ARGUMENT, (path, bad, code)
    _alive(p)


BAD_MSGPACK = [
    b"",                          # empty: null config for a resource
    b"\xc1",                      # never-used byte
    b"\x8f\xa4name",              # map of 15 entries, truncated
    b"\xa3abc",                   # a string where an object is required
    b"\x81\xa4name\xa3abc",       # object missing attributes
    b"\x92\x01\x02",              # an array where an object is required
    b"\xdf\xff\xff\xff\xff",      # map claiming 4G entries
    b"\xdb\xff\xff\xff\xff",      # str claiming 4G bytes
    b"\xd4\x00",                  # truncated ext
]


@pytest.mark.parametrize("version", [5, 6])
def test_malformed_msgpack_gets_error(start, version):
    p = start(protocol=version)
    vcls = getattr(p.pb, p.names["validate_resource_msg"])
    for t in RESOURCE_TYPES:
        for bad in BAD_MSGPACK[1:]:
            req = vcls.Request(type_name=t, config=p.pb.DynamicValue(msgpack=bad))
            assert _is_error_answer(lambda: p.rpc(p.names["validate_resource"], req, timeout=5)), \
                "%s: ValidateResourceConfig accepted msgpack %r" % (t, bad)
            dv = p.pb.DynamicValue(msgpack=bad)
            req = p.pb.PlanResourceChange.Request(type_name=t, prior_state=dv, proposed_new_state=dv, config=dv)
            assert _is_error_answer(lambda: p.rpc("PlanResourceChange", req, timeout=5)), \
                "%s: PlanResourceChange accepted msgpack %r" % (t, bad)
    # a whole object wrapped in the wrong type
    blk = p.block(RESOURCE_TYPES[1])
    wrong = cty.encode_msgpack(cty.Map(cty.STRING), {"name": "abc"})
    req = vcls.Request(type_name=RESOURCE_TYPES[1], config=p.pb.DynamicValue(msgpack=wrong))
    assert _is_error_answer(lambda: p.rpc(p.names["validate_resource"], req, timeout=5))
    assert blk is not None
    _alive(p)


@pytest.mark.parametrize("version", [5, 6])
def test_unknown_resource_type_gets_error(start, version):
    p = start(protocol=version)
    vcls = getattr(p.pb, p.names["validate_resource_msg"])
    req = vcls.Request(type_name="ssmpatch_nope", config=p.pb.DynamicValue(msgpack=b"\xc0"))
    assert _is_error_answer(lambda: p.rpc(p.names["validate_resource"], req, timeout=5))
    req = p.pb.ReadResource.Request(type_name="ssmpatch_nope", current_state=p.pb.DynamicValue(msgpack=b"\xc0"))
    assert _is_error_answer(lambda: p.rpc("ReadResource", req, timeout=5))
    resp = p.rpc("ReadDataSource", p.pb.ReadDataSource.Request(type_name="ssmpatch_nope"), timeout=5)
    errs = [d for d in (Diagnostic.from_proto(d) for d in resp.diagnostics) if d.is_error]
    assert errs and "data source" in errs[0].summary.lower(), errs
    _alive(p)


def test_json_dynamic_value_accepted(start):
    """Servers must accept the JSON form when msgpack is empty (and answer
    in msgpack)."""
    p = start(protocol=5)
    t = "ssmpatch_maintenance_window"
    blk = p.block(t)
    cfg = blk.config({"name": "json-window", "schedule": "rate(2 days)", "duration": 2, "cutoff": 1})
    vcls = p.pb.ValidateResourceTypeConfig
    req = vcls.Request(type_name=t, config=p.pb.DynamicValue(json=cty.to_json(blk.implied_type(), cfg)))
    diags = [Diagnostic.from_proto(d) for d in p.rpc("ValidateResourceTypeConfig", req).diagnostics]
    assert not [d for d in diags if d.is_error], diags


# -- stdout / stderr -------------------------------------------------------------------


def test_stdout_silent_after_handshake(start):
    p = start(protocol=6, env={"TF_LOG": "TRACE"})
    for t in RESOURCE_TYPES:
        p.validate(t, {})
    p.validate_provider({})
    p.close()
    p.plugin.check_clean_exit()
    assert p.plugin.stdout_after_handshake == [], "wrote to stdout after the handshake"


@pytest.mark.parametrize("level_env", [{"TF_LOG": "TRACE"}, {"TF_LOG_PROVIDER": "TRACE", "TF_LOG": None}])
def test_stderr_is_json_log_lines(start, level_env):
    secret = "harnessSECRETvalue1234567890"
    p = start(protocol=6, env=level_env)
    p.validate_provider({"region": "us-east-1", "access_key": "AKIDHARNESS", "secret_key": secret})
    for t in RESOURCE_TYPES:
        p.validate(t, {"name": "bad name!"})
    p.close()
    p.plugin.check_clean_exit()
    lines = [ln for ln in p.plugin.stderr_lines if ln.strip()]
    assert lines, "no log lines at TRACE"
    for ln in lines:
        obj = json.loads(ln)
        assert isinstance(obj, dict), ln
        assert obj.get("@level") in LEVELS, ln
        assert isinstance(obj.get("@message"), str) and obj["@message"], ln
        assert TIMESTAMP.match(obj.get("@timestamp", "")), "bad @timestamp: %s" % ln
        assert isinstance(obj.get("@module"), str) and obj["@module"], ln
    text = p.plugin.stderr_text()
    assert secret not in text, "secret_key leaked into the log"


def test_log_off_is_quiet(start):
    p = start(protocol=6, env={"TF_LOG": None, "TF_LOG_PROVIDER": None})
    p.validate_provider({})
    p.close()
    p.plugin.check_clean_exit()
    bad = [ln for ln in p.plugin.stderr_lines
           if ln.strip() and json.loads(ln).get("@level") in ("trace", "debug")]
    assert not bad, "trace/debug lines without TF_LOG: %s" % bad[:3]


# -- schema ------------------------------------------------------------------------------


def _schema_dict(block):
    out = {"attrs": {}, "blocks": {}}
    for n, a in block.attributes.items():
        out["attrs"][n] = (a.type.to_json(), a.required, a.optional, a.computed, a.sensitive,
                           a.write_only, a.deprecated, a.description)
    for n, b in block.block_types.items():
        out["blocks"][n] = (b.nesting, b.min_items, b.max_items, _schema_dict(b.block))
    return out


def test_schema_same_over_5_and_6(start):
    p5 = start(protocol=5)
    p6 = start(protocol=6)
    s5, s6 = p5.schema, p6.schema
    assert _schema_dict(s5.provider) == _schema_dict(s6.provider)
    assert sorted(s5.resources) == sorted(s6.resources)
    for t in s5.resources:
        assert s5.resources[t].version == s6.resources[t].version, t
        assert _schema_dict(s5.resources[t]) == _schema_dict(s6.resources[t]), t
    assert sorted(s5.data_sources) == sorted(s6.data_sources)
    assert s5.capabilities == s6.capabilities


def test_schema_resource_types(start):
    p = start(protocol=6)
    assert sorted(p.schema.resources) == sorted(RESOURCE_TYPES)


def _check_block_flags(block, where):
    for n, a in block.attributes.items():
        w = "%s.%s" % (where, n)
        assert re.match(r"^[a-z_][a-z0-9_]*$", n), w
        assert a.required or a.optional or a.computed, "%s: no flag" % w
        assert not (a.required and (a.optional or a.computed)), "%s: required with optional/computed" % w
    for n, b in block.block_types.items():
        w = "%s.%s" % (where, n)
        assert b.nesting in ("SINGLE", "LIST", "SET", "MAP", "GROUP"), "%s nesting %s" % (w, b.nesting)
        assert b.max_items == 0 or b.min_items <= b.max_items, w
        if b.nesting in ("SINGLE", "GROUP"):
            assert b.min_items in (0, 1) and b.max_items in (0, 1), w
        assert n not in block.attributes, "%s is both attribute and block" % w
        _check_block_flags(b.block, w)


def test_schema_well_formed(start):
    p = start(protocol=6)
    _check_block_flags(p.schema.provider, "provider")
    for t, b in p.schema.resources.items():
        _check_block_flags(b, t)
        ty = b.implied_type()
        # the empty value conforms and round-trips through msgpack
        ev = b.empty_value()
        assert cty.decode_msgpack(ty, cty.encode_msgpack(ty, ev)) == ev


def test_schema_matches_contract(start, contract):
    p = start(protocol=6)
    problems = []
    for section, entries in contract.items():
        block = p.schema.provider if section == "provider" else p.schema.resources.get(section)
        if block is None:
            problems.append("%s: resource type missing from GetSchema" % section)
            continue
        names = set(block.attributes) | set(block.block_types)
        for n, e in entries.items():
            w = "%s.%s" % (section, n)
            if e.block:
                b = block.block_types.get(n)
                if b is None:
                    problems.append("%s: documented block missing" % w)
                    continue
                if e.max_items and b.max_items != e.max_items:
                    problems.append("%s: max_items %d, contract says %d" % (w, b.max_items, e.max_items))
                if e.min_items and b.min_items != e.min_items:
                    problems.append("%s: min_items %d, contract says %d" % (w, b.min_items, e.min_items))
                if e.required and b.min_items < 1:
                    problems.append("%s: required block needs min_items >= 1" % w)
                continue
            a = block.attributes.get(n)
            if a is None:
                problems.append("%s: documented attribute missing" % w)
                continue
            if a.type.to_json() != e.type:
                problems.append("%s: type %s, contract says %s" % (w, a.type.to_json(), e.type))
            if e.required != a.required:
                problems.append("%s: required=%s, contract says %s" % (w, a.required, e.required))
            if e.computed and not a.computed:
                problems.append("%s: should be computed" % w)
            if e.optional and not a.optional:
                problems.append("%s: should be optional" % w)
            if section != "provider" and e.default is not None and not (a.optional and a.computed):
                problems.append("%s: has a default (%s) so must be optional+computed to plan it"
                                % (w, e.default))
            if section != "provider" and e.optional and not e.computed and e.default is None and a.computed:
                problems.append("%s: contract says plain optional, schema says computed" % w)
            if e.sensitive and not a.sensitive:
                problems.append("%s: should be sensitive" % w)
        for n in sorted(names - set(entries)):
            problems.append("%s.%s: in the schema but not in the contract" % (section, n))
    assert not problems, "\n".join(problems)


def test_get_schema_and_validate_make_no_aws_call(start):
    """GetSchema and validation work with no credentials anywhere and never
    reach for AWS (no credential chain, no IMDS, no SSM): not one
    provider.aws line in the TRACE log, which logs every AWS step."""
    env = {k: None for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                             "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EC2_METADATA_DISABLED")}
    env.update(HOME="/nonexistent", AWS_CONFIG_FILE="/nonexistent/c", AWS_SHARED_CREDENTIALS_FILE="/nonexistent/k",
               TF_LOG="TRACE")
    p = start(protocol=5, env=env)
    assert p.get_schema().resources
    for t in RESOURCE_TYPES:
        p.validate(t, {})
    p.validate_provider({"region": "us-east-1"})
    p.close()
    p.plugin.check_clean_exit()
    modules = [json.loads(ln).get("@module", "") for ln in p.plugin.stderr_lines if ln.startswith("{")]
    assert "provider.rpc" in modules, "no TRACE log to judge by"
    aws = [ln for ln, m in zip(p.plugin.stderr_lines, modules) if m.startswith("provider.aws")]
    assert not aws, "AWS touched without a Configure:\n%s" % "\n".join(aws[:5])


def test_both_protocols_served_whatever_negotiated(start):
    """go-plugin negotiates one version, but tfplugin5 and tfplugin6 are both
    registered: each answers its schema RPC with every resource type and
    markdown descriptions."""
    p = start(protocol=6, mtls=False)
    for version, method in ((5, "/tfplugin5.Provider/GetSchema"), (6, "/tfplugin6.Provider/GetProviderSchema")):
        pb = p.plugin.pb.for_version(version)
        resp = p.plugin.call(method, pb.GetProviderSchema.Request(), pb.GetProviderSchema.Response)
        assert sorted(resp.resource_schemas) == sorted(RESOURCE_TYPES), version
        assert not [d for d in resp.diagnostics if d.severity == pb.Diagnostic.ERROR], version
        for name, sch in resp.resource_schemas.items():
            assert {a.description_kind for a in sch.block.attributes} == {pb.MARKDOWN}, (version, name)


def test_prepare_provider_config_echoes_config(start):
    p = start(protocol=5)
    blk = p.schema.provider
    cfg = blk.config({"region": "eu-west-1", "max_retries": 3})
    resp = p.rpc("PrepareProviderConfig", p.pb.PrepareProviderConfig.Request(
        config=p.dv(blk.implied_type(), cfg)))
    assert not [d for d in resp.diagnostics if d.severity == 1]
    if resp.prepared_config.msgpack:
        got = cty.decode_msgpack(blk.implied_type(), resp.prepared_config.msgpack)
        assert cty.equals(blk.implied_type(), got, cfg) is True


# -- concurrency -----------------------------------------------------------------------


@pytest.mark.parametrize("version", [5, 6])
def test_parallel_calls_and_stop(start, version):
    """Terraform runs up to 10 RPCs at once and sends Stop while they run."""
    p = start(protocol=version)
    sc = getattr(p.pb, p.names["schema_msg"])
    vcls = getattr(p.pb, p.names["validate_resource_msg"])
    blk = p.block("ssmpatch_patch_baseline")
    cfg = p.dv(blk.implied_type(), blk.config({"name": "parallel-baseline", "operating_system": "AMAZON_LINUX_2"}))
    futs = []
    for i in range(10):
        if i % 2:
            futs.append(p.plugin.call_future(p.names["schema"], sc.Request(), sc.Response, timeout=20))
        else:
            futs.append(p.plugin.call_future(p.names["validate_resource"],
                                             vcls.Request(type_name="ssmpatch_patch_baseline", config=cfg),
                                             vcls.Response, timeout=20))
    err = p.stop()
    assert err == "", "Stop returned error %r" % err
    for f in futs:
        r = f.result(timeout=30)
        assert r is not None
    # Stop does not kill the server: later calls still work
    _alive(p)


HOLD_MS = 60000  # the emulator holds every request this long: far past any wait below


def test_parallel_reads_run_side_by_side_and_stop_cancels_them(start, emulator, ssm):
    """Terraform runs many RPCs at once and sends Stop on Ctrl-C. 12
    ReadResource calls against an endpoint that holds each request for 60 s:
    all 12 reach the endpoint together (the RPC worker pool, started small,
    grew for them: one at a time, only one would be in flight); then Stop
    answers while they are all still held, and each read ends with a
    cancellation instead of waiting out the hold. Counted at the emulator,
    no clock involved."""
    p = start(protocol=6)
    p.configure(ssm.provider_config())
    st = p.apply("ssmpatch_maintenance_window", {"name": "parallel-window", "schedule": "rate(2 days)",
                                                 "duration": 2, "cutoff": 1})
    ty = p.block("ssmpatch_maintenance_window").implied_type()
    received = lambda: emulator.calls()["total"]  # noqa: E731
    before = received()
    try:
        emulator.configure(latency_ms=HOLD_MS)
        futs = [p.plugin.call_future("ReadResource", p.pb.ReadResource.Request(
            type_name="ssmpatch_maintenance_window", current_state=p.dv(ty, dict(st))),
            p.pb.ReadResource.Response, timeout=HOLD_MS / 1000.0 * 2) for _ in range(12)]
        wait_for(lambda: received() >= before + 12, timeout=HOLD_MS / 2000.0,
                 what="12 reads in flight at once (%d seen)" % (received() - before))
        assert not [f for f in futs if f.done()], "a read ended while the endpoint held it"
        assert p.stop() == ""
        for f in futs:
            r = f.result(timeout=HOLD_MS / 2000.0)
            errs = [d for d in (Diagnostic.from_proto(d) for d in r.diagnostics) if d.is_error]
            assert errs and "cancel" in (errs[0].summary + errs[0].detail).lower(), errs
    finally:
        emulator.configure(latency_ms=0)
    _alive(p)
    p2 = start(protocol=6)
    p2.configure(ssm.provider_config())
    p2.destroy("ssmpatch_maintenance_window", st)


def test_provider_instance_per_call_sequence(start):
    """Terraform may start several instances at once (one per provider
    configuration); they must not share the socket."""
    ps = [start(protocol=6) for _ in range(3)]
    addrs = {p.plugin.handshake.address for p in ps}
    assert len(addrs) == 3
    for p in ps:
        assert isinstance(p, Provider) and p.get_schema().resources


@pytest.mark.parametrize("version", [5, 6])
def test_identity_schemas_and_metadata_tolerable(start, version):
    """Terraform >= 1.12 calls GetResourceIdentitySchemas right after the
    schema: UNIMPLEMENTED or an answer without errors is fine, anything else
    fails every run. GetMetadata, if implemented, must list the same types."""
    p = start(protocol=version)
    resp, code = _rpc_status(lambda: p.rpc("GetResourceIdentitySchemas",
                                           p.pb.GetResourceIdentitySchemas.Request(), timeout=5))
    assert code in (None, grpc.StatusCode.UNIMPLEMENTED), code
    if resp is not None:
        assert not [d for d in resp.diagnostics if d.severity == 1]
    resp, code = _rpc_status(lambda: p.rpc("GetMetadata", p.pb.GetMetadata.Request(), timeout=5))
    assert code in (None, grpc.StatusCode.UNIMPLEMENTED), code
    if resp is not None:
        assert not [d for d in resp.diagnostics if d.severity == 1]
        assert sorted(r.type_name for r in resp.resources) == sorted(p.schema.resources)

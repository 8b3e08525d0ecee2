"""The Provider service on the wire: schemas, unimplemented RPCs, malformed
payloads, stdout/stderr discipline, concurrency (docs/protocol.md §2.5-§4)."""

import json
import re
import time

import grpc
import pytest

from harness import cty
from harness.errors import Diagnostic
from harness.provider import Provider

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
    p = start(protocol=version)
    for method in ("/tfplugin%d.Provider/NoSuchMethod" % version, "/nosuch.Service/Call"):
        _, code = _rpc_status(lambda: p.plugin.call(method, b"", p.pb.Stop.Response if version == 5
                                                     else p.pb.StopProvider.Response, timeout=5))
        assert code == grpc.StatusCode.UNIMPLEMENTED, "%s answered %s" % (method, code)
    assert p.plugin.health() == "SERVING"


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


def test_get_schema_needs_no_credentials_and_is_fast(start):
    env = {k: None for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                             "AWS_REGION", "AWS_DEFAULT_REGION")}
    env.update(HOME="/nonexistent", AWS_CONFIG_FILE="/nonexistent/c", AWS_SHARED_CREDENTIALS_FILE="/nonexistent/k",
               AWS_EC2_METADATA_DISABLED="true")
    p = start(protocol=5, env=env)
    t0 = time.monotonic()
    s = p.get_schema()
    assert time.monotonic() - t0 < 1.0
    assert s.resources
    # validate never needs credentials either
    for t in RESOURCE_TYPES:
        p.validate(t, {})


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


def test_parallel_reads_with_latency_and_stop(start, emulator, ssm):
    """10 slow ReadResource calls in flight, then Stop: Stop answers promptly
    and the reads all finish (cancelled ones with an error diagnostic)."""
    p = start(protocol=6)
    p.configure(ssm.provider_config())
    st = p.apply("ssmpatch_maintenance_window", {"name": "latency-window", "schedule": "rate(2 days)",
                                                 "duration": 2, "cutoff": 1})
    try:
        emulator.configure(latency_ms=1500)
        ty = p.block("ssmpatch_maintenance_window").implied_type()
        futs = [p.plugin.call_future("ReadResource", p.pb.ReadResource.Request(
            type_name="ssmpatch_maintenance_window", current_state=p.dv(ty, dict(st))),
            p.pb.ReadResource.Response, timeout=60) for _ in range(10)]
        time.sleep(0.3)
        t0 = time.monotonic()
        assert p.stop() == ""
        assert time.monotonic() - t0 < 2.0, "Stop waited for the in-flight calls"
        for f in futs:
            try:
                f.result(timeout=60)
            except grpc.RpcError as e:
                assert e.code() in (grpc.StatusCode.CANCELLED, grpc.StatusCode.DEADLINE_EXCEEDED), e
    finally:
        emulator.configure(latency_ms=0)
    _alive(p)
    p2 = start(protocol=6)
    p2.configure(ssm.provider_config())
    p2.destroy("ssmpatch_maintenance_window", st)


def _threads(pid):
    with open("/proc/%d/status" % pid) as f:
        return int([ln for ln in f if ln.startswith("Threads:")][0].split()[1])


def test_worker_pool_grows_with_parallel_calls(start, emulator, ssm):
    """The RPC worker pool starts small (provider/rpc/server.c) and grows on
    demand: sequential calls leave the process with few threads, and 12
    ReadResource calls at 400 ms of SSM latency run side by side (well under
    the 4.8 s they would take one after another) on the workers the pool
    grew for them."""
    p = start(protocol=6)
    p.configure(ssm.provider_config())
    st = p.apply("ssmpatch_maintenance_window", {"name": "pool-window", "schedule": "rate(2 days)",
                                                 "duration": 2, "cutoff": 1})
    ty = p.block("ssmpatch_maintenance_window").implied_type()
    for _ in range(5):
        assert p.read("ssmpatch_maintenance_window", st)["id"] == st["id"]
    sequential = _threads(p.plugin.proc.pid)
    try:
        emulator.configure(latency_ms=400)
        t0 = time.monotonic()
        futs = [p.plugin.call_future("ReadResource", p.pb.ReadResource.Request(
            type_name="ssmpatch_maintenance_window", current_state=p.dv(ty, dict(st))),
            p.pb.ReadResource.Response, timeout=60) for _ in range(12)]
        for f in futs:
            r = f.result(timeout=60)
            assert not [d for d in r.diagnostics if d.severity == 1], r.diagnostics
        wall = time.monotonic() - t0
    finally:
        emulator.configure(latency_ms=0)
    assert wall < 2.4, "12 reads at 400 ms took %.2f s: calls were serialized" % wall
    grown = _threads(p.plugin.proc.pid)
    # gRPC core's own threads, main, a few RPC workers, curl's resolver: ~11;
    # a pool started at full size would already be past 30 here
    assert sequential <= 18, "%d threads after sequential calls: the pool did not start small" % sequential
    assert grown - sequential >= 8, "threads: %d sequential, %d after 12 parallel calls" % (sequential, grown)
    assert grown - sequential <= 24, "the pool is capped at 24 workers"
    p.destroy("ssmpatch_maintenance_window", st)
    _alive(p)


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

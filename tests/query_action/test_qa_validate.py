"""List resources and the action ssmpatch_patch_now, their unary RPCs over protocol 5
and 6 (issue 17): the schemas in GetProviderSchema and GetMetadata,
ValidateListResourceConfig and ValidateActionConfig with every bad configuration
answered at its attribute, PlanAction looking the window target up, and malformed
requests (protobuf, msgpack, type names) answered with errors while the provider stays
up."""

import grpc
import pytest

from harness import cty

import qa_helpers as h

# ---------------------------------------------------------------- schemas


def test_qa_schemas_and_metadata(provider, protocol):
    """One list resource per resource type, under its name, and the action; GetMetadata
    names the same; every list filter and action argument is settable (optional or
    required, never computed: these are configuration-only blocks)."""
    p = provider(protocol, configure=False)
    raw = p.schema.raw
    assert sorted(raw.list_resource_schemas) == sorted(h.LIST_TYPES) == sorted(p.schema.resources)
    assert sorted(raw.action_schemas) == [h.ACTION]
    md = p.rpc("GetMetadata", p.pb.GetMetadata.Request())
    assert sorted(m.type_name for m in md.list_resources) == sorted(h.LIST_TYPES)
    assert [m.type_name for m in md.actions] == [h.ACTION]
    filters = {t: sorted(h.list_block(p, t).attributes) for t in h.LIST_TYPES}
    assert filters == {"ssmpatch_patch_baseline": ["name_prefix", "operating_system", "owner", "region"],
                       "ssmpatch_maintenance_window": ["enabled", "name_prefix", "region"],
                       "ssmpatch_window_target": ["region", "window_id"],
                       "ssmpatch_window_task": ["region", "window_id"]}
    for t in h.LIST_TYPES:
        for a in h.list_block(p, t).attributes.values():
            assert a.optional and not a.computed and not a.required, (t, a.name)
    act = h.action_block(p)
    assert act.attributes["operation"].required
    assert not any(a.computed for a in act.attributes.values())
    assert act.block_types["tag"].max_items == 5 and act.block_types["window_target"].max_items == 1


def test_qa_schemas_same_over_both_protocols(provider):
    s5, s6 = provider(5, configure=False), provider(6, configure=False)
    for t in h.LIST_TYPES:
        assert h.list_block(s5, t).implied_type().to_json() == h.list_block(s6, t).implied_type().to_json()
    assert h.action_block(s5).implied_type().to_json() == h.action_block(s6).implied_type().to_json()

# ---------------------------------------------------------------- ValidateListResourceConfig


BAD_LISTS = [
    ("ssmpatch_patch_baseline", {"owner": "Mine"}, "owner"),
    ("ssmpatch_patch_baseline", {"operating_system": "AMAZON_LINUX_9"}, "operating_system"),
    ("ssmpatch_patch_baseline", {"name_prefix": ""}, "name_prefix"),
    ("ssmpatch_maintenance_window", {"name_prefix": "x" * 129}, "name_prefix"),
    ("ssmpatch_window_target", {"window_id": "mw-123"}, "window_id"),
    ("ssmpatch_window_task", {"window_id": "pb-0123456789abcdef0"}, "window_id"),
]


@pytest.mark.parametrize("type_name,cfg,path", BAD_LISTS,
                         ids=["%s.%s" % (t[len("ssmpatch_"):], p) for t, _, p in BAD_LISTS])
def test_qa_validate_list_bad(provider, protocol, type_name, cfg, path):
    p = provider(protocol, configure=False)
    errs = h.errors(h.validate_list(p, type_name, cfg))
    assert [a for _, a in errs] == [path], errs


def test_qa_validate_list_good_and_unknown(provider, protocol):
    p = provider(protocol, configure=False)
    good = {"ssmpatch_patch_baseline": {"owner": "All", "name_prefix": "STG-", "operating_system": "AMAZON_LINUX_2"},
            "ssmpatch_maintenance_window": {"name_prefix": "patch-", "enabled": False},
            "ssmpatch_window_target": {"window_id": "mw-0123456789abcdef0"},
            "ssmpatch_window_task": {}}
    for t, cfg in good.items():
        assert h.validate_list(p, t, cfg) == [], t
        assert h.validate_list(p, t, {k: cty.UNKNOWN for k in cfg}) == [], t


def test_qa_validate_list_limit_and_include(provider):
    """Terraform sends neither, other clients may: a negative or fractional limit is an
    error, an unknown one is fine."""
    p = provider(6, configure=False)
    t = "ssmpatch_maintenance_window"
    assert h.validate_list(p, t, {}, include=True, limit=5) == []
    assert h.validate_list(p, t, {}, include=False, limit=cty.UNKNOWN) == []
    assert [s for s, _ in h.errors(h.validate_list(p, t, {}, limit=-1))] == ["Invalid limit"]
    assert [s for s, _ in h.errors(h.validate_list(p, t, {}, limit=1.5))] == ["Invalid limit"]

# ---------------------------------------------------------------- ValidateActionConfig

SCAN = {"operation": "Scan", "patch_group": "STG"}
WT = {"window_id": "mw-0123456789abcdef0", "window_target_id": "e32eecb2-646c-4f4b-8ed1-205fbe0a0a0a"}

BAD_ACTIONS = [
    ("operation", {"operation": "Patch", "patch_group": "STG"}, "Invalid value", "operation"),
    ("no_targets", {"operation": "Scan"}, "No targets", ""),
    ("install_no_reboot_option", {"operation": "Install", "patch_group": "STG"},
     "reboot_option required with Install", "reboot_option"),
    ("reboot_option", dict(SCAN, reboot_option="Always"), "Invalid value", "reboot_option"),
    ("ids_and_group", {"operation": "Scan", "patch_group": "STG", "instance_ids": ["i-0123456789abcdef0"]},
     "Conflicting targets", "instance_ids"),
    ("window_target_and_tag", {"operation": "Scan", "window_target": [WT],
                               "tag": [{"key": "Env", "values": ["stg"]}]},
     "Conflicting targets", "window_target"),
    ("six_entries", dict(SCAN, tag=[{"key": "k%d" % i, "values": ["v"]} for i in range(5)]),
     "Too many targets", "tag"),
    ("instance_id", {"operation": "Scan", "instance_ids": ["web-1"]}, "Invalid format", "instance_ids"),
    ("max_concurrency", dict(SCAN, max_concurrency="0"), "Invalid format", "max_concurrency"),
    ("max_errors", dict(SCAN, max_errors="101%"), "Invalid format", "max_errors"),
    ("timeout", dict(SCAN, timeout_seconds=10), None, "timeout_seconds"),
    ("prefix_without_bucket", dict(SCAN, output_s3_key_prefix="p/"), "Key prefix without a bucket",
     "output_s3_key_prefix"),
    ("comment", dict(SCAN, comment="c" * 101), None, "comment"),
    ("window_target_id", {"operation": "Scan", "window_target": [dict(WT, window_target_id="t-1")]},
     "Invalid format", "window_target[0].window_target_id"),
    ("patch_group_chars", {"operation": "Scan", "patch_group": "STG;rm"}, "Invalid character", "patch_group"),
]


@pytest.mark.parametrize("cfg,summary,path", [b[1:] for b in BAD_ACTIONS], ids=[b[0] for b in BAD_ACTIONS])
def test_qa_validate_action_bad(provider, protocol, cfg, summary, path):
    p = provider(protocol, configure=False)
    errs = h.errors(h.validate_action(p, cfg))
    assert [a for _, a in errs] == [path], errs
    if summary:
        assert errs[0][0] == summary, errs


def test_qa_validate_action_good_and_unknown(provider, protocol):
    p = provider(protocol, configure=False)
    good = [SCAN,
            {"operation": "Install", "reboot_option": "NoReboot", "patch_group": "STG", "max_errors": "0",
             "max_concurrency": "25%", "tag": [{"key": "PatchWindowTaskAM2", "values": ["INSTALL"]}],
             "output_s3_bucket": "patch-logs", "output_s3_key_prefix": "now/", "timeout_seconds": 600},
            {"operation": "Scan", "instance_ids": ["i-0123456789abcdef0", "mi-0123456789abcdef0"]},
            {"operation": "Scan", "window_target": [WT]},
            {"operation": "Scan", "tag": [{"key": "Env", "values": ["a", "b"]}]}]
    for cfg in good:
        assert h.validate_action(p, cfg) == [], cfg
    # Values known only at apply (another resource's attributes): nothing to say yet.
    for cfg in ({"operation": cty.UNKNOWN, "patch_group": "STG"},
                {"operation": "Install", "reboot_option": cty.UNKNOWN, "patch_group": "STG"},
                {"operation": "Scan", "patch_group": cty.UNKNOWN},
                {"operation": "Scan", "window_target": [{"window_id": cty.UNKNOWN,
                                                         "window_target_id": cty.UNKNOWN}]}):
        assert h.validate_action(p, cfg) == [], cfg

# ---------------------------------------------------------------- PlanAction


def test_qa_plan_action_looks_up_the_window_target(ep, provider, protocol):
    """PlanAction finds the window target (so a wrong one fails the plan, not the
    apply), refuses a resource group target, and looks nothing up while the IDs are
    unknown."""
    p = provider(protocol)
    wid = ep.call("CreateMaintenanceWindow", {"Name": ep.name("plan"), "Schedule": "rate(1 day)", "Duration": 2,
                                              "Cutoff": 1, "AllowUnassociatedTargets": False})["WindowId"]
    inst = ep.call("RegisterTargetWithMaintenanceWindow", {
        "WindowId": wid, "ResourceType": "INSTANCE",
        "Targets": [{"Key": "tag:PatchWindowTaskAM2", "Values": ["SCAN"]}]})["WindowTargetId"]
    group = ep.call("RegisterTargetWithMaintenanceWindow", {
        "WindowId": wid, "ResourceType": "RESOURCE_GROUP",
        "Targets": [{"Key": "resource-groups:Name", "Values": ["web"]}]})["WindowTargetId"]
    try:
        ok = {"operation": "Scan", "window_target": [{"window_id": wid, "window_target_id": inst}]}
        assert h.plan_action(p, ok) == []
        missing = {"operation": "Scan", "window_target": [{"window_id": wid,
                                                           "window_target_id": "00000000-0000-4000-8000-000000000000"}]}
        assert h.errors(h.plan_action(p, missing)) == [("Window target not found", "window_target")]
        rg = {"operation": "Scan", "window_target": [{"window_id": wid, "window_target_id": group}]}
        assert h.errors(h.plan_action(p, rg)) == [("Not an instance target", "window_target")]
        before = ep.emulator.calls()["by_op"].get("DescribeMaintenanceWindowTargets", {}).get("count", 0) \
            if ep.is_emulator else None
        unknown = {"operation": "Scan", "window_target": [{"window_id": wid, "window_target_id": cty.UNKNOWN}]}
        assert h.plan_action(p, unknown) == []
        if ep.is_emulator:
            assert before >= 2, "the two lookups above were not counted"
            after = ep.emulator.calls()["by_op"].get("DescribeMaintenanceWindowTargets", {}).get("count", 0)
            assert after == before, "PlanAction looked up a window target it did not know yet"
        # The schema's rules come first, and stop the plan before any call.
        assert h.errors(h.plan_action(p, {"operation": "Install", "patch_group": "STG"})) == \
            [("reboot_option required with Install", "reboot_option")]
    finally:
        ep.call("DeleteMaintenanceWindow", {"WindowId": wid})


def test_qa_plan_action_needs_configure(provider):
    """A window target to look up needs the configured provider (Terraform always
    configures before PlanAction); the error says so instead of crashing."""
    p = provider(6, configure=False)
    errs = h.errors(h.plan_action(p, {"operation": "Scan", "window_target": [WT]}))
    assert [s for s, _ in errs] == ["Provider not configured"]

# ---------------------------------------------------------------- malformed requests


def _error_answer(fn):
    try:
        resp = fn()
    except grpc.RpcError as e:
        return e.code() != grpc.StatusCode.OK
    return any(d.is_error for d in h.diags(resp.diagnostics))


def test_qa_malformed_requests(provider, protocol):
    """Garbage protobuf, msgpack that is not the schema's object and unknown type names
    are answered with an error (status or diagnostic) and the provider stays up."""
    p = provider(protocol)
    calls = [("ValidateListResourceConfig", p.pb.ValidateListResourceConfig,
              lambda dv, t: p.pb.ValidateListResourceConfig.Request(type_name=t or h.LIST_TYPES[0], config=dv)),
             ("ValidateActionConfig", p.pb.ValidateActionConfig,
              lambda dv, t: p.pb.ValidateActionConfig.Request(type_name=t or h.ACTION, config=dv)),
             ("PlanAction", p.pb.PlanAction,
              lambda dv, t: p.pb.PlanAction.Request(action_type=t or h.ACTION, config=dv))]
    for name, msg, mk in calls:
        for g in (b"\xff\xff\xff\xff", b"\x0a\x40short", b"\x12\x05\x0a\x02"):
            assert _error_answer(lambda: p.plugin.call(name, g, msg.Response, timeout=5)), (name, g)
        for bad in (b"\xc1", b"\xa3abc", b"\x81\xa4name\xa3abc", b"\x92\x01\x02", b"\xdf\xff\xff\xff\xff"):
            assert _error_answer(lambda: p.rpc(name, mk(p.pb.DynamicValue(msgpack=bad), None), timeout=5)), \
                (name, bad)
        assert _error_answer(lambda: p.rpc(name, mk(p.pb.DynamicValue(msgpack=b"\x80"), "ssmpatch_nope"),
                                           timeout=5)), name
    assert p.plugin.proc.poll() is None and p.plugin.health() == "SERVING"

"""Helpers of tests/query_action: the list resource and action RPCs through a
harness Provider (schemas from its GetProviderSchema answer), and the seed's
objects made outside Terraform.

    d = validate_action(p, {"operation": "Scan", "patch_group": "STG"})   # [Diagnostic]
    d = plan_action(p, cfg)
    d = validate_list(p, "ssmpatch_window_task", {"window_id": "mw-..."})
"""
from harness.errors import Diagnostic
from harness.schema import Block

LIST_TYPES = ["ssmpatch_patch_baseline", "ssmpatch_maintenance_window", "ssmpatch_window_target",
              "ssmpatch_window_task"]
ACTION = "ssmpatch_patch_now"


def list_block(p, type_name):
    """The list resource's config block (harness Block)."""
    return Block.from_proto(p.schema.raw.list_resource_schemas[type_name].block)


def action_block(p, type_name=ACTION):
    return Block.from_proto(p.schema.raw.action_schemas[type_name].schema.block)


def diags(resp_diags):
    return [Diagnostic.from_proto(d) for d in resp_diags]


def validate_list(p, type_name, cfg, include=None, limit=None):
    """ValidateListResourceConfig -> [Diagnostic]; include/limit, when given, go in
    as the DynamicValues the protocol has for them."""
    from harness import cty
    b = list_block(p, type_name)
    req = p.pb.ValidateListResourceConfig.Request(type_name=type_name,
                                                  config=p.dv(b.implied_type(), b.config(cfg)))
    if include is not None:
        req.include_resource_object.CopyFrom(p.dv(cty.BOOL, include))
    if limit is not None:
        req.limit.CopyFrom(p.dv(cty.NUMBER, limit))
    return diags(p.rpc("ValidateListResourceConfig", req).diagnostics)


def validate_action(p, cfg, type_name=ACTION):
    b = action_block(p, type_name)
    req = p.pb.ValidateActionConfig.Request(type_name=type_name,
                                            config=p.dv(b.implied_type(), b.config(cfg)))
    return diags(p.rpc("ValidateActionConfig", req).diagnostics)


def plan_action(p, cfg, type_name=ACTION):
    b = action_block(p, type_name)
    req = p.pb.PlanAction.Request(action_type=type_name,
                                  config=p.dv(b.implied_type(), b.config(cfg)))
    return diags(p.rpc("PlanAction", req).diagnostics)


def errors(ds):
    """[(summary, attribute)] of the error diagnostics."""
    return [(d.summary, d.attribute) for d in ds if d.is_error]

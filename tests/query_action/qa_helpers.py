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


# ---------------------------------------------------------------- identity and streams


def identity_types(p):
    """{resource type: cty Object type of its identity} from GetResourceIdentitySchemas."""
    from harness import cty
    resp = p.rpc("GetResourceIdentitySchemas", p.pb.GetResourceIdentitySchemas.Request())
    return {name: cty.Object({a.name: cty.type_from_json(bytes(a.type)) for a in s.identity_attributes})
            for name, s in resp.identity_schemas.items()}


class ListResult:
    """What one ListResource call streamed: ``results`` [{"identity", "display_name",
    "object"}] in order, ``diagnostics`` (from every event), ``events`` (the raw
    count), ``status`` (grpc.StatusCode at the end)."""

    def __init__(self):
        self.results, self.diagnostics, self.events, self.status = [], [], 0, None

    def errors(self):
        return errors(self.diagnostics)


def list_request(p, type_name, cfg=None, include=False, limit=100):
    b = list_block(p, type_name)
    return p.pb.ListResource.Request(type_name=type_name, config=p.dv(b.implied_type(), b.config(cfg or {})),
                                     include_resource_object=include, limit=limit)


def list_resource(p, type_name, cfg=None, include=False, limit=100, timeout=120, on_event=None):
    """ListResource as Terraform calls it: every event decoded (identity with the
    identity schema, the object with the resource schema; both must conform) until
    the stream ends; ``on_event(result, call)`` after each one may cancel the call."""
    from harness import cty
    ids = identity_types(p)[type_name]
    obj_type = p.block(type_name).implied_type()
    out = ListResult()

    def one(ev):
        out.events += 1
        out.diagnostics += diags(ev.diagnostic)
        if ev.HasField("identity"):
            r = {"identity": cty.decode_msgpack(ids, ev.identity.identity_data.msgpack),
                 "display_name": ev.display_name, "object": None}
            if ev.HasField("resource_object"):
                r["object"] = cty.decode_msgpack(obj_type, ev.resource_object.msgpack)
            out.results.append(r)
    call = p.plugin.call_stream("ListResource", list_request(p, type_name, cfg, include, limit), timeout=timeout)
    return _drain(call, out, one, on_event)


def _drain(call, out, one, on_event):
    """Every event of a server stream through ``one(event)`` then ``on_event(out, call)``
    (which may cancel the call); out.status the gRPC status it ended with. Returns out."""
    import grpc
    try:
        for ev in call:
            one(ev)
            if on_event:
                on_event(out, call)
        out.status = grpc.StatusCode.OK
    except grpc.RpcError as e:
        out.status = e.code()
    return out


class ActionRun:
    """What one InvokeAction call streamed: ``progress`` [message], ``completed``
    (number of Completed events), ``diagnostics`` (theirs), ``status``."""

    def __init__(self):
        self.progress, self.completed, self.diagnostics, self.status = [], 0, [], None

    def errors(self):
        return errors(self.diagnostics)


def invoke_action(p, cfg, type_name=ACTION, timeout=300, on_event=None):
    b = action_block(p, type_name)
    req = p.pb.InvokeAction.Request(action_type=type_name, config=p.dv(b.implied_type(), b.config(cfg)))
    out = ActionRun()

    def one(ev):
        which = ev.WhichOneof("type")
        if which == "progress":
            out.progress.append(ev.progress.message)
        elif which == "completed":
            out.completed += 1
            out.diagnostics += diags(ev.completed.diagnostics)
        else:
            raise AssertionError("InvokeAction event with neither progress nor completed")
    return _drain(p.plugin.call_stream("InvokeAction", req, timeout=timeout), out, one, on_event)


# ---------------------------------------------------------------- the seed, made outside Terraform

ENVS = {"STG": 1, "PRD": 31}   # environment -> approve_after_days (the seed's baselines)


def create_seed(ep, prefix=None, bucket="patch-logs"):
    """The seed's setup as a team without Terraform made it (CloudFormation, the
    console, scripts): for STG and PRD each a baseline registered for the
    environment's patch group, a window, a SCAN and an INSTALL target and an
    AWS-RunPatchBaseline task for each - twelve objects, made with botocore
    through ``ep.call``. Names start with ``prefix`` (default: the run's). Returns
    {"prefix", "baselines": {env: id}, "windows": {env: id}, "targets": {(env, role):
    id}, "tasks": {(env, role): id}, "count": 12}."""
    import seed_fleet
    prefix = ep.prefix if prefix is None else prefix
    out = {"prefix": prefix, "baselines": {}, "windows": {}, "targets": {}, "tasks": {}}
    for env, days in ENVS.items():
        body = seed_fleet.baseline_body(prefix + env + "-AL2Baseline", days)
        body["Description"] = "%s: Security Critical/Important patches %d days after release" % (env, days)
        bid = ep.call("CreatePatchBaseline", body)["BaselineId"]
        ep.call("RegisterPatchBaselineForPatchGroup", {"BaselineId": bid, "PatchGroup": prefix + env})
        out["baselines"][env] = bid
        wid = ep.call("CreateMaintenanceWindow", {
            "Name": "%spatch-window-am2-%s" % (prefix, env.lower()), "Schedule": seed_fleet.SCHEDULE,
            "ScheduleTimezone": "Asia/Tokyo", "Duration": 1, "Cutoff": 0, "AllowUnassociatedTargets": True,
            "Tags": [{"Key": "Environment", "Value": env}]})["WindowId"]
        out["windows"][env] = wid
        for role in seed_fleet.ROLES:
            label = role.capitalize()
            tid = ep.call("RegisterTargetWithMaintenanceWindow", {
                "WindowId": wid, "ResourceType": "INSTANCE", "Name": "PatchingTarget" + label,
                "Targets": [{"Key": "tag:" + seed_fleet.TARGET_TAG, "Values": [role]}]})["WindowTargetId"]
            out["targets"][(env, role)] = tid
            out["tasks"][(env, role)] = ep.call("RegisterTaskWithMaintenanceWindow", {
                "WindowId": wid, "Name": "PatchingTask" + label, "TaskArn": "AWS-RunPatchBaseline",
                "TaskType": "RUN_COMMAND", "Priority": 1, "MaxConcurrency": "50%", "MaxErrors": "50%",
                "Targets": [{"Key": "WindowTargetIds", "Values": [tid]}],
                "TaskInvocationParameters": {"RunCommand": {
                    "TimeoutSeconds": 1800, "OutputS3BucketName": bucket,
                    "OutputS3KeyPrefix": "patch/window/%s/" % role.lower(),
                    "Parameters": {"Operation": [label], "RebootOption": ["NoReboot"]}}}})["WindowTaskId"]
    out["count"] = (len(out["baselines"]) + len(out["windows"]) + len(out["targets"])
                    + len(out["tasks"]))
    return out


def op_count(ep, op):
    """Calls of `op` the emulator has answered (any outcome) since its last reset."""
    return ep.emulator.calls()["by_op"].get(op, {}).get("count", 0)


def wait_for_log(p, text, timeout=30.0):
    """The first stderr line of the provider containing `text`, once it is written
    (harness.wait: the timeout only catches a hang)."""
    from harness.wait import wait_for
    found = []

    def logged():
        found[:] = [ln for ln in list(p.plugin.stderr_lines) if text in ln][:1]
        return bool(found)
    wait_for(logged, timeout, "provider log line %r" % text)
    return found[0]


# ---------------------------------------------------------------- identity in the resource RPCs


def identity_dv(p, type_name, value):
    return p.pb.ResourceIdentityData(identity_data=p.dv(identity_types(p)[type_name], value))


def undv_identity(p, type_name, rid):
    """A ResourceIdentityData answer decoded (None when absent)."""
    from harness import cty
    if rid is None or not rid.HasField("identity_data") or not rid.identity_data.msgpack:
        return None
    return cty.decode_msgpack(identity_types(p)[type_name], rid.identity_data.msgpack)


def read_with_identity(p, type_name, state, current_identity=None):
    """ReadResource as Terraform 1.12+ calls it: (new state dict or None, identity or None, diagnostics)."""
    from harness import cty
    ty = p.block(type_name).implied_type()
    req = p.pb.ReadResource.Request(type_name=type_name, current_state=p.dv(ty, dict(state)))
    if current_identity is not None:
        req.current_identity.CopyFrom(identity_dv(p, type_name, current_identity))
    resp = p.rpc("ReadResource", req)
    new = cty.decode_msgpack(ty, resp.new_state.msgpack) if resp.new_state.msgpack else None
    ident = undv_identity(p, type_name, resp.new_identity if resp.HasField("new_identity") else None)
    return new, ident, diags(resp.diagnostics)


def import_raw(p, type_name, id=None, identity=None):
    """ImportResourceState by ID or by identity: (state or None, identity or None, diagnostics)."""
    from harness import cty
    req = p.pb.ImportResourceState.Request(type_name=type_name, id=id or "")
    if identity is not None:
        req.identity.CopyFrom(identity_dv(p, type_name, identity))
    resp = p.rpc("ImportResourceState", req)
    ds = diags(resp.diagnostics)
    if not resp.imported_resources:
        return None, None, ds
    ir = resp.imported_resources[0]
    st = cty.decode_msgpack(p.block(type_name).implied_type(), ir.state.msgpack)
    return st, undv_identity(p, type_name, ir.identity if ir.HasField("identity") else None), ds


def plan_apply_with_identity(p, type_name, cfg, prior=None, prior_identity=None):
    """PlanResourceChange then ApplyResourceChange as Terraform 1.12+ makes them
    (ProposedNew from the harness, prior_identity and planned_identity handed on):
    (plan's planned identity, new state, apply's new identity, diagnostics of both)."""
    from harness import cty, objchange
    blk = p.block(type_name)
    ty = blk.implied_type()
    config = blk.config(cfg)
    proposed = objchange.proposed_new(blk, dict(prior) if prior else None, config)
    req = p.pb.PlanResourceChange.Request(type_name=type_name, prior_state=p.dv(ty, dict(prior) if prior else None),
                                          proposed_new_state=p.dv(ty, proposed), config=p.dv(ty, config))
    if prior_identity is not None:
        req.prior_identity.CopyFrom(identity_dv(p, type_name, prior_identity))
    pr = p.rpc("PlanResourceChange", req)
    ds = diags(pr.diagnostics)
    planned_id = undv_identity(p, type_name, pr.planned_identity if pr.HasField("planned_identity") else None)
    if errors(ds):
        return planned_id, None, None, ds
    areq = p.pb.ApplyResourceChange.Request(type_name=type_name, prior_state=p.dv(ty, dict(prior) if prior else None),
                                            planned_state=pr.planned_state, config=p.dv(ty, config),
                                            planned_private=pr.planned_private)
    if pr.HasField("planned_identity"):
        areq.planned_identity.CopyFrom(pr.planned_identity)
    ar = p.rpc("ApplyResourceChange", areq)
    ds += diags(ar.diagnostics)
    new = cty.decode_msgpack(ty, ar.new_state.msgpack) if ar.new_state.msgpack else None
    return planned_id, new, undv_identity(p, type_name, ar.new_identity if ar.HasField("new_identity") else None), ds

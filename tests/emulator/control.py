"""control.py - the emulator's control endpoints for the patching simulation (unsigned,
under ``/_emulator/``; tests/emulator/README.md lists them with examples).

Each handler takes (emu, method, query, body) and returns (HTTP status, JSON object).
``emu`` is server.Emulator. Requests name the (account, region) they act on with
``account``/``region`` in the JSON body or the query string; the defaults are the
emulator's ``--account`` and ``--region``. A bad request answers 400 ``{"error": ...}``.

| endpoint | does |
|---|---|
| ``GET/POST clock`` | read / set (``set``), move (``advance``), ``freeze``, go ``real``; with ``run_due`` the windows whose schedule fell in the advanced span run |
| ``GET/POST catalog`` | read / add patches (``replace`` to start over) |
| ``GET/POST instances`` | read / add managed instances (``replace`` to start over) |
| ``POST instances/update`` | change ping status or tags, ``reboot`` |
| ``POST instances/fail`` | make instances fail their next AWS-RunPatchBaseline Install (or Scan) |
| ``POST windows/run`` | run a maintenance window now |
| ``POST commands/advance`` | move Run Command commands on |
| ``GET fleet`` | instances with their patch states, commands, window executions |
"""

import copy

from fleet import ControlError, make_instance, make_patch, patch_group_of
from ssm_backend import OPERATING_SYSTEMS
from ssm_common import iso_utc, parse_time


def _scope(emu, query, body):
    account = body.get("account") or (query.get("account") or [None])[0] or emu.account
    region = body.get("region") or (query.get("region") or [None])[0] or emu.region
    return str(account), str(region)


def _ids(body, st):
    ids = body.get("InstanceIds")
    if not isinstance(ids, list) or not ids:
        raise ControlError("InstanceIds: a non-empty list of instance IDs is required")
    unknown = [i for i in ids if i not in st.instances]
    if unknown:
        raise ControlError("unknown instances %s" % unknown)
    return [st.instances[i] for i in ids]


def clock(emu, method, query, body):
    b = emu.backend
    ran = []
    if method == "POST":
        with b.lock:
            before = b.clock.now()
            if body.get("real"):
                b.clock.real()
            if "set" in body:
                t = parse_time(body["set"])
                if t is None:
                    raise ControlError("set: an epoch number or an ISO-8601 time is required")
                b.clock.set(t, freeze=body.get("freeze"))
            elif "freeze" in body:
                b.clock.freeze(bool(body["freeze"]))
            if "advance" in body:
                b.clock.advance(float(body["advance"]))
            if body.get("run_due"):
                ran = b.run_due(before, b.clock.now())
    out = b.clock.state()
    if ran:
        out["executions"] = ran
    return 200, out


def catalog(emu, method, query, body):
    b = emu.backend
    if method == "POST":
        patches = body.get("patches")
        if not isinstance(patches, list):
            raise ControlError("patches: a list of patches is required")
        with b.lock:
            now = b.clock.now()
            made = [make_patch(p, now, OPERATING_SYSTEMS) for p in patches]
            if body.get("replace"):
                b.catalog = {}
            for p in made:
                b.catalog[p["Id"]] = p
        return 200, {"patches": [p["Id"] for p in made]}
    with b.lock:
        return 200, {"patches": copy.deepcopy(list(b.catalog.values()))}


def _instance_view(inst):
    d = {k: copy.deepcopy(v) for k, v in inst.items() if k not in ("installed", "report", "failures")}
    d["PatchGroup"] = patch_group_of(inst)
    d["Installed"] = {pid: {"InstalledTime": h["time"], "PendingReboot": h["pending_reboot"]}
                      for pid, h in inst["installed"].items()}
    d["Failures"] = copy.deepcopy(inst["failures"])
    r = inst["report"]
    if r is not None:
        d["PatchState"] = {k: v for k, v in r.items() if k != "patches"}
        d["Patches"] = {pid: {"State": s, "InstalledTime": t} for pid, (s, t, _) in r["patches"].items()}
    return d


def instances(emu, method, query, body):
    b = emu.backend
    account, region = _scope(emu, query, body)
    with b.lock:
        st = b.state(account, region)
        if method == "POST":
            specs = body.get("instances")
            if not isinstance(specs, list):
                raise ControlError("instances: a list of instances is required")
            now = b.clock.now()
            made = [make_instance(s, lambda: "i-" + b._hex17(), now, OPERATING_SYSTEMS) for s in specs]
            if body.get("replace"):
                st.instances = {}
            dup = [i["InstanceId"] for i in made if i["InstanceId"] in st.instances]
            if dup or len({i["InstanceId"] for i in made}) != len(made):
                raise ControlError("instances already exist: %s" % (dup or "duplicate IDs"))
            for inst in made:
                st.instances[inst["InstanceId"]] = inst
            return 200, {"InstanceIds": [i["InstanceId"] for i in made],
                         "account": account, "region": region}
        return 200, {"instances": [_instance_view(i) for i in st.instances.values()]}


def instances_update(emu, method, query, body):
    b = emu.backend
    account, region = _scope(emu, query, body)
    with b.lock:
        st = b.state(account, region)
        for inst in _ids(body, st):
            if "PingStatus" in body:
                if body["PingStatus"] not in ("Online", "ConnectionLost", "Inactive"):
                    raise ControlError("PingStatus must be Online, ConnectionLost or Inactive")
                if inst["PingStatus"] == "Online" and body["PingStatus"] != "Online":
                    inst["LastPingDateTime"] = b.clock.now()
                inst["PingStatus"] = body["PingStatus"]
            for k, v in (body.get("Tags") or {}).items():
                if v is None:
                    inst["Tags"].pop(k, None)
                else:
                    inst["Tags"][k] = str(v)
            if body.get("reboot"):
                # the patches are no longer pending; the compliance data says so after the
                # next Scan or Install reports (as on AWS)
                for h in inst["installed"].values():
                    h["pending_reboot"] = False
        return 200, {"ok": True}


def instances_fail(emu, method, query, body):
    b = emu.backend
    account, region = _scope(emu, query, body)
    op = body.get("operation", "Install")
    if op not in ("Install", "Scan", "Any"):
        raise ControlError("operation must be Install, Scan or Any")
    times = body.get("times")
    if times is not None and (not isinstance(times, int) or times < 1):
        raise ControlError("times: a positive number, or null for every run until cleared")
    with b.lock:
        st = b.state(account, region)
        for inst in _ids(body, st):
            if body.get("clear"):
                inst["failures"] = []
                continue
            f = {"operation": op, "times": times}
            if body.get("message"):
                f["message"] = str(body["message"])
            if body.get("patch_ids"):
                unknown = [p for p in body["patch_ids"] if p not in b.catalog]
                if unknown:
                    raise ControlError("unknown patches %s" % unknown)
                f["patch_ids"] = list(body["patch_ids"])
            inst["failures"].append(f)
    return 200, {"ok": True}


def windows_run(emu, method, query, body):
    b = emu.backend
    account, region = _scope(emu, query, body)
    wid = body.get("WindowId")
    if not wid:
        raise ControlError("WindowId is required")
    with b.lock:
        return 200, b.run_window(b.state(account, region), account, region, wid)


def commands_advance(emu, method, query, body):
    b = emu.backend
    account, region = _scope(emu, query, body)
    steps = body.get("steps")
    if steps is not None and (not isinstance(steps, int) or steps < 1):
        raise ControlError("steps: a positive number, or null to finish")
    with b.lock:
        return 200, {"commands": b.advance_commands(b.state(account, region), account, region,
                                                    body.get("CommandId"), steps)}


def fleet(emu, method, query, body):
    b = emu.backend
    account, region = _scope(emu, query, body)
    with b.lock:
        st = b.state(account, region)
        cmds = [{k: v for k, v in c.items() if not k.startswith("_")} | {
            "Invocations": [{k: i[k] for k in ("InstanceId", "Status", "StatusDetails") if k in i}
                            for i in c["_invocations"]]} for c in st.commands.values()]
        exs = []
        for ex in sorted(st.executions.values(), key=lambda e: -e["StartTime"]):
            d = {k: v for k, v in ex.items() if not k.startswith("_")}
            d["Tasks"] = [{k: v for k, v in t.items() if not k.startswith("_")}
                          | {"Invocations": copy.deepcopy(t["_invocations"])} for t in ex["_tasks"]]
            exs.append(d)
        return 200, {"account": account, "region": region, "now": iso_utc(b.clock.now(), millis=True),
                     "instances": [_instance_view(i) for i in st.instances.values()],
                     "commands": copy.deepcopy(cmds), "executions": exs}


ROUTES = {
    ("GET", "clock"): clock, ("POST", "clock"): clock,
    ("GET", "catalog"): catalog, ("POST", "catalog"): catalog,
    ("GET", "instances"): instances, ("POST", "instances"): instances,
    ("POST", "instances/update"): instances_update,
    ("POST", "instances/fail"): instances_fail,
    ("POST", "windows/run"): windows_run,
    ("POST", "commands/advance"): commands_advance,
    ("GET", "fleet"): fleet,
}


def handle(emu, method, name, query, body):
    """(status, object) for a control endpoint, or None when `name` is not one."""
    fn = ROUTES.get((method, name))
    if fn is None:
        return None
    try:
        return fn(emu, method, query, body)
    except ControlError as e:
        return 400, {"error": str(e)}
    except (TypeError, ValueError, KeyError) as e:
        return 400, {"error": "bad request: %r" % (e,)}

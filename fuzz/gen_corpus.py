#!/usr/bin/python3
"""Generate the seed corpus of the fuzz targets (fuzz/corpus/<target>/).

Run with Debian's python (it needs python3-msgpack and python3-protobuf):
    /usr/bin/python3 fuzz/gen_corpus.py [build-dir] [fuzz-build-dir]
It starts the provider from ``build-dir`` (default build/) through the test
harness to get the schemas, turns the seed scenario (tests/harness/seed.py:
STG/PRD AL2 baselines, window cron(00 17 * * ? *), targets and
AWS-RunPatchBaseline tasks) into full configuration objects, and writes them
in each target's input format (selector byte + payload, see each fuzz_*.c).
``fuzz-build-dir`` (default build-fuzz/) is asked for fuzz_rpc's method table.
File names are content hashes, so re-running is idempotent.
"""

import hashlib
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from harness import cty, seed  # noqa: E402
from harness.protos import load as load_protos  # noqa: E402
from harness.provider import Provider  # noqa: E402

WINDOW_ID = "mw-0123456789abcdef0"
TARGET_ID = "e32eecb2-646c-4f4b-8ed1-205fbEXAMPLE"
RESOURCE_ORDER = ["ssmpatch_patch_baseline", "ssmpatch_maintenance_window",
                  "ssmpatch_window_target", "ssmpatch_window_task"]  # engine.c g_resources


def put(target, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def seed_configs():
    """(type_name, partial dict) of the seed scenario, ids filled in."""
    out = [("ssmpatch_patch_baseline", seed.baseline("STG", 1)),
           ("ssmpatch_patch_baseline", seed.baseline("PRD", 31)),
           ("ssmpatch_maintenance_window", seed.window())]
    for op in ("scan", "install"):
        out.append(("ssmpatch_window_target", seed.target(op, WINDOW_ID)))
        out.append(("ssmpatch_window_task", seed.task(op, WINDOW_ID, TARGET_ID, "ssmpatch-seed-output")))
    return out


PROVIDER_CFG = {"region": "us-east-1", "access_key": "AKIDEXAMPLE", "secret_key": "secret",
                "max_retries": 3, "endpoints": [{"ssm": "http://127.0.0.1:1", "sts": "http://127.0.0.1:1"}],
                "default_tags": [{"tags": {"Env": "stg"}}]}


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
    fbuild = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "build-fuzz")
    prov = Provider(binary=os.path.join(build, "terraform-provider-ssmpatch"), protocol=6)
    try:
        schema = prov.schema
        values = []  # (selector, type_name, type, value)
        for tn, cfg in seed_configs():
            blk = schema.resource(tn)
            values.append((RESOURCE_ORDER.index(tn), tn, blk.implied_type(), blk.config(cfg)))
        pblk = schema.provider
        values.append((len(RESOURCE_ORDER), None, pblk.implied_type(), pblk.config(PROVIDER_CFG)))
        values.append((len(RESOURCE_ORDER), None, pblk.implied_type(), pblk.config({})))
        newer = newer_values(prov)
    finally:
        prov.close()

    for sel, tn, ty, v in values:
        mp = cty.encode_msgpack(ty, v)
        put("fuzz_msgpack", bytes([sel]) + mp)
        put("fuzz_schema_validate", bytes([sel]) + mp)
        js = cty.to_json(ty, v)
        put("fuzz_json", bytes([sel]) + js)
        obj = json.loads(js)
        obj["no_such_attribute"] = 1  # lenient mode drops it
        put("fuzz_json", bytes([0x80 | sel]) + json.dumps(obj).encode())
        put("fuzz_type_json", json.dumps(ty.to_json()).encode())
        # A plan-like value: computed attributes unknown.
        if tn:
            unk = dict(v)
            unk["id"] = cty.UNKNOWN
            put("fuzz_msgpack", bytes([sel]) + cty.encode_msgpack(ty, unk))
    for t in ['"string"', '["list","number"]', '["map",["set","bool"]]', '"dynamic"',
              '["object",{"a":"string","b":["tuple",["number","dynamic"]]}]']:
        put("fuzz_type_json", t.encode())
    # Dynamic values for fuzz_msgpack's extra type 0 (selector = block count).
    nb = len(RESOURCE_ORDER) + 1
    import msgpack
    put("fuzz_msgpack", bytes([nb]) + msgpack.packb([b'["list","string"]', ["a", "b"]]))
    put("fuzz_msgpack", bytes([nb + 1]) + msgpack.packb([True, None, [1, 2.5, "3"]]))

    rpc_corpus(fbuild, values, newer)
    aws_corpus()


LIST_CONFIGS = {"ssmpatch_patch_baseline": {"owner": "All", "name_prefix": "STG-", "operating_system": "AMAZON_LINUX_2"},
                "ssmpatch_maintenance_window": {"name_prefix": "patch-", "enabled": True},
                "ssmpatch_window_target": {"window_id": WINDOW_ID},
                "ssmpatch_window_task": {}}
ACTION_CONFIGS = [
    {"operation": "Scan", "patch_group": "STG"},
    {"operation": "Install", "reboot_option": "NoReboot", "patch_group": "STG", "max_concurrency": "25%",
     "max_errors": "1", "tag": [{"key": "PatchWindowTaskAM2", "values": ["INSTALL"]}],
     "output_s3_bucket": "patch-logs", "output_s3_key_prefix": "now/", "timeout_seconds": 600},
    {"operation": "Scan", "instance_ids": ["i-0123456789abcdef0"]},
    {"operation": "Scan", "window_target": [{"window_id": WINDOW_ID, "window_target_id": TARGET_ID.lower()}]},
]


def newer_values(prov):
    """The values of the Terraform 1.12+ RPCs: {"lists": [(type, config type, config)],
    "actions": [(config type, config)], "identities": [(type, identity type, identity)]}."""
    from harness.schema import Block
    raw = prov.schema.raw
    out = {"lists": [], "actions": [], "identities": []}
    for tn, cfg in LIST_CONFIGS.items():
        blk = Block.from_proto(raw.list_resource_schemas[tn].block)
        out["lists"].append((tn, blk.implied_type(), blk.config(cfg)))
    ablk = Block.from_proto(raw.action_schemas["ssmpatch_patch_now"].schema.block)
    out["actions"] = [(ablk.implied_type(), ablk.config(c)) for c in ACTION_CONFIGS]
    ids = prov.rpc("GetResourceIdentitySchemas", prov.pb.GetResourceIdentitySchemas.Request())
    for tn, s in ids.identity_schemas.items():
        ty = cty.Object({a.name: cty.type_from_json(bytes(a.type)) for a in s.identity_attributes})
        v = {"account_id": "123456789012", "region": "us-east-1", "id": TARGET_ID}
        if "window_id" in ty.attrs:
            v["window_id"] = WINDOW_ID
        else:
            v["id"] = WINDOW_ID
        out["identities"].append((tn, ty, v))
    return out


def newer_corpus(pb, req, dv, newer):
    """Requests of the Terraform 1.12+ RPCs (identity, list resources, actions)."""
    req("GetResourceIdentitySchemas", pb.GetResourceIdentitySchemas.Request())
    for tn, ty, v in newer["identities"]:
        req("UpgradeResourceIdentity", pb.UpgradeResourceIdentity.Request(
            type_name=tn, version=0, raw_identity=pb.RawState(json=cty.to_json(ty, v))))
    for tn, ty, v in newer["lists"]:
        req("ValidateListResourceConfig", pb.ValidateListResourceConfig.Request(type_name=tn, config=dv(ty, v)))
        for include in (False, True):
            req("ListResource", pb.ListResource.Request(type_name=tn, config=dv(ty, v),
                                                        include_resource_object=include, limit=10))
    for ty, v in newer["actions"]:
        req("ValidateActionConfig", pb.ValidateActionConfig.Request(type_name="ssmpatch_patch_now", config=dv(ty, v)))
        req("PlanAction", pb.PlanAction.Request(action_type="ssmpatch_patch_now", config=dv(ty, v)))
        req("InvokeAction", pb.InvokeAction.Request(action_type="ssmpatch_patch_now", config=dv(ty, v)))


def identity_requests(pb, req, dv, newer, tn, ty, cfg, state):
    """The resource RPCs as Terraform 1.12+ sends them, with the identity it holds:
    read, plan and apply of `state`, and import by identity (key only, and whole)."""
    for itn, ity, iv in newer["identities"]:
        if itn != tn:
            continue
        ident = pb.ResourceIdentityData(identity_data=dv(ity, iv))
        req("ReadResource", pb.ReadResource.Request(type_name=tn, current_state=dv(ty, state),
                                                    current_identity=ident))
        req("PlanResourceChange", pb.PlanResourceChange.Request(
            type_name=tn, prior_state=dv(ty, state), proposed_new_state=dv(ty, state), config=dv(ty, cfg),
            prior_identity=ident))
        req("ApplyResourceChange", pb.ApplyResourceChange.Request(
            type_name=tn, prior_state=dv(ty, state), planned_state=dv(ty, state), config=dv(ty, cfg),
            planned_identity=ident))
        key_only = dict(iv, account_id=None, region=None)
        for given in (iv, key_only):
            req("ImportResourceState", pb.ImportResourceState.Request(
                type_name=tn, identity=pb.ResourceIdentityData(identity_data=dv(ity, given))))


def rpc_corpus(fbuild, values, newer):
    exe = os.path.join(fbuild, "fuzz_rpc")
    out = subprocess.run([exe, "-runs=0"], env=dict(os.environ, SSMPATCH_FUZZ_LIST_METHODS="1"),
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True).stdout.decode()
    methods = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].isdigit() and parts[1].startswith("/tfplugin"):
            methods[parts[1]] = int(parts[0])
    pbs = load_protos()
    for ver in (5, 6):
        pb = pbs.for_version(ver)
        svc = "/tfplugin%d.Provider/" % ver

        def req(name, msg):
            if svc + name in methods:
                put("fuzz_rpc", bytes([methods[svc + name]]) + msg.SerializeToString())

        def dv(ty, v):
            return pb.DynamicValue(msgpack=cty.encode_msgpack(ty, v))

        req("GetMetadata", pb.GetMetadata.Request())
        req("GetSchema" if ver == 5 else "GetProviderSchema", pb.GetProviderSchema.Request())
        for sel, tn, ty, v in values:
            if tn is None:
                name = "PrepareProviderConfig" if ver == 5 else "ValidateProviderConfig"
                req(name, getattr(pb, name).Request(config=dv(ty, v)))
                continue
            name = "ValidateResourceTypeConfig" if ver == 5 else "ValidateResourceConfig"
            req(name, getattr(pb, name).Request(type_name=tn, config=dv(ty, v)))
            planned = dict(v)
            planned["id"] = cty.UNKNOWN
            req("PlanResourceChange", pb.PlanResourceChange.Request(
                type_name=tn, prior_state=dv(ty, None), proposed_new_state=dv(ty, v), config=dv(ty, v)))
            state = dict(v)
            state["id"] = WINDOW_ID if tn.endswith("window") else TARGET_ID
            req("PlanResourceChange", pb.PlanResourceChange.Request(
                type_name=tn, prior_state=dv(ty, state), proposed_new_state=dv(ty, state), config=dv(ty, v)))
            req("ApplyResourceChange", pb.ApplyResourceChange.Request(
                type_name=tn, prior_state=dv(ty, None), planned_state=dv(ty, planned), config=dv(ty, v)))
            req("ReadResource", pb.ReadResource.Request(type_name=tn, current_state=dv(ty, state)))
            req("UpgradeResourceState", pb.UpgradeResourceState.Request(
                type_name=tn, version=0, raw_state=pb.RawState(json=cty.to_json(ty, state))))
            req("ImportResourceState", pb.ImportResourceState.Request(type_name=tn, id=state["id"]))
            identity_requests(pb, req, dv, newer, tn, ty, v, state)
        req("ReadDataSource", pb.ReadDataSource.Request(type_name="ssmpatch_nothing"))
        newer_corpus(pb, req, dv, newer)


def aws_corpus():
    def fields(sel, *f):
        put("fuzz_aws", bytes([sel]) + b"\0".join(x.encode() if isinstance(x, str) else x for x in f))
    fields(0, "POST", "https://ssm.us-east-1.amazonaws.com/", "us-east-1", "ssm",
           "Content-Type", "application/x-amz-json-1.1", "X-Amz-Target", "AmazonSSM.GetPatchBaseline",
           '{"BaselineId":"pb-0123456789abcdef0"}')
    fields(0, "GET", "http://127.0.0.1:4566/a%20b/../c?x=1&a=2&b", "eu-west-1", "sts", "", "")
    fields(1, "\x96", "DoesNotExistException",
           '{"__type":"com.amazonaws.ssm#DoesNotExistException","message":"Baseline not found"}')
    fields(1, "\xb0", "", '{"__type":"ThrottlingException","Message":"Rate exceeded"}')
    fields(1, "\xc8", "", "<html><body>502 Bad Gateway</body></html>")
    fields(2, '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
              '<Code>AccessDenied</Code><Message>not &amp; authorized &lt;x&gt;</Message></Error>'
              '<RequestId>1</RequestId></ErrorResponse>')
    fields(3, "Arn", "<AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s"
                     "</Arn></AssumedRoleUser></AssumeRoleResult>")
    fields(4, "2026-11-29T19:00:00Z")
    fields(4, "2026-11-29T19:00:00.123+09:30")
    fields(5, "[default]\nregion = us-east-1\n\n[profile x]\nrole_arn=arn:aws:iam::1:role/r\n"
              "source_profile = default\n# comment\n; other\n[x]\naws_access_key_id=AKID\n")


if __name__ == "__main__":
    main()

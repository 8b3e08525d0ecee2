"""Resource identity over the plugin protocol (issue 17, point 2): the identity schemas,
identities answered by create, read, plan, update and import (by ID and by identity),
the identity Terraform already holds echoed without asking STS again, import by
identity refusing another account or region and a malformed key, list results
carrying the identity read gives, UpgradeResourceIdentity and its malformed inputs."""

import grpc
import pytest

import qa_helpers as h

KEYS = {"ssmpatch_patch_baseline": ["id"], "ssmpatch_maintenance_window": ["id"],
        "ssmpatch_window_target": ["window_id", "id"], "ssmpatch_window_task": ["window_id", "id"]}


def _want(ep, type_name, state):
    out = {"account_id": ep.account, "region": ep.region}
    out.update({k: state[k] for k in KEYS[type_name]})
    return out


def test_qa_identity_schemas(provider, protocol):
    """One identity per resource type, version 0: account_id and region optional for
    import, the key (the import ID's parts) required; every attribute a string."""
    p = provider(protocol, configure=False)
    resp = p.rpc("GetResourceIdentitySchemas", p.pb.GetResourceIdentitySchemas.Request())
    assert list(resp.diagnostics) == []
    got = {}
    for name, s in resp.identity_schemas.items():
        assert s.version == 0
        got[name] = {a.name: (a.required_for_import, a.optional_for_import, bytes(a.type)) for a in s.identity_attributes}
        assert all(a.description for a in s.identity_attributes)
    assert sorted(got) == sorted(KEYS)
    for name, keys in KEYS.items():
        want = {"account_id": (False, True, b'"string"'), "region": (False, True, b'"string"')}
        want.update({k: (True, False, b'"string"') for k in keys})
        assert got[name] == want, name


def test_qa_identity_create_read_update(ep, provider, protocol):
    """A create's plan has no identity (no ID yet), its apply the new object's; a read
    answers it (computed when Terraform has none, the one it sent when it names the
    same object); an update's plan and apply keep it."""
    p = provider(protocol)
    wt = "ssmpatch_maintenance_window"
    cfg = {"name": ep.name("ident"), "schedule": "rate(1 day)", "duration": 2, "cutoff": 1}
    planned_id, state, new_id, ds = h.plan_apply_with_identity(p, wt, cfg)
    assert h.errors(ds) == [] and planned_id is None
    assert new_id == _want(ep, wt, state)
    got, ident, ds = h.read_with_identity(p, wt, state)
    assert ds == [] and got == state and ident == new_id
    got, ident, _ = h.read_with_identity(p, wt, state, current_identity=new_id)
    assert ident == new_id
    planned_id, state2, new_id2, ds = h.plan_apply_with_identity(p, wt, dict(cfg, description="now described"),
                                                                 prior=state, prior_identity=new_id)
    assert h.errors(ds) == []
    assert planned_id == new_id == new_id2 and state2["description"] == "now described"
    # Gone: no state, no identity.
    p.destroy(wt, state2)
    got, ident, ds = h.read_with_identity(p, wt, state2, current_identity=new_id)
    assert got is None and ident is None and h.errors(ds) == []


def test_qa_identity_of_every_type_and_import(ep, provider, protocol):
    """The seed's objects: importing each by ID gives its identity, importing it by
    identity (only the key, as -generate-config-out writes it, or whole) gives the
    same state and identity, and that state read is the object."""
    seed = h.create_seed(ep)
    p = provider(protocol)
    objects = [("ssmpatch_patch_baseline", seed["baselines"]["STG"]),
               ("ssmpatch_maintenance_window", seed["windows"]["STG"]),
               ("ssmpatch_window_target", "%s/%s" % (seed["windows"]["STG"], seed["targets"][("STG", "SCAN")])),
               ("ssmpatch_window_task", "%s/%s" % (seed["windows"]["PRD"], seed["tasks"][("PRD", "INSTALL")]))]
    for t, import_id in objects:
        st, ident, ds = h.import_raw(p, t, id=import_id)
        assert h.errors(ds) == [], (t, ds)
        want = _want(ep, t, st)
        assert "/".join(want[k] for k in KEYS[t]) == import_id
        assert ident == want, t
        key_only = {k: want[k] for k in KEYS[t]}
        key_only.update(account_id=None, region=None)
        for given in (key_only, want):
            st2, ident2, ds = h.import_raw(p, t, identity=given)
            # The region goes where an import ID's "@region" goes.
            assert h.errors(ds) == [] and st2 == dict(st, region=given["region"]), (t, given, ds)
            assert ident2 == want, (t, given)
        read, ident3, _ = h.read_with_identity(p, t, st, current_identity=want)
        assert read == dict(p.import_state(t, import_id)) and ident3 == want


def test_qa_identity_import_refusals(ep, provider):
    """Import by identity: another account is refused at account_id before any call
    for the object; a region that is no region name at region; a key that is no ID
    of its kind gets the import ID's format; an identity without its key is refused.
    Another region is where the object is looked for (as "<ID>@<region>")."""
    p = provider(6)
    t = "ssmpatch_window_task"
    good = {"account_id": ep.account, "region": ep.region, "window_id": "mw-0123456789abcdef0",
            "id": "e32eecb2-646c-4f4b-8ed1-205fbe0a0a0a"}
    cases = [(dict(good, account_id="999999999999"), "Identity of another account", "account_id"),
             (dict(good, region="Not A Region"), "Invalid region", "region"),
             (dict(good, window_id="pb-0123456789abcdef0"), "Invalid import ID", ""),
             (dict(good, id=None), "Missing identity attribute", "id")]
    for ident, summary, attr in cases:
        st, got, ds = h.import_raw(p, t, identity=ident)
        assert st is None and got is None
        assert h.errors(ds) == [(summary, attr)], ds
    # Well-formed identities of objects that do not exist: imported as keys, which
    # the read then finds gone (Terraform: "Cannot import non-existent remote object").
    for region in (ep.region, "eu-west-3"):
        ident = dict(good, region=region)
        st, got, ds = h.import_raw(p, t, identity=ident)
        assert h.errors(ds) == [] and got == ident and st["region"] == region
        assert h.read_with_identity(p, t, st, current_identity=ident)[0] is None


def test_qa_identity_known_one_needs_no_sts(ep, provider):
    """A fresh provider process reading window targets (no arn attribute, so nothing
    else needs the account) with the identities Terraform holds answers them without
    asking STS; without them it asks STS once, however many objects it reads."""
    ep.requires_emulator("call counts")
    seed = h.create_seed(ep)
    tgt = "ssmpatch_window_target"
    p1 = provider(6)
    states = [p1.import_state(tgt, "%s/%s" % (seed["windows"][e], i)) for (e, _), i in seed["targets"].items()]
    idents = [h.read_with_identity(p1, tgt, st)[1] for st in states]
    assert all(idents)
    sts = h.op_count(ep, "sts:GetCallerIdentity")
    p2 = provider(6)
    for st, ident in zip(states, idents):
        assert h.read_with_identity(p2, tgt, st, current_identity=ident)[1] == ident
    assert h.op_count(ep, "sts:GetCallerIdentity") == sts, "an identity Terraform holds was asked of STS"
    p3 = provider(6)
    for st, ident in zip(states, idents):
        assert h.read_with_identity(p3, tgt, st)[1] == ident
    assert h.op_count(ep, "sts:GetCallerIdentity") == sts + 1


def test_qa_list_identity_is_the_read_one(ep, provider):
    """A list result's identity is exactly the identity ReadResource answers for the
    object, so an import of it by identity lands on the same object."""
    seed = h.create_seed(ep)
    p = provider(6)
    for t in h.LIST_TYPES:
        cfg = {"window_id": seed["windows"]["STG"]} if t in ("ssmpatch_window_target", "ssmpatch_window_task") \
            else {"name_prefix": seed["prefix"]}
        r = h.list_resource(p, t, cfg, include=True)
        assert r.results
        for x in r.results:
            assert h.read_with_identity(p, t, x["object"])[1] == x["identity"], t

# ---------------------------------------------------------------- UpgradeResourceIdentity


def test_qa_upgrade_identity(provider, protocol):
    """Version 0 as stored in a state file comes back as the identity; another
    version, JSON that is not an identity, one without its key, or an unknown type
    is an error; malformed protobuf is INVALID_ARGUMENT."""
    p = provider(protocol, configure=False)
    t = "ssmpatch_window_target"
    stored = b'{"account_id":"123456789012","id":"e32eecb2-646c-4f4b-8ed1-205fbe0a0a0a",' \
             b'"region":"ap-northeast-1","window_id":"mw-0123456789abcdef0"}'

    def up(type_name, version, raw):
        resp = p.rpc("UpgradeResourceIdentity", p.pb.UpgradeResourceIdentity.Request(
            type_name=type_name, version=version, raw_identity=p.pb.RawState(json=raw)))
        return h.undv_identity(p, t, resp.upgraded_identity if resp.HasField("upgraded_identity") else None), \
            h.errors(h.diags(resp.diagnostics))
    ident, errs = up(t, 0, stored)
    assert errs == [] and ident == {"account_id": "123456789012", "region": "ap-northeast-1",
                                    "window_id": "mw-0123456789abcdef0", "id": "e32eecb2-646c-4f4b-8ed1-205fbe0a0a0a"}
    assert [s for s, _ in up(t, 1, stored)[1]] == ["Unknown identity version"]
    assert [s for s, _ in up(t, 0, b'{"account_id":"1","region":"r","window_id":"mw-0123456789abcdef0"}')[1]] == \
        ["Incomplete identity"]
    assert up(t, 0, b'{"id": ')[1] != []
    assert up(t, 0, b'["not", "an", "object"]')[1] != []
    assert [s for s, _ in up("ssmpatch_nope", 0, stored)[1]] == ["Unsupported resource type"]
    assert [s for s, _ in up(t, 0, b"")[1]] == ["No identity to upgrade"]
    for g in (b"\xff\xff\xff\xff", b"\x0a\x40short"):
        with pytest.raises(grpc.RpcError) as e:
            p.plugin.call("UpgradeResourceIdentity", g, p.pb.UpgradeResourceIdentity.Response, timeout=5)
        assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    # GetResourceIdentitySchemas with garbage too.
    with pytest.raises(grpc.RpcError) as e:
        p.plugin.call("GetResourceIdentitySchemas", b"\xff\xff", p.pb.GetResourceIdentitySchemas.Response, timeout=5)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert p.plugin.health() == "SERVING"


def test_qa_identity_malformed_in_requests(ep, provider, protocol):
    """An import whose identity is not the identity schema's object is an error; a
    read or plan whose current or prior identity does not decode answers the
    object's real identity instead (it is Terraform's copy, not the provider's
    truth)."""
    p = provider(protocol)
    wt = "ssmpatch_maintenance_window"
    cfg = {"name": ep.name("bad-ident"), "schedule": "rate(1 day)", "duration": 2, "cutoff": 1}
    state = p.apply(wt, cfg)
    want = {"account_id": ep.account, "region": ep.region, "id": state["id"]}
    for bad in (b"\xc1", b"\xa3abc", b"\x81\xa2id\xa3abc", b"\x92\x01\x02", b"\xdf\xff\xff\xff\xff"):
        req = p.pb.ImportResourceState.Request(type_name=wt, identity=p.pb.ResourceIdentityData(
            identity_data=p.pb.DynamicValue(msgpack=bad)))
        resp = p.rpc("ImportResourceState", req)
        assert not resp.imported_resources and h.errors(h.diags(resp.diagnostics)), bad
        ty = p.block(wt).implied_type()
        req = p.pb.ReadResource.Request(type_name=wt, current_state=p.dv(ty, dict(state)),
                                        current_identity=p.pb.ResourceIdentityData(
                                            identity_data=p.pb.DynamicValue(msgpack=bad)))
        resp = p.rpc("ReadResource", req)
        assert h.errors(h.diags(resp.diagnostics)) == []
        assert h.undv_identity(p, wt, resp.new_identity) == want, bad
    # An identity that names another object is not echoed either.
    other = dict(want, id="mw-0123456789abcdef0")
    assert h.read_with_identity(p, wt, state, current_identity=other)[1] == want
    p.destroy(wt, state)
    assert p.plugin.health() == "SERVING"

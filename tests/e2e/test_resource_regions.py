"""test_resource_regions.py - the per-resource `region` (issue 14): one provider block
managing the seed's window, targets and tasks and a baseline in three regions,
driven as Terraform drives the provider (tests/harness) over plugin protocol 5
and 6, against the local emulator, which keeps every (account, region) apart
(tests/emulator/README.md) and checks every SigV4 signature's region.

Covered:
- apply in the provider's region (region unset) and two others: each object
  lands in its region and nowhere else, its state and ARN name that region;
- the refreshed plan of all of them is empty;
- drift made outside Terraform in one region shows in that region's plan only;
- import with "<ID>@<region>" (single and two-part IDs) gives the object of
  that region and an empty plan; without "@region" the provider's region is
  searched (not found there: "Cannot import non-existent remote object");
- moving a window to another region, or dropping its explicit region, plans
  a replacement on `region`; a region equal to the provider's does not;
- destroy empties all three regions;
- a state written before the attribute existed upgrades to the provider's
  region and plans nothing; malformed regions are refused at validate and in
  import IDs.

Emulator-only: a custom SSM endpoint serves every region, which a real
regional AWS endpoint (SSMPATCH_TEST_ENDPOINT) does not.

Run: /usr/bin/python3 -m pytest tests/e2e/test_resource_regions.py
"""

import json
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests"))

from harness import seed  # noqa: E402
from harness.errors import ImportFailed, OperationFailed  # noqa: E402
from harness.provider import Provider  # noqa: E402
from harness.stack import Ref, Stack  # noqa: E402

WINDOW = "ssmpatch_maintenance_window"
TARGET = "ssmpatch_window_target"
TASK = "ssmpatch_window_task"
BASELINE = "ssmpatch_patch_baseline"
OTHERS = ("us-east-1", "eu-west-1")


@pytest.fixture
def emu(ep):
    return ep.requires_emulator("one custom endpoint for three regions")


@pytest.fixture(params=[5, 6], ids=["proto5", "proto6"])
def provider(request, ep, emu):
    p = Provider(protocol=request.param)
    p.configure(ep.provider_config())
    yield p
    p.close()


def inventory(emu, region):
    return emu.inventory(emu.account, region)


def windows_by_name(emu, region):
    return {w["Name"]: wid for wid, w in inventory(emu, region)["maintenance_windows"].items()}


def region_stack(p, ep, region, label):
    """The seed's window with its scan target and task (and a baseline) in
    `region` (None: the provider's, the attribute left out)."""
    extra = {} if region is None else {"region": region}
    s = Stack(p)
    s.add("window", WINDOW, dict(seed.window(), name=ep.name("mw-" + label), **extra))
    s.add("target", TARGET, dict(seed.target("scan", Ref("window", "id")), **extra))
    s.add("task", TASK, dict(seed.task("scan", Ref("window", "id"), Ref("target", "id"),
                                       "patch-output"), **extra))
    s.add("baseline", BASELINE, dict(seed.baseline("STG-" + label, 1), name=ep.name("pb-" + label),
                                     patch_groups=[ep.name("pg-" + label)], **extra))
    return s


def test_three_regions_one_provider_block(provider, ep, emu):
    home = ep.region
    regions = {"home": None, "use1": OTHERS[0], "euw1": OTHERS[1]}
    stacks = {k: region_stack(provider, ep, r, k) for k, r in regions.items()}
    states = {k: s.apply() for k, s in stacks.items()}

    for k, r in regions.items():
        where = r or home
        st = states[k]
        for name in ("window", "target", "task", "baseline"):
            assert st[name]["region"] == where, (k, name, st[name]["region"])
        assert ":ssm:%s:" % where in st["window"]["arn"], st["window"]["arn"]
        inv = inventory(emu, where)
        w = inv["maintenance_windows"][st["window"]["id"]]
        assert set(w["Targets"]) == {st["target"]["id"]} and set(w["Tasks"]) == {st["task"]["id"]}
        assert st["baseline"]["id"] in inv["patch_baselines"]
    # each region holds its own objects and no other region's
    for r in (home,) + OTHERS:
        assert len(inventory(emu, r)["maintenance_windows"]) == 1
        assert len(inventory(emu, r)["patch_baselines"]) == 1

    # the refreshed plan of everything is empty
    for k, s in stacks.items():
        assert {n: pl.action for n, pl in s.refresh_and_plan().items()} == \
            {"window": "noop", "target": "noop", "task": "noop", "baseline": "noop"}, k

    # drift in one region (eu-west-1) shows there only
    drifted = states["euw1"]["window"]["id"]
    call_in(ep, OTHERS[1], "UpdateMaintenanceWindow", {"WindowId": drifted, "Duration": 3})
    assert stacks["euw1"].refresh_and_plan()["window"].action == "update"
    for k in ("home", "use1"):
        assert stacks[k].refresh_and_plan()["window"].action == "noop", k

    # import by ID@region: the object of that region, then nothing to change
    w_cfg = stacks["use1"].configs["window"]
    imported = provider.import_state(WINDOW, "%s@%s" % (states["use1"]["window"]["id"], OTHERS[0]))
    assert imported["region"] == OTHERS[0] and imported["name"] == states["use1"]["window"]["name"]
    assert provider.refresh_and_plan(WINDOW, w_cfg, imported).action == "noop"
    tid = "%s/%s@%s" % (states["use1"]["window"]["id"], states["use1"]["target"]["id"], OTHERS[0])
    t_imp = provider.import_state(TARGET, tid)
    assert t_imp["region"] == OTHERS[0] and t_imp["id"] == states["use1"]["target"]["id"]
    # without "@region" the provider's region is searched: not there
    with pytest.raises(ImportFailed):
        provider.import_state(WINDOW, states["use1"]["window"]["id"])

    # moving a window to another region replaces it; so does dropping an
    # explicit region (the provider's region is another one); naming the
    # provider's region explicitly changes nothing
    moved = provider.plan(WINDOW, dict(w_cfg, region=OTHERS[1]), states["use1"]["window"])
    assert moved.action == "replace" and moved.replace_paths == ["region"]
    dropped = {k: v for k, v in w_cfg.items() if k != "region"}
    assert provider.plan(WINDOW, dropped, states["use1"]["window"]).replace_paths == ["region"]
    home_cfg = stacks["home"].configs["window"]
    assert provider.plan(WINDOW, dict(home_cfg, region=home), states["home"]["window"]).action == "noop"

    for s in stacks.values():
        s.destroy()
    for r in (home,) + OTHERS:
        inv = inventory(emu, r)
        assert inv["maintenance_windows"] == {} and inv["patch_baselines"] == {}, r


def call_in(ep, region, op, body):
    """An SSM call outside Terraform, signed for `region` at the endpoint."""
    import botocore.session
    ak, sk, token = ep.credentials()
    c = botocore.session.get_session().create_client(
        "ssm", region_name=region, endpoint_url=ep.url, aws_access_key_id=ak,
        aws_secret_access_key=sk, aws_session_token=token)
    return getattr(c, "".join("_" + ch.lower() if ch.isupper() else ch for ch in op).lstrip("_"))(**body)


def test_state_without_region_is_the_providers(provider, ep, emu):
    cfg = dict(seed.window(), name=ep.name("mw-old"))
    st = provider.apply(WINDOW, cfg)
    legacy = {k: v for k, v in st.items() if k != "region"}
    raw = json.dumps(legacy).encode()
    up = provider.upgrade(WINDOW, st, raw_json=raw)
    assert up["region"] == ep.region
    assert provider.refresh_and_plan(WINDOW, cfg, up).action == "noop"
    provider.destroy(WINDOW, st)


def test_malformed_regions_refused(provider, ep, emu):
    diags = provider.validate(WINDOW, dict(seed.window(), region="Not A Region"))
    assert [d.attribute for d in diags if d.severity == "error"] == ["region"], diags
    with pytest.raises(OperationFailed) as e:
        provider.import_state(WINDOW, "mw-0123456789abcdef0@eu west 1")
    assert [d.summary for d in e.value.diagnostics] == ["Invalid import ID"], e.value.diagnostics
    assert "region" in e.value.diagnostics[0].detail


def test_data_sources_read_in_their_region(provider, ep, emu):
    """The data sources get `region` from the same skeleton: unset, they read
    the provider's region (and say so); set, that region only."""
    stem = ep.name("mws")
    made = {r: provider.apply(WINDOW, dict(seed.window(), name="%s-%s" % (stem, r),
                                           **({} if r == ep.region else {"region": r})))
            for r in (ep.region, OTHERS[1])}
    try:
        here = provider.read_data_source("ssmpatch_maintenance_windows", {"name_prefix": stem})
        assert here["region"] == ep.region and here["ids"] == [made[ep.region]["id"]]
        there = provider.read_data_source("ssmpatch_maintenance_windows",
                                          {"name_prefix": stem, "region": OTHERS[1]})
        assert there["region"] == OTHERS[1] and there["ids"] == [made[OTHERS[1]]["id"]]
        b = provider.apply(BASELINE, dict(seed.baseline("DS", 1), name=ep.name("pb-ds"),
                                          patch_groups=[ep.name("pg-ds")], region=OTHERS[0]))
        try:
            found = provider.read_data_source("ssmpatch_patch_baseline",
                                              {"name": b["name"], "region": OTHERS[0]})
            assert found["id"] == b["id"] and found["region"] == OTHERS[0]
        finally:
            provider.destroy(BASELINE, b)
    finally:
        for st in made.values():
            provider.destroy(WINDOW, st)

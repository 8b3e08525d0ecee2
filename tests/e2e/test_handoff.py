"""Hand-offs between patch baselines, through the harness (tests/harness, which
drives the provider binary as Terraform does) against the SSM endpoint, over
plugin protocol 5 and 6 (issue 11).

A baseline holds patch groups (one baseline per group and operating system)
and, with default_baseline, its operating system's default. Shown here:
  1 release never undoes another baseline's claim: `a` giving up the default
    and a group after `b` took them over leaves them with `b`;
  2 a hand-off from `a` to `b` ends the same in either order of the two
    updates: taken over (with a warning naming `a` by ID and name) or
    released first (no warning);
  3 in one provider process, the updates of a round run concurrently (four
    threads: the default of WINDOWS moves between two baselines, a patch group
    of AMAZON_LINUX_2 between two others) for SSMPATCH_HANDOFF_ROUNDS rounds
    (default 5): after each, the registrations are what the configuration
    says, the next plan is empty, and every warning names the baseline that
    held the claim before the round;
  4 a replacement with create_before_destroy: the new baseline takes the group
    and the default over from the old one (a warning for each), and the old
    one's delete leaves them alone;
  5 one patch group holds a WINDOWS and an AMAZON_LINUX_2 baseline side by
    side: no take-over between them;
  6 two configurations (two provider processes) claiming one group take it
    from each other, each apply with the warning, and the loser's next plan
    shows the loss as drift (docs/resources/patch_baseline.md).
The default is account-wide: those tests run on an external endpoint only
with SSMPATCH_TEST_ACCOUNT_WIDE=1. test_handoff_cli.py runs the same
hand-offs through a real terraform CLI at -parallelism=10 and 1.

Run: /usr/bin/python3 -m pytest tests/e2e/test_handoff.py
"""
import os
import sys
import threading

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)

from handoff import (TAKEOVER_DEFAULT, TAKEOVER_GROUP, default_of, group_holders,  # noqa: E402
                     groups_of, rounds, same_baseline)
from harness.provider import Provider  # noqa: E402

PB = "ssmpatch_patch_baseline"
PROTOCOLS = [5, 6]


@pytest.fixture(params=PROTOCOLS, ids=["proto5", "proto6"])
def p(request, ep):
    prov = Provider(protocol=request.param)
    prov.configure(ep.provider_config())
    yield prov
    prov.close()


@pytest.fixture
def names(ep):
    """One run-prefixed name per baseline label of a test (ep.name makes a new one per call)."""
    made = {}
    return lambda label: made.setdefault(label, ep.name(label))


def cfg(names, label, os_, groups=(), default=False):
    return {"name": names(label), "operating_system": os_, "patch_groups": list(groups),
            "default_baseline": default, "approved_patches": ["KB%s" % label]}


def new_warnings(p, since, summary):
    return [w for w in p.warnings[since:] if w.summary == summary]


def assert_names(warning, bid, name):
    assert bid in warning.detail and name in warning.detail, warning.detail


def destroy_all(p, states):
    for st in states:
        if st is not None:
            p.destroy(PB, p.refresh(PB, st))


# --------------------------------------------------------------------------
# 1: release never undoes another baseline's claim


def test_release_after_takeover_leaves_new_holder(ep, p, names):
    ep.requires_account_wide("moves the region's default WINDOWS baseline")
    g = ep.name("web")
    aws_default = default_of(ep, "WINDOWS")
    a = p.apply(PB, cfg(names, "a", "WINDOWS", [g], default=True))
    b = None
    try:
        assert same_baseline(default_of(ep, "WINDOWS"), a["id"])
        stale_a = a                      # a's state as Terraform refreshed it before b's apply
        mark = len(p.warnings)
        b = p.apply(PB, cfg(names, "b", "WINDOWS", [g], default=True))
        assert same_baseline(default_of(ep, "WINDOWS"), b["id"])
        assert group_holders(ep, g) == {"WINDOWS": b["id"]}
        (wd,) = new_warnings(p, mark, TAKEOVER_DEFAULT)
        (wg,) = new_warnings(p, mark, TAKEOVER_GROUP)
        assert_names(wd, a["id"], names("a"))
        assert_names(wg, a["id"], names("a"))
        assert wd.attribute == "default_baseline" and wg.attribute == "patch_groups"

        # a gives both up with its (stale) prior state: b keeps them.
        a = p.apply(PB, cfg(names, "a", "WINDOWS", [], default=False), stale_a)
        assert same_baseline(default_of(ep, "WINDOWS"), b["id"])
        assert group_holders(ep, g) == {"WINDOWS": b["id"]}
        assert a["default_baseline"] is False and not a["patch_groups"]
        assert p.plan(PB, cfg(names, "a", "WINDOWS"), p.refresh(PB, a)).action == "noop"
        assert p.plan(PB, cfg(names, "b", "WINDOWS", [g], default=True), p.refresh(PB, b)).action == "noop"

        # a destroyed: still b's; b destroyed: the AWS default is back, the group free.
        p.destroy(PB, p.refresh(PB, a))
        a = None
        assert same_baseline(default_of(ep, "WINDOWS"), b["id"]) and group_holders(ep, g) == {"WINDOWS": b["id"]}
        p.destroy(PB, p.refresh(PB, b))
        b = None
        assert default_of(ep, "WINDOWS") == aws_default and group_holders(ep, g) == {}
        ep.assert_clean()
    finally:
        destroy_all(p, [a, b])


# --------------------------------------------------------------------------
# 2: either order


@pytest.mark.parametrize("kind", ["group", "default"])
@pytest.mark.parametrize("order", ["release_first", "take_first"])
def test_handoff_either_order(ep, p, names, kind, order):
    if kind == "default":
        ep.requires_account_wide("moves the region's default WINDOWS baseline")
    g = ep.name("web")
    groups = [g] if kind == "group" else []
    dflt = kind == "default"
    holder = lambda: (group_holders(ep, g).get("WINDOWS") if kind == "group"  # noqa: E731
                      else default_of(ep, "WINDOWS"))
    summary = TAKEOVER_GROUP if kind == "group" else TAKEOVER_DEFAULT
    a = p.apply(PB, cfg(names, "a", "WINDOWS", groups, default=dflt))
    b = p.apply(PB, cfg(names, "b", "WINDOWS"))
    try:
        assert same_baseline(holder(), a["id"])
        # One apply's plan: both refreshed first, then the two updates.
        cfg_a, cfg_b = cfg(names, "a", "WINDOWS"), cfg(names, "b", "WINDOWS", groups, default=dflt)
        plan_a = p.plan(PB, cfg_a, p.refresh(PB, a))
        plan_b = p.plan(PB, cfg_b, p.refresh(PB, b))
        assert plan_a.action == "update" and plan_b.action == "update"
        mark = len(p.warnings)
        if order == "release_first":
            a = p.apply(PB, cfg_a, plan_a.prior, plan=plan_a)
            b = p.apply(PB, cfg_b, plan_b.prior, plan=plan_b)
        else:
            b = p.apply(PB, cfg_b, plan_b.prior, plan=plan_b)
            a = p.apply(PB, cfg_a, plan_a.prior, plan=plan_a)
        assert same_baseline(holder(), b["id"])
        if kind == "group":
            assert groups_of(ep, a["id"]) == [] and groups_of(ep, b["id"]) == [g]
        warned = new_warnings(p, mark, summary)
        if order == "take_first":
            assert len(warned) == 1
            assert_names(warned[0], a["id"], names("a"))
        else:
            assert warned == []
        assert p.plan(PB, cfg_a, p.refresh(PB, a)).action == "noop"
        assert p.plan(PB, cfg_b, p.refresh(PB, b)).action == "noop"
    finally:
        destroy_all(p, [a, b])
    ep.assert_clean()


# --------------------------------------------------------------------------
# 3: concurrent updates in one provider process


def test_concurrent_handoffs_in_one_process(ep, p, names):
    ep.requires_account_wide("moves the region's default WINDOWS baseline")
    g = ep.name("web")
    # the default of WINDOWS between a and b; patch group g of AMAZON_LINUX_2 between c and d
    def configs(r):
        return {"a": cfg(names, "a", "WINDOWS", default=r % 2 == 0),
                "b": cfg(names, "b", "WINDOWS", default=r % 2 == 1),
                "c": cfg(names, "c", "AMAZON_LINUX_2", [g] if r % 2 == 0 else []),
                "d": cfg(names, "d", "AMAZON_LINUX_2", [g] if r % 2 == 1 else [])}

    st = {k: p.apply(PB, c) for k, c in configs(0).items()}
    if ep.is_emulator:  # calls that take a while, so the four updates overlap
        ep.emulator.configure(latency_ms=20)
    try:
        for r in range(1, rounds(5) + 1):
            want = configs(r)
            plans = {k: p.plan(PB, want[k], p.refresh(PB, st[k])) for k in st}
            assert all(pl.action == "update" for pl in plans.values())
            before = {"default": "ab"[(r - 1) % 2], "group": "cd"[(r - 1) % 2]}
            mark = len(p.warnings)
            out, errors = {}, []
            start = threading.Barrier(len(st))

            def run(k):
                try:
                    start.wait()
                    out[k] = p.apply(PB, want[k], plans[k].prior, plan=plans[k])
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append((k, e))

            threads = [threading.Thread(target=run, args=(k,)) for k in st]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert not errors, errors
            old = st
            st = out
            now = {"default": "ab"[r % 2], "group": "cd"[r % 2]}
            assert same_baseline(default_of(ep, "WINDOWS"), st[now["default"]]["id"]), r
            assert group_holders(ep, g) == {"AMAZON_LINUX_2": st[now["group"]]["id"]}, r
            assert groups_of(ep, st[before["group"]]["id"]) == [], r
            for w in new_warnings(p, mark, TAKEOVER_DEFAULT):
                assert_names(w, old[before["default"]]["id"], names(before["default"]))
            for w in new_warnings(p, mark, TAKEOVER_GROUP):
                assert_names(w, old[before["group"]]["id"], names(before["group"]))
            for k in st:
                assert p.plan(PB, want[k], p.refresh(PB, st[k])).action == "noop", (r, k)
    finally:
        if ep.is_emulator:
            ep.emulator.configure(latency_ms=0)
        destroy_all(p, st.values())
    ep.assert_clean()


# --------------------------------------------------------------------------
# 4: create_before_destroy


def test_create_before_destroy_takes_over(ep, p, names):
    ep.requires_account_wide("registers the region's default UBUNTU baseline")
    g = ep.name("web")
    aws_default = default_of(ep, "UBUNTU")
    c = cfg(names, "e", "UBUNTU", [g], default=True)
    old = p.apply(PB, c)
    new = None
    try:
        mark = len(p.warnings)
        new = p.apply(PB, c)                       # the replacement, made first
        (wg,) = new_warnings(p, mark, TAKEOVER_GROUP)
        (wd,) = new_warnings(p, mark, TAKEOVER_DEFAULT)
        assert_names(wg, old["id"], names("e"))
        assert_names(wd, old["id"], names("e"))
        assert new["patch_groups"] == [g] and new["default_baseline"] is True
        p.destroy(PB, old)                         # then the old one goes
        old = None
        assert group_holders(ep, g) == {"UBUNTU": new["id"]}
        assert same_baseline(default_of(ep, "UBUNTU"), new["id"])
        assert p.plan(PB, c, p.refresh(PB, new)).action == "noop"
        p.destroy(PB, new)
        new = None
        assert default_of(ep, "UBUNTU") == aws_default
    finally:
        destroy_all(p, [old, new])
    ep.assert_clean()


# --------------------------------------------------------------------------
# 5: one group, several operating systems


def test_one_group_one_baseline_per_os(ep, p, names):
    g = ep.name("web")
    mark = len(p.warnings)
    w = p.apply(PB, cfg(names, "w", "WINDOWS", [g]))
    lx = p.apply(PB, cfg(names, "l", "AMAZON_LINUX_2", [g]))
    try:
        assert group_holders(ep, g) == {"WINDOWS": w["id"], "AMAZON_LINUX_2": lx["id"]}
        assert not new_warnings(p, mark, TAKEOVER_GROUP)
        p.destroy(PB, p.refresh(PB, w))
        w = None
        assert group_holders(ep, g) == {"AMAZON_LINUX_2": lx["id"]}
    finally:
        destroy_all(p, [w, lx])
    ep.assert_clean()


# --------------------------------------------------------------------------
# 6: two configurations claiming one group


def test_two_configurations_claiming_one_group(ep, p, names):
    g = ep.name("web")
    other = Provider(protocol=6)                    # the second configuration's run
    other.configure(ep.provider_config())
    cfg_x, cfg_y = cfg(names, "x", "WINDOWS", [g]), cfg(names, "y", "WINDOWS", [g])
    x = p.apply(PB, cfg_x)
    y = None
    try:
        mark = len(other.warnings)
        y = other.apply(PB, cfg_y)
        (w,) = new_warnings(other, mark, TAKEOVER_GROUP)
        assert_names(w, x["id"], names("x"))
        assert group_holders(ep, g) == {"WINDOWS": y["id"]}

        # the first configuration sees the loss as drift, and takes the group back
        plan = p.plan(PB, cfg_x, p.refresh(PB, x))
        assert plan.action == "update" and plan.prior["patch_groups"] in (None, [])
        mark = len(p.warnings)
        x = p.apply(PB, cfg_x, plan.prior, plan=plan)
        (w,) = new_warnings(p, mark, TAKEOVER_GROUP)
        assert_names(w, y["id"], names("y"))
        assert group_holders(ep, g) == {"WINDOWS": x["id"]}
        assert other.plan(PB, cfg_y, other.refresh(PB, y)).action == "update"
    finally:
        destroy_all(p, [x])
        destroy_all(other, [y])
        other.close()
    ep.assert_clean()

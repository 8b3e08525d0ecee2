"""End-to-end tests of ssmpatch_patch_baseline and ssmpatch_maintenance_window:
the provider binary driven as Terraform drives it (tests/harness, which runs
Terraform core's checks on every answer) against the SSM endpoint of
tests/ssm_endpoint.py - the local emulator (tests/emulator), or the endpoint
named by SSMPATCH_TEST_ENDPOINT - over plugin protocol 5 and 6. Every object
is named with the run's prefix (ep.name).

The objects are the seed scenario's: the STG (approve_after_days 1) and PRD
(31) AMAZON_LINUX_2 baselines, each with two approval rules (PRODUCT
AmazonLinux2*, CLASSIFICATION Security, SEVERITY Critical -> CRITICAL /
Important -> HIGH) and a patch group, and the AM2 window
(cron(00 17 * * ? *), duration 1, cutoff 0).

Scenarios:
  1 create -> no-op plan -> in-place update (days, description, schedule,
    groups added/removed, tags, default tags) -> no-op plan -> destroy, and
    the endpoint holds nothing of ours afterwards;
  2 drift: a change made outside Terraform shows as an update of exactly that
    attribute and apply restores it; an object deleted there plans a create;
  3 operating_system change plans a replacement; the new baseline takes over
    the patch groups;
  4 import of each, then a no-op plan; a malformed ID is rejected;
  5 a failure after create (registering the patch group, disabling a window)
    keeps the object in state with an error, and the next apply converges
    without a duplicate; a patch group another baseline holds is taken over
    with a warning naming that baseline;
  6 every answer passes the harness's Terraform-core checks (the harness
    raises ProviderBug otherwise), in every scenario above.
Emulator-only (skipped on an external endpoint): the failures made by fault
injection; the default-baseline test changes an account-wide setting and runs
there only with SSMPATCH_TEST_ACCOUNT_WIDE=1.

Run: /usr/bin/python3 -m pytest tests/e2e/test_baseline_window.py
(needs build/terraform-provider-ssmpatch, or SSMPATCH_PROVIDER).
"""
import pytest

from harness.errors import OperationFailed
from harness.provider import Provider
from harness.stack import Stack

PB = "ssmpatch_patch_baseline"
MW = "ssmpatch_maintenance_window"
PROTOCOLS = [5, 6]


# --------------------------------------------------------------------------
# fixtures and helpers


def ssm(ep, op, body):
    """Call the endpoint's SSM API directly (outside Terraform)."""
    return ep.call(op, body)


def ssm_error(ep, op, body):
    """The AWS error code of a call expected to fail, or None if it worked."""
    return ep.call_error(op, body)


class Run:
    """One `terraform` run: a provider process configured against the endpoint
    (Terraform configures once per run, so default_tags change per Run)."""

    def __init__(self, ep, protocol, default_tags=None):
        self.p = Provider(protocol=protocol)
        cfg = ep.provider_config()
        if default_tags is not None:
            cfg["default_tags"] = [{"tags": default_tags}]
        self.p.configure(cfg)

    def __enter__(self):
        return self.p

    def __exit__(self, *exc):
        self.p.close()


def rule(days, level, severity):
    return {"approve_after_days": days, "compliance_level": level, "enable_non_security": False,
            "patch_filter": [{"key": "PRODUCT", "values": ["AmazonLinux2*"]},
                             {"key": "CLASSIFICATION", "values": ["Security"]},
                             {"key": "SEVERITY", "values": [severity]}]}


def baseline(name, days, groups, os_="AMAZON_LINUX_2", **extra):
    cfg = {"name": name, "operating_system": os_, "patch_groups": groups,
           "approval_rule": [rule(days, "CRITICAL", "Critical"), rule(days, "HIGH", "Important")]}
    cfg.update(extra)
    return cfg


def window(name, **extra):
    cfg = {"name": name, "schedule": "cron(00 17 * * ? *)", "duration": 1, "cutoff": 0,
           "allow_unassociated_targets": True}
    cfg.update(extra)
    return cfg


def get_baseline(ep, bid):
    return ssm(ep, "GetPatchBaseline", {"BaselineId": bid})


def group_owner(ep, group, os_="AMAZON_LINUX_2"):
    return ssm(ep, "GetPatchBaselineForPatchGroup",
               {"PatchGroup": group, "OperatingSystem": os_}).get("BaselineId")


def tags_of(ep, rtype, rid):
    out = ssm(ep, "ListTagsForResource", {"ResourceType": rtype, "ResourceId": rid})
    return {t["Key"]: t["Value"] for t in out.get("TagList", [])}


def own_baselines(ep, name):
    """Customer-owned baselines of one name, as DescribePatchBaselines lists them."""
    ids = ep.pages("DescribePatchBaselines",
                   {"Filters": [{"Key": "OWNER", "Values": ["Self"]},
                                {"Key": "NAME_PREFIX", "Values": [name]}], "MaxResults": 100},
                   "BaselineIdentities")
    return [b for b in ids if b.get("BaselineName") == name]


def windows(ep, name):
    """Maintenance windows of one name, as DescribeMaintenanceWindows lists them."""
    ids = ep.pages("DescribeMaintenanceWindows",
                   {"Filters": [{"Key": "Name", "Values": [name]}], "MaxResults": 100},
                   "WindowIdentities")
    return [w for w in ids if w.get("Name") == name]


def changed_attrs(before, after):
    return sorted(k for k in after if before.get(k) != after.get(k))


def assert_noop(plans):
    bad = {n: (p.action, changed_attrs(p.prior or {}, p.planned or {})) for n, p in plans.items()
           if p.action != "noop"}
    assert not bad, "expected no changes, got %r" % bad


def converged_then_destroyed(p, type_name, cfg, st):
    """A refresh of st then a plan of cfg proposes nothing; then it is destroyed."""
    assert p.plan(type_name, cfg, p.refresh(type_name, st)).action == "noop"
    p.destroy(type_name, st)


def cleanup(ep, names):
    """Best-effort removal of leftovers of a failed test (by name)."""
    ep.cleanup(set(names))


# --------------------------------------------------------------------------
# 1: lifecycle


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_lifecycle_create_update_destroy(ep, protocol):
    stg_name, prd_name, mw_name = ep.name("STG-AL2Baseline"), ep.name("PRD-AL2Baseline"), ep.name("patch-window-am2")
    stg_g, prd_g = ep.name("STG"), ep.name("PRD")
    cfg = {
        "stg": baseline(stg_name, 1, [stg_g]),
        "prd": baseline(prd_name, 31, [prd_g], tags={"Env": "prd"}),
        "mw": window(mw_name, tags={"Team": "infra"}),
    }
    try:
        with Run(ep, protocol, default_tags={"Project": "patching"}) as p:
            s = Stack(p)
            s.add("stg", PB, cfg["stg"]).add("prd", PB, cfg["prd"]).add("mw", MW, cfg["mw"])
            plans = s.plan()
            assert {n: pl.action for n, pl in plans.items()} == {"stg": "create", "prd": "create", "mw": "create"}
            # tags_all is known at plan time when tags and default tags are
            assert plans["prd"].planned["tags_all"] == {"Env": "prd", "Project": "patching"}
            st = s.apply()

            stg, prd, mw = st["stg"], st["prd"], st["mw"]
            assert stg["id"].startswith("pb-") and mw["id"].startswith("mw-")
            assert stg["arn"].endswith(":patchbaseline/" + stg["id"]) and stg["arn"].startswith("arn:aws:ssm:%s:%s:" % (ep.region, ep.account))
            assert mw["arn"].endswith(":maintenancewindow/" + mw["id"])
            api = get_baseline(ep, stg["id"])
            assert api["OperatingSystem"] == "AMAZON_LINUX_2"
            assert [r["ApproveAfterDays"] for r in api["ApprovalRules"]["PatchRules"]] == [1, 1]
            assert get_baseline(ep, prd["id"])["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"] == 31
            assert group_owner(ep, stg_g) == stg["id"] and group_owner(ep, prd_g) == prd["id"]
            assert tags_of(ep, "PatchBaseline", prd["id"]) == {"Env": "prd", "Project": "patching"}
            w = ssm(ep, "GetMaintenanceWindow", {"WindowId": mw["id"]})
            assert (w["Schedule"], w["Duration"], w["Cutoff"], w["Enabled"]) == ("cron(00 17 * * ? *)", 1, 0, True)
            assert stg["tags"] is None and stg["tags_all"] == {"Project": "patching"}
            assert stg["default_baseline"] is False
            assert stg["approved_patches_compliance_level"] == "UNSPECIFIED"
            assert_noop(s.refresh_and_plan())

        # in-place update, with the default tags changed too
        stg_g2, prd_g2 = ep.name("STG"), ep.name("PRD")
        cfg["stg"] = baseline(stg_name, 2, [stg_g, stg_g2], description="STG baseline", tags={"Env": "stg"})
        cfg["prd"] = baseline(prd_name, 30, [prd_g2], tags={"Env": "prd", "Tier": "1"})
        cfg["mw"] = window(mw_name, schedule="cron(00 18 ? * SUN *)", description="AM2 window", tags={},
                           schedule_timezone="Asia/Tokyo", schedule_offset=2)
        with Run(ep, protocol, default_tags={"Project": "patching", "Owner": "ops"}) as p:
            s = Stack(p)
            for n, t in (("stg", PB), ("prd", PB), ("mw", MW)):
                s.add(n, t, cfg[n], state=st[n])
            plans = s.refresh_and_plan()
            assert {n: pl.action for n, pl in plans.items()} == {"stg": "update", "prd": "update", "mw": "update"}
            assert plans["mw"].planned["tags_all"] == {"Project": "patching", "Owner": "ops"}
            st = s.apply()
            stg, prd, mw = st["stg"], st["prd"], st["mw"]
            api = get_baseline(ep, stg["id"])
            assert [r["ApproveAfterDays"] for r in api["ApprovalRules"]["PatchRules"]] == [2, 2]
            assert api["Description"] == "STG baseline"
            assert sorted(api["PatchGroups"]) == sorted([stg_g, stg_g2])
            assert get_baseline(ep, prd["id"])["PatchGroups"] == [prd_g2]
            assert ssm_error(ep, "GetPatchBaselineForPatchGroup",
                             {"PatchGroup": prd_g, "OperatingSystem": "AMAZON_LINUX_2"}) is not None \
                or group_owner(ep, prd_g) != prd["id"]
            assert tags_of(ep, "PatchBaseline", prd["id"]) == {"Env": "prd", "Tier": "1", "Project": "patching", "Owner": "ops"}
            assert tags_of(ep, "PatchBaseline", stg["id"]) == {"Env": "stg", "Project": "patching", "Owner": "ops"}
            assert tags_of(ep, "MaintenanceWindow", mw["id"]) == {"Project": "patching", "Owner": "ops"}
            w = ssm(ep, "GetMaintenanceWindow", {"WindowId": mw["id"]})
            assert w["Schedule"] == "cron(00 18 ? * SUN *)" and w["Description"] == "AM2 window"
            assert w["ScheduleTimezone"] == "Asia/Tokyo" and w["ScheduleOffset"] == 2
            assert (w["Duration"], w["Cutoff"], w["AllowUnassociatedTargets"]) == (1, 0, True)
            assert_noop(s.refresh_and_plan())

            # optional attributes removed from the config are cleared (Replace=true)
            s.configs["stg"] = baseline(stg_name, 2, [stg_g, stg_g2], tags={"Env": "stg"})
            s.configs["mw"] = window(mw_name, schedule="cron(00 18 ? * SUN *)", tags={})
            plans = s.refresh_and_plan()
            assert changed_attrs(plans["stg"].prior, plans["stg"].planned) == ["description"]
            assert changed_attrs(plans["mw"].prior, plans["mw"].planned) == \
                ["description", "schedule_offset", "schedule_timezone"]
            st = s.apply()
            assert "Description" not in get_baseline(ep, st["stg"]["id"])
            w = ssm(ep, "GetMaintenanceWindow", {"WindowId": mw["id"]})
            assert not any(k in w for k in ("Description", "ScheduleTimezone", "ScheduleOffset"))
            assert_noop(s.refresh_and_plan())

            s.destroy()
        ep.assert_clean()
        assert ssm_error(ep, "GetPatchBaseline", {"BaselineId": stg["id"]}) is not None
    finally:
        cleanup(ep, {stg_name, prd_name, mw_name})


# --------------------------------------------------------------------------
# 2: drift


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_drift_is_planned_and_restored(ep, protocol):
    pb_name, mw_name, g = ep.name("STG-AL2Baseline"), ep.name("patch-window-am2"), ep.name("STG")
    try:
        with Run(ep, protocol) as p:
            s = Stack(p)
            s.add("stg", PB, baseline(pb_name, 1, [g], description="managed")).add("mw", MW, window(mw_name))
            st = s.apply()
            bid, wid = st["stg"]["id"], st["mw"]["id"]

            # a change made outside Terraform: exactly that attribute is updated
            ssm(ep, "UpdatePatchBaseline", {"BaselineId": bid, "Description": "changed by hand"})
            ssm(ep, "UpdateMaintenanceWindow", {"WindowId": wid, "Duration": 3})
            plans = s.refresh_and_plan()
            assert plans["stg"].action == "update" and plans["mw"].action == "update"
            assert plans["stg"].refreshed["description"] == "changed by hand"
            assert changed_attrs(plans["stg"].refreshed, plans["stg"].planned) == ["description"]
            assert changed_attrs(plans["mw"].refreshed, plans["mw"].planned) == ["duration"]
            for n in ("stg", "mw"):
                s.states[n] = plans[n].refreshed
            s.plans = {n: plans[n] for n in plans}
            st = s.apply()
            assert get_baseline(ep, bid)["Description"] == "managed"
            assert ssm(ep, "GetMaintenanceWindow", {"WindowId": wid})["Duration"] == 1
            assert_noop(s.refresh_and_plan())

            # deleted outside Terraform: planned for creation, and created again
            ssm(ep, "DeregisterPatchBaselineForPatchGroup", {"BaselineId": bid, "PatchGroup": g})
            ssm(ep, "DeletePatchBaseline", {"BaselineId": bid})
            ssm(ep, "DeleteMaintenanceWindow", {"WindowId": wid})
            plans = s.refresh_and_plan()
            assert plans["stg"].refreshed is None and plans["stg"].action == "create"
            assert plans["mw"].refreshed is None and plans["mw"].action == "create"
            s.states = {}
            st = s.apply()
            assert st["stg"]["id"] != bid and st["mw"]["id"] != wid
            assert group_owner(ep, g) == st["stg"]["id"]
            assert len(own_baselines(ep, pb_name)) == 1 and len(windows(ep, mw_name)) == 1
            assert_noop(s.refresh_and_plan())
            s.destroy()
        ep.assert_clean()
    finally:
        cleanup(ep, {pb_name, mw_name})


# --------------------------------------------------------------------------
# 3: replacement


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_operating_system_change_replaces(ep, protocol):
    name, g = ep.name("STG-AL2Baseline"), ep.name("STG")
    try:
        with Run(ep, protocol) as p:
            old = p.apply(PB, baseline(name, 1, [g]))
            cfg = baseline(name, 1, [g], os_="AMAZON_LINUX")
            plan = p.plan(PB, cfg, p.refresh(PB, old))
            assert plan.action == "replace"
            assert plan.replace_paths == ["operating_system"]
            new = p.apply(PB, cfg, p.refresh(PB, old), plan=plan)
            assert new["id"] != old["id"] and new["operating_system"] == "AMAZON_LINUX"
            assert ssm_error(ep, "GetPatchBaseline", {"BaselineId": old["id"]}) is not None
            assert get_baseline(ep, new["id"])["PatchGroups"] == [g]
            assert group_owner(ep, g, "AMAZON_LINUX") == new["id"]
            converged_then_destroyed(p, PB, cfg, new)
        ep.assert_clean()
    finally:
        cleanup(ep, {name})


# --------------------------------------------------------------------------
# 4: import


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_import_then_no_change(ep, protocol):
    stg_name, prd_name, mw_name = ep.name("STG-AL2Baseline"), ep.name("PRD-AL2Baseline"), ep.name("patch-window-am2")
    cfg = {"stg": baseline(stg_name, 1, [ep.name("STG")], tags={"Env": "stg"}),
           "prd": baseline(prd_name, 31, [ep.name("PRD")]),
           "mw": window(mw_name, enabled=False, tags={"Team": "infra"})}
    try:
        with Run(ep, protocol, default_tags={"Project": "patching"}) as p:
            made = {n: p.apply(PB if n != "mw" else MW, c) for n, c in cfg.items()}
            for n, c in cfg.items():
                t = PB if n != "mw" else MW
                imported = p.import_state(t, made[n]["id"])
                assert dict(imported) == dict(made[n]), n
                assert p.plan(t, c, imported).action == "noop", n
            assert ssm(ep, "GetMaintenanceWindow", {"WindowId": made["mw"]["id"]})["Enabled"] is False
            for bad, t in (("mw-0123", PB), ("not-an-id", MW), ("", PB)):
                with pytest.raises(OperationFailed) as ei:
                    p.import_state(t, bad)
                assert any(("pb-" if t == PB else "mw-") in (d.detail or "") for d in ei.value.diagnostics)
            for n in ("mw", "prd", "stg"):
                p.destroy(PB if n != "mw" else MW, made[n])
        ep.assert_clean()
    finally:
        cleanup(ep, {stg_name, prd_name, mw_name})


# --------------------------------------------------------------------------
# 5: failure after create


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("tainted", [True, False], ids=["tainted", "untainted"])
def test_failure_after_create_keeps_object(ep, protocol, tainted):
    """Terraform marks an object whose create returned an error as tainted, so
    its next apply destroys and re-creates it; after `terraform untaint` it is
    updated in place instead. Both converge on exactly one baseline. The
    failure: RegisterPatchBaselineForPatchGroup refused once after the
    baseline was made (emulator fault injection)."""
    name, g = ep.name("STG-AL2Baseline"), ep.name("STG")
    inject(ep, "RegisterPatchBaselineForPatchGroup")
    try:
        with Run(ep, protocol) as p:
            cfg = baseline(name, 1, [g])
            with pytest.raises(OperationFailed) as ei:
                p.apply(PB, cfg)
            partial = ei.value.state
            errs = [d for d in ei.value.diagnostics if d.is_error]
            assert errs and errs[0].attribute == "patch_groups"
            assert "RegisterPatchBaselineForPatchGroup" in errs[0].summary + errs[0].detail
            assert g in errs[0].summary + errs[0].detail   # names the group
            assert partial is not None and partial["id"].startswith("pb-")
            assert not partial["patch_groups"]          # the group is not ours (yet)
            assert len(own_baselines(ep, name)) == 1

            # the next apply converges
            if tainted:
                p.destroy(PB, p.refresh(PB, partial))
                st = p.apply(PB, cfg)
                assert ssm_error(ep, "GetPatchBaseline", {"BaselineId": partial["id"]}) is not None
            else:
                plan = p.plan(PB, cfg, p.refresh(PB, partial))
                assert plan.action == "update"
                st = p.apply(PB, cfg, p.refresh(PB, partial), plan=plan)
                assert st["id"] == partial["id"]
            assert len(own_baselines(ep, name)) == 1
            assert group_owner(ep, g) == st["id"]
            converged_then_destroyed(p, PB, cfg, st)
        ep.assert_clean()
    finally:
        cleanup(ep, {name})


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_patch_group_held_elsewhere_is_taken_over(ep, protocol):
    """A patch group another baseline holds (made outside Terraform) is taken
    over, as the configuration declares, with a warning at patch_groups that
    names the previous holder by ID and name; destroying ours later does not
    give the group back to anyone (it is simply released)."""
    name, g = ep.name("STG-AL2Baseline"), ep.name("STG")
    other_name = ep.name("conflict")
    other = ssm(ep, "CreatePatchBaseline", {"Name": other_name, "OperatingSystem": "AMAZON_LINUX_2"})["BaselineId"]
    ssm(ep, "RegisterPatchBaselineForPatchGroup", {"BaselineId": other, "PatchGroup": g})
    try:
        with Run(ep, protocol) as p:
            cfg = baseline(name, 1, [g])
            before = len(p.warnings)
            st = p.apply(PB, cfg)
            assert group_owner(ep, g) == st["id"] and st["patch_groups"] == [g]
            warned = [w for w in p.warnings[before:]
                      if w.summary == "Patch group taken over from another baseline"]
            assert len(warned) == 1, [w.summary for w in p.warnings[before:]]
            assert warned[0].attribute == "patch_groups"
            assert other in warned[0].detail and other_name in warned[0].detail and g in warned[0].detail
            assert get_baseline(ep, other).get("PatchGroups", []) == []
            converged_then_destroyed(p, PB, cfg, st)
            assert get_baseline(ep, other).get("PatchGroups", []) == []
        ssm(ep, "DeletePatchBaseline", {"BaselineId": other})
        ep.assert_clean()
    finally:
        ssm_error(ep, "DeregisterPatchBaselineForPatchGroup", {"BaselineId": other, "PatchGroup": g})
        ssm_error(ep, "DeletePatchBaseline", {"BaselineId": other})
        cleanup(ep, {name})


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_window_created_disabled(ep, protocol):
    """enabled = false needs a second call after CreateMaintenanceWindow."""
    name = ep.name("patch-window-am2")
    try:
        with Run(ep, protocol) as p:
            st = p.apply(MW, window(name, enabled=False))
            assert st["enabled"] is False
            assert ssm(ep, "GetMaintenanceWindow", {"WindowId": st["id"]})["Enabled"] is False
            st2 = p.apply(MW, window(name, enabled=True), p.refresh(MW, st))
            assert st2["id"] == st["id"] and st2["enabled"] is True
            assert ssm(ep, "GetMaintenanceWindow", {"WindowId": st["id"]})["Enabled"] is True
            assert len(windows(ep, name)) == 1
            p.destroy(MW, st2)
            # already gone = success
            p.destroy(MW, st2)
        ep.assert_clean()
    finally:
        cleanup(ep, {name})


def inject(ep, op, code="AccessDeniedException", status=400,
           message="User is not authorized to perform this operation (injected)"):
    """The next call of `op` fails once with an AWS error that is not retried
    (emulator-only: the test is skipped on an external endpoint)."""
    emu = ep.requires_emulator("injects a one-shot %s into the provider's %s call" % (code, op))
    emu.configure(inject=[{"op": op, "status": status, "code": code, "message": message, "times": 1}])


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("tainted", [True, False], ids=["tainted", "untainted"])
def test_window_disable_failure_after_create(ep, protocol, tainted):
    """Disabling is a second call after CreateMaintenanceWindow; when it fails
    the window is kept in state (as it is: enabled) with an error at
    `enabled`, and the next apply converges on one window."""
    ep.requires_emulator("injects a one-shot AccessDeniedException into UpdateMaintenanceWindow")
    name = ep.name("patch-window-am2")
    cfg = window(name, enabled=False, tags={"Team": "infra"})
    try:
        with Run(ep, protocol) as p:
            inject(ep, "UpdateMaintenanceWindow")
            with pytest.raises(OperationFailed) as ei:
                p.apply(MW, cfg)
            errs = [d for d in ei.value.diagnostics if d.is_error]
            assert errs and errs[0].attribute == "enabled"
            assert "UpdateMaintenanceWindow" in errs[0].summary and "AccessDeniedException" in errs[0].summary
            partial = ei.value.state
            assert partial is not None and partial["id"].startswith("mw-")
            assert partial["enabled"] is True and partial["tags"] == {"Team": "infra"}
            assert len(windows(ep, name)) == 1
            if tainted:
                p.destroy(MW, p.refresh(MW, partial))
                st = p.apply(MW, cfg)
            else:
                plan = p.plan(MW, cfg, p.refresh(MW, partial))
                assert plan.action == "update"
                assert changed_attrs(plan.prior, plan.planned) == ["enabled"]
                st = p.apply(MW, cfg, p.refresh(MW, partial), plan=plan)
                assert st["id"] == partial["id"]
            assert len(windows(ep, name)) == 1
            assert ssm(ep, "GetMaintenanceWindow", {"WindowId": st["id"]})["Enabled"] is False
            converged_then_destroyed(p, MW, cfg, st)
        ep.assert_clean()
    finally:
        cleanup(ep, {name})


@pytest.mark.parametrize("misses", [2, 5], ids=["readable-after-retries", "never-readable"])
@pytest.mark.parametrize("type_name", [PB, MW])
def test_created_object_not_readable_yet(ep, type_name, misses):
    """SSM is eventually consistent: the read right after a create may find
    nothing. The provider retries (4 more reads over 3.75 s); if the object
    shows up, the apply is clean; if it never does, the apply still succeeds
    (an error would taint an object that exists) with a warning naming it,
    and the state holds its ID, so the next plan finds it and changes
    nothing."""
    read_op = "GetPatchBaseline" if type_name == PB else "GetMaintenanceWindow"
    emu = ep.requires_emulator("makes %s answer DoesNotExistException right after the create" % read_op)
    name = ep.name("STG-AL2Baseline" if type_name == PB else "patch-window-am2")
    cfg = baseline(name, 1, [ep.name("STG")]) if type_name == PB else window(name, description="am2")
    try:
        with Run(ep, 6) as p:
            emu.configure(inject=[{"op": read_op, "status": 400, "code": "DoesNotExistException",
                                   "message": "not visible yet (injected)", "times": misses}])
            before = len(p.warnings)
            injected0 = emu.calls()["by_op"].get(read_op, {}).get("injected", 0)
            st = p.apply(type_name, cfg)
            warned = [w for w in p.warnings[before:] if w.summary == "Object not readable yet"]
            found = own_baselines(ep, name) if type_name == PB else windows(ep, name)
            assert len(found) == 1, "exactly one object created"
            real_id = found[0]["BaselineId" if type_name == PB else "WindowId"]
            assert st["id"] == real_id
            injected = emu.calls()["by_op"][read_op]["injected"] - injected0
            if misses < 5:
                assert warned == [], "no warning once the object became readable"
                assert injected == misses
            else:
                assert len(warned) == 1 and real_id in warned[0].detail, p.warnings[before:]
                assert injected == 5, "one read and four retries"
            assert p.plan(type_name, cfg, p.refresh(type_name, st)).action == "noop"
            p.destroy(type_name, p.refresh(type_name, st))
        ep.assert_clean()
    finally:
        cleanup(ep, {name})


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_tag_failure_during_update(ep, protocol):
    """A tagging failure after UpdatePatchBaseline returns the baseline as it
    is (new body, old tags) with an error at `tags`; the next apply finishes."""
    ep.requires_emulator("injects a one-shot AccessDeniedException into AddTagsToResource")
    name, g = ep.name("PRD-AL2Baseline"), ep.name("PRD")
    try:
        with Run(ep, protocol) as p:
            st = p.apply(PB, baseline(name, 31, [g], tags={"Env": "prd"}))
            cfg = baseline(name, 30, [g], tags={"Env": "prd", "Tier": "1"})
            inject(ep, "AddTagsToResource")
            with pytest.raises(OperationFailed) as ei:
                p.apply(PB, cfg, p.refresh(PB, st))
            errs = [d for d in ei.value.diagnostics if d.is_error]
            assert errs and errs[0].attribute == "tags"
            partial = ei.value.state
            assert partial["id"] == st["id"]
            assert partial["approval_rule"][0]["approve_after_days"] == 30
            assert partial["tags"] == {"Env": "prd"}
            plan = p.plan(PB, cfg, p.refresh(PB, partial))
            assert plan.action == "update" and changed_attrs(plan.prior, plan.planned) == ["tags", "tags_all"]
            st = p.apply(PB, cfg, p.refresh(PB, partial), plan=plan)
            assert tags_of(ep, "PatchBaseline", st["id"]) == {"Env": "prd", "Tier": "1"}
            assert len(own_baselines(ep, name)) == 1
            p.destroy(PB, st)
        ep.assert_clean()
    finally:
        cleanup(ep, {name})


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_default_baseline_flag(ep, protocol):
    """default_baseline registers the baseline as the OS default; turning it
    off, or destroying the baseline, restores the AWS-owned default."""
    ep.requires_account_wide("registers and deregisters the region's default AMAZON_LINUX_2 baseline")
    name = ep.name("STG-AL2Baseline")

    def default_id():
        return ssm(ep, "GetDefaultPatchBaseline", {"OperatingSystem": "AMAZON_LINUX_2"})["BaselineId"]

    aws_default = default_id()
    assert "AWS-AmazonLinux2DefaultPatchBaseline" in ssm(ep, "GetPatchBaseline", {"BaselineId": aws_default})["Name"]
    try:
        with Run(ep, protocol) as p:
            st = p.apply(PB, baseline(name, 1, [], default_baseline=True))
            assert st["default_baseline"] is True and default_id() == st["id"]
            assert p.plan(PB, baseline(name, 1, [], default_baseline=True), p.refresh(PB, st)).action == "noop"
            st = p.apply(PB, baseline(name, 1, []), p.refresh(PB, st))
            assert st["default_baseline"] is False and default_id() == aws_default
            # made the default outside Terraform: drift, planned back to false
            ssm(ep, "RegisterDefaultPatchBaseline", {"BaselineId": st["id"]})
            plan = p.plan(PB, baseline(name, 1, []), p.refresh(PB, st))
            assert plan.action == "update" and changed_attrs(plan.prior, plan.planned) == ["default_baseline"]
            st = p.apply(PB, baseline(name, 1, [], default_baseline=True), p.refresh(PB, st))
            assert default_id() == st["id"]
            p.destroy(PB, st)
            assert default_id() == aws_default
        ep.assert_clean()
    finally:
        cleanup(ep, {name})

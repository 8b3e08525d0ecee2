"""fleet.py - the emulator's patching simulation: managed instances, a patch catalog, patch
baselines evaluated against them, and the compliance reads.

What is simulated (the SSM user guide, "Patch Manager": how patches are selected, patch
compliance state values; the API reference for the shapes):

- Managed instances live per (account, region), seeded by a test
  (``POST /_emulator/instances``): ID, operating system (an SSM OperatingSystem value),
  platform, product, tags, ping status, the patches already installed.
- The patch catalog is one for the whole emulator (vendors publish patches for every
  account and region alike; ``POST /_emulator/catalog``): per operating system, each
  patch with title, KB ID, classification, severity, release date, CVE IDs, product, ...
- The baseline of an instance is the one registered for its ``Patch Group`` (or
  ``PatchGroup``) tag and its operating system, else the operating system's default
  (``RegisterDefaultPatchBaseline``, else AWS's predefined baseline).
- A patch is approved by a baseline when it is in ApprovedPatches, or when it passes
  the GlobalFilters and an approval rule's filters (``*`` and shell wildcards match), the
  rule lets it in (EnableNonSecurity=false keeps Linux rules to security updates) and
  ``ApproveAfterDays`` have passed since its release on the emulator's clock (or it was
  released on or before ``ApproveUntilDate``; Ubuntu/Debian rules approve at once).
  RejectedPatches wins over everything (BLOCK: installed ones report INSTALLED_REJECTED;
  ALLOW_AS_DEPENDENCY: INSTALLED_OTHER). The first matching rule gives the compliance
  level.
- A Scan reports, per applicable patch: INSTALLED (approved, installed),
  INSTALLED_PENDING_REBOOT (installed by a NoReboot install, until a reboot),
  INSTALLED_OTHER (installed, not approved), INSTALLED_REJECTED, MISSING (approved, not
  installed), NOT_APPLICABLE (approved, for another product); unapproved patches for
  another product only count in UnreportedNotApplicableCount. An Install installs the
  approved missing patches first (FAILED for those an injected failure hits), then
  reports the same way; RebootIfNeeded reboots, NoReboot leaves them pending.
- Non-compliant patches (MISSING, FAILED, INSTALLED_PENDING_REBOOT, INSTALLED_REJECTED)
  count as CriticalNonCompliant when their compliance level is CRITICAL, else
  SecurityNonCompliant when they are security updates, else OtherNonCompliant.

The live service spells patch states ``Installed``/``Missing``/``InstalledPendingReboot``
where the model says ``INSTALLED``/``MISSING``/``INSTALLED_PENDING_REBOOT``: the
``patch_state_spelling`` setting (``model``, the default, or ``live``) picks the answer;
the ``State`` filter of DescribeInstancePatches takes either spelling, any case.
"""

import copy
import fnmatch
import re

from ssm_common import SSMError, iso_utc, page_out, paginate, parse_time, validation

# States as the model spells them -> as the live service answers them.
LIVE_STATES = {"INSTALLED": "Installed", "INSTALLED_OTHER": "InstalledOther",
               "INSTALLED_PENDING_REBOOT": "InstalledPendingReboot",
               "INSTALLED_REJECTED": "InstalledRejected", "MISSING": "Missing",
               "NOT_APPLICABLE": "NotApplicable", "FAILED": "Failed"}
NON_COMPLIANT = ("MISSING", "FAILED", "INSTALLED_PENDING_REBOOT", "INSTALLED_REJECTED")
SECURITY_CLASSIFICATIONS = ("Security", "SecurityUpdates", "CriticalUpdates")
DAY = 86400

# Defaults per operating system: PlatformType, PlatformName, PlatformVersion, Product.
PLATFORMS = {
    "WINDOWS": ("Windows", "Microsoft Windows Server 2019 Datacenter", "10.0.17763",
                "WindowsServer2019"),
    "AMAZON_LINUX": ("Linux", "Amazon Linux AMI", "2018.03", "AmazonLinux2018.03"),
    "AMAZON_LINUX_2": ("Linux", "Amazon Linux", "2", "AmazonLinux2"),
    "AMAZON_LINUX_2022": ("Linux", "Amazon Linux", "2022", "AmazonLinux2022"),
    "UBUNTU": ("Linux", "Ubuntu", "22.04", "Ubuntu22.04"),
    "REDHAT_ENTERPRISE_LINUX": ("Linux", "Red Hat Enterprise Linux", "8.6",
                                "RedhatEnterpriseLinux8.6"),
    "SUSE": ("Linux", "SLES", "15.4", "Suse15.4"),
    "CENTOS": ("Linux", "CentOS Linux", "7.9", "CentOS7.9"),
    "ORACLE_LINUX": ("Linux", "Oracle Linux Server", "8.6", "OracleLinux8.6"),
    "DEBIAN": ("Linux", "Debian GNU/Linux", "11", "Debian11"),
    "MACOS": ("MacOS", "macOS", "13.0", "MacOS13.0"),
    "RASPBIAN": ("Linux", "Raspbian GNU/Linux", "11", "Raspbian11"),
    "ROCKY_LINUX": ("Linux", "Rocky Linux", "8.6", "RockyLinux8.6"),
}
NO_APPROVAL_DELAY_OS = {"UBUNTU", "DEBIAN"}
AGENT_VERSION = "3.2.582.0"
_INSTANCE_ID = re.compile(r"(i-(\w{8}|\w{17}))|(mi-\w{17})")


class ControlError(Exception):
    """A bad request to a control endpoint (answered 400 with the message)."""


# ---- the catalog ------------------------------------------------------------------

_PATCH_FIELDS = ("Id", "OperatingSystem", "Title", "KBId", "Classification", "Severity",
                 "ReleaseDate", "CVEIds", "Product", "ProductFamily", "Name", "Epoch",
                 "Version", "Release", "Arch", "Repository", "AdvisoryIds", "BugzillaIds",
                 "Vendor", "Description", "ContentUrl", "Language", "MsrcNumber",
                 "MsrcSeverity", "Section", "Priority", "PatchSet", "Security")


def make_patch(spec, now, oses):
    """A catalog patch from a control-endpoint spec (see tests/emulator/README.md)."""
    unknown = set(spec) - set(_PATCH_FIELDS) - {"ReleasedDaysAgo"}
    if unknown:
        raise ControlError("unknown patch fields %s" % sorted(unknown))
    os_ = spec.get("OperatingSystem")
    if os_ not in oses:
        raise ControlError("patch %r: OperatingSystem must be one of %s"
                           % (spec.get("Title"), ", ".join(oses)))
    if not spec.get("Title"):
        raise ControlError("a patch needs a Title")
    p = {k: copy.deepcopy(v) for k, v in spec.items() if k in _PATCH_FIELDS}
    if "ReleasedDaysAgo" in spec:
        p["ReleaseDate"] = round(now - float(spec["ReleasedDaysAgo"]) * DAY, 3)
    elif "ReleaseDate" in spec:
        t = parse_time(spec["ReleaseDate"])
        if t is None:
            raise ControlError("patch %r: bad ReleaseDate %r" % (p["Title"], spec["ReleaseDate"]))
        p["ReleaseDate"] = t
    else:
        p["ReleaseDate"] = now
    if p.get("Name") and not p.get("KBId"):
        p["KBId"] = "%s.%s:%s:%s-%s" % (p["Name"], p.get("Arch", "x86_64"), p.get("Epoch", "0"),
                                        p.get("Version", "0"), p.get("Release", "0"))
    p.setdefault("KBId", p["Title"])
    p.setdefault("Id", p["KBId"])
    p.setdefault("Classification", "")
    p.setdefault("Severity", p.get("MsrcSeverity", ""))
    if os_ == "WINDOWS":
        p.setdefault("MsrcSeverity", p["Severity"])
    p["CVEIds"] = list(p.get("CVEIds") or [])
    p.setdefault("Security", p["Classification"] in SECURITY_CLASSIFICATIONS)
    p.setdefault("PatchSet", "OS")
    return p


def _attr(p, key, os_):
    """The value(s) a patch filter key looks at."""
    if key == "MSRC_SEVERITY":
        return p.get("MsrcSeverity", p.get("Severity"))
    if key == "SEVERITY":
        return p.get("Severity")
    if key == "PATCH_ID":
        return p.get("KBId")
    if key == "SECURITY":
        return "SecurityUpdates" if p.get("Security") else "NonSecurityUpdates"
    if key == "PRIORITY":
        return p.get("Priority", p.get("Severity"))
    field = {"PRODUCT": "Product", "PRODUCT_FAMILY": "ProductFamily",
             "CLASSIFICATION": "Classification", "PATCH_SET": "PatchSet", "ARCH": "Arch",
             "ADVISORY_ID": "AdvisoryIds", "BUGZILLA_ID": "BugzillaIds", "CVE_ID": "CVEIds",
             "EPOCH": "Epoch", "NAME": "Name", "RELEASE": "Release", "REPOSITORY": "Repository",
             "VERSION": "Version", "SECTION": "Section"}[key]
    return p.get(field)


def _filter_matches(p, f, os_):
    have = _attr(p, f["Key"], os_)
    values = f.get("Values") or []
    if "*" in values:
        return True
    have = have if isinstance(have, list) else ([] if have is None else [str(have)])
    return any(fnmatch.fnmatchcase(h, v) for h in have for v in values)


def _group_matches(p, group, os_):
    return all(_filter_matches(p, f, os_) for f in (group or {}).get("PatchFilters", []))


def _listed(p, names):
    """Whether a patch is named in an ApprovedPatches/RejectedPatches list (its ID, KB ID,
    package name or title; shell wildcards as for Linux package names)."""
    keys = [k for k in (p.get("Id"), p.get("KBId"), p.get("Name"), p.get("Title")) if k]
    return any(fnmatch.fnmatchcase(k, n) for n in names for k in keys)


def evaluate(baseline, p, now):
    """A baseline's verdict on one patch: dict with Status (APPROVED, EXPLICIT_APPROVED,
    PENDING_APPROVAL, EXPLICIT_REJECTED, or None when no rule selects it),
    ComplianceLevel and ApprovalDate (epoch) when approved."""
    os_ = baseline["OperatingSystem"]
    if _listed(p, baseline.get("RejectedPatches", [])):
        return {"Status": "EXPLICIT_REJECTED"}
    if _listed(p, baseline.get("ApprovedPatches", [])):
        return {"Status": "EXPLICIT_APPROVED",
                "ComplianceLevel": baseline.get("ApprovedPatchesComplianceLevel", "UNSPECIFIED"),
                "ApprovalDate": p["ReleaseDate"]}
    if not _group_matches(p, baseline.get("GlobalFilters"), os_):
        return {"Status": None}
    pending = False
    for rule in baseline.get("ApprovalRules", {}).get("PatchRules", []):
        if not _group_matches(p, rule.get("PatchFilterGroup"), os_):
            continue
        if os_ not in ("WINDOWS", "MACOS") and not rule.get("EnableNonSecurity") \
                and not p.get("Security"):
            continue
        if "ApproveAfterDays" in rule:
            when = p["ReleaseDate"] + int(rule["ApproveAfterDays"]) * DAY
        elif "ApproveUntilDate" in rule:
            until = parse_time(rule["ApproveUntilDate"] + "T23:59:59Z")
            if p["ReleaseDate"] > until:
                continue
            when = p["ReleaseDate"]
        else:
            when = p["ReleaseDate"]
        if when > now:
            pending = True
            continue
        return {"Status": "APPROVED", "ComplianceLevel": rule.get("ComplianceLevel", "UNSPECIFIED"),
                "ApprovalDate": when}
    return {"Status": "PENDING_APPROVAL" if pending else None}


# ---- instances ------------------------------------------------------------------------

def patch_group_of(inst):
    tags = inst["Tags"]
    return tags.get("Patch Group", tags.get("PatchGroup", ""))


def make_instance(spec, new_id, now, oses):
    known = {"InstanceId", "OperatingSystem", "PlatformType", "PlatformName", "PlatformVersion",
             "Product", "Tags", "PingStatus", "AgentVersion", "ComputerName", "IPAddress",
             "Installed", "Name"}
    unknown = set(spec) - known
    if unknown:
        raise ControlError("unknown instance fields %s" % sorted(unknown))
    os_ = spec.get("OperatingSystem", "AMAZON_LINUX_2")
    if os_ not in oses:
        raise ControlError("OperatingSystem must be one of %s" % ", ".join(oses))
    iid = spec.get("InstanceId") or new_id()
    if not _INSTANCE_ID.fullmatch(iid):
        raise ControlError("bad InstanceId %r (i- + 8 or 17 characters, or mi- + 17)" % iid)
    ptype, pname, pver, product = PLATFORMS[os_]
    tags = spec.get("Tags") or {}
    if isinstance(tags, list):
        tags = {t["Key"]: t["Value"] for t in tags}
    ping = spec.get("PingStatus", "Online")
    if ping not in ("Online", "ConnectionLost", "Inactive"):
        raise ControlError("PingStatus must be Online, ConnectionLost or Inactive")
    n = int(iid[2:10], 16) if re.fullmatch(r"[0-9a-f]{8}", iid[2:10]) else sum(map(ord, iid))
    ip = "10.%d.%d.%d" % ((n >> 16) & 255, (n >> 8) & 255, n & 255 or 1)
    inst = {
        "InstanceId": iid, "OperatingSystem": os_,
        "PlatformType": spec.get("PlatformType", ptype),
        "PlatformName": spec.get("PlatformName", pname),
        "PlatformVersion": spec.get("PlatformVersion", pver),
        "Product": spec.get("Product", product),
        "Tags": {str(k): str(v) for k, v in tags.items()},
        "PingStatus": ping, "AgentVersion": spec.get("AgentVersion", AGENT_VERSION),
        "IPAddress": spec.get("IPAddress", ip),
        "ComputerName": spec.get("ComputerName", "ip-%s.ec2.internal" % ip.replace(".", "-")),
        "RegistrationDate": now, "LastPingDateTime": now,
        "installed": {},        # patch Id -> {"time": epoch, "pending_reboot": bool}
        "failures": [],         # injected failures: {"operation", "times", "message", ...}
        "report": None,         # the last patch compliance report
    }
    if "Name" in spec:
        inst["Tags"].setdefault("Name", spec["Name"])
    for item in spec.get("Installed") or []:
        if isinstance(item, str):
            item = {"Id": item}
        t = parse_time(item.get("InstalledTime", now))
        inst["installed"][item["Id"]] = {"time": t if t is not None else now,
                                         "pending_reboot": bool(item.get("PendingReboot"))}
    return inst


def take_failure(inst, operation):
    """The injected failure that applies to this operation (consumed), or None."""
    for i, f in enumerate(inst["failures"]):
        if f["operation"] in ("Any", operation):
            got = dict(f)
            if f.get("times") is not None:
                f["times"] -= 1
                if f["times"] <= 0:
                    del inst["failures"][i]
            return got
    return None


def _applicable(p, inst):
    prod = p.get("Product")
    return not prod or prod in ("*", inst["Product"])


def compliance(inst, baseline, catalog, now, failed=()):
    """Per-patch states of an instance under a baseline: {patch Id: (state, installed
    time or 0, verdict)}, plus the count of unreported not-applicable patches."""
    states, unreported = {}, 0
    blocks = baseline.get("RejectedPatchesAction") == "BLOCK"
    for p in catalog.values():
        if p["OperatingSystem"] != inst["OperatingSystem"]:
            continue
        v = evaluate(baseline, p, now)
        approved = v["Status"] in ("APPROVED", "EXPLICIT_APPROVED")
        have = inst["installed"].get(p["Id"])
        if have is not None:
            if v["Status"] == "EXPLICIT_REJECTED":
                state = "INSTALLED_REJECTED" if blocks else "INSTALLED_OTHER"
            elif have["pending_reboot"]:
                state = "INSTALLED_PENDING_REBOOT"
            else:
                state = "INSTALLED" if approved else "INSTALLED_OTHER"
            states[p["Id"]] = (state, have["time"], v)
        elif not _applicable(p, inst):
            if approved:
                states[p["Id"]] = ("NOT_APPLICABLE", 0, v)
            else:
                unreported += 1
        elif approved:
            states[p["Id"]] = ("FAILED" if p["Id"] in failed else "MISSING", 0, v)
    return states, unreported


def summarize(states, unreported, catalog):
    """The count members of an InstancePatchState from per-patch states."""
    count = {s: 0 for s in LIVE_STATES}
    crit = sec = other = 0
    for pid, (state, _, v) in states.items():
        count[state] += 1
        if state in NON_COMPLIANT:
            if v.get("ComplianceLevel") == "CRITICAL":
                crit += 1
            elif catalog[pid].get("Security"):
                sec += 1
            else:
                other += 1
    return {"InstalledCount": count["INSTALLED"], "InstalledOtherCount": count["INSTALLED_OTHER"],
            "InstalledPendingRebootCount": count["INSTALLED_PENDING_REBOOT"],
            "InstalledRejectedCount": count["INSTALLED_REJECTED"],
            "MissingCount": count["MISSING"], "FailedCount": count["FAILED"],
            "UnreportedNotApplicableCount": unreported,
            "NotApplicableCount": count["NOT_APPLICABLE"],
            "CriticalNonCompliantCount": crit, "SecurityNonCompliantCount": sec,
            "OtherNonCompliantCount": other}


# ---- the SSM operations ------------------------------------------------------------------

_STATE_FILTER_KEYS = ("InstalledCount", "InstalledOtherCount", "InstalledPendingRebootCount",
                      "InstalledRejectedCount", "MissingCount", "FailedCount",
                      "UnreportedNotApplicableCount", "NotApplicableCount")
_COMPARE = {"Equal": lambda a, b: a == b, "NotEqual": lambda a, b: a != b,
            "LessThan": lambda a, b: a < b, "GreaterThan": lambda a, b: a > b}
_PATCH_DATA_FIELDS = ("Title", "KBId", "Classification", "Severity")


class FleetOps:
    """Mixed into ssm_backend.Backend: the instance and compliance operations, and the
    AWS-RunPatchBaseline simulation Run Command and maintenance windows call.
    Expects self.catalog, self.clock, self.patch_state_spelling, self._uuid() and the
    baseline helpers of Backend."""

    # -- helpers

    def _instance(self, st, iid, code="InvalidInstanceId"):
        inst = st.instances.get(iid)
        if inst is None:
            raise SSMError(code, "Instance Id %s is not valid or not registered." % iid)
        return inst

    def baseline_for(self, st, account, region, inst):
        """(baseline ID as SSM reports it, baseline dict) that patches this instance."""
        os_ = inst["OperatingSystem"]
        bid = st.patch_groups.get((patch_group_of(inst), os_)) or self._default_id(st, region, os_)
        b, _ = self._find_baseline(st, account, region, bid)
        return bid, b

    def _state_spelling(self, state):
        return LIVE_STATES[state] if self.patch_state_spelling == "live" else state

    def run_patch_baseline(self, st, account, region, inst, operation, reboot_option, start):
        """AWS-RunPatchBaseline on one instance at time `start`. Returns (ok, output text,
        end time). Updates the instance's patches and its compliance report."""
        bid, baseline = self.baseline_for(st, account, region, inst)
        failure = take_failure(inst, operation)
        end = round(start + 1.0, 3)
        group = patch_group_of(inst)
        head = ["Patch group: %s" % (group or "(none)"), "Operating system: %s" % inst["OperatingSystem"],
                "Patch baseline: %s (%s)" % (bid, baseline["Name"]),
                "Operation: %s" % operation, "RebootOption: %s" % reboot_option]
        if failure is not None and (operation == "Scan" or not failure.get("patch_ids")):
            if operation == "Install":
                # the install ran and failed: the patches it tried report FAILED
                states, _ = compliance(inst, baseline, self.catalog, start)
                tried = {pid for pid, (s, _, _) in states.items() if s == "MISSING"}
                self._report(st, inst, bid, baseline, "Install", reboot_option, start, end, tried)
            msg = failure.get("message") or "%s failed on %s." % (operation, inst["InstanceId"])
            return False, "\n".join(head + ["", msg]), end
        installed, failed = [], set()
        if operation == "Install":
            states, _ = compliance(inst, baseline, self.catalog, start)
            bad = set(failure.get("patch_ids") or ()) if failure else set()
            for pid, (state, _, _) in sorted(states.items()):
                if state != "MISSING":
                    continue
                if pid in bad:
                    failed.add(pid)
                    continue
                inst["installed"][pid] = {"time": end, "pending_reboot": reboot_option == "NoReboot"}
                installed.append(pid)
            if reboot_option == "RebootIfNeeded" and any(
                    h["pending_reboot"] for h in inst["installed"].values()):
                for h in inst["installed"].values():
                    h["pending_reboot"] = False
        report = self._report(st, inst, bid, baseline, operation, reboot_option, start, end, failed)
        lines = head + ["", "%s finished at %s." % (operation, iso_utc(end))]
        if operation == "Install":
            lines.append("Installed %d patch(es)%s" % (len(installed), ":" if installed else "."))
            lines += ["  " + self.catalog[p]["Title"] for p in installed]
            if reboot_option == "NoReboot" and installed:
                lines.append("RebootOption is NoReboot: the instance needs a reboot.")
        missing = [pid for pid, (s, _, _) in report["patches"].items() if s == "MISSING"]
        lines.append("Missing: %d" % len(missing))
        lines += ["  " + self.catalog[p]["Title"] for p in sorted(missing)]
        if failed:
            lines.append("Failed: %d" % len(failed))
            lines += ["  " + self.catalog[p]["Title"] for p in sorted(failed)]
            return False, "\n".join(lines), end
        return True, "\n".join(lines), end

    def _report(self, st, inst, bid, baseline, operation, reboot_option, start, end, failed):
        states, unreported = compliance(inst, baseline, self.catalog, start, failed)
        prev = inst["report"] or {}
        r = {"InstanceId": inst["InstanceId"], "PatchGroup": patch_group_of(inst),
             "BaselineId": bid, "SnapshotId": self._uuid(),
             "OperationStartTime": start, "OperationEndTime": end, "Operation": operation,
             "RebootOption": reboot_option}
        r.update(summarize(states, unreported, self.catalog))
        if operation == "Install" and reboot_option == "NoReboot":
            r["LastNoRebootInstallOperationTime"] = end
        elif "LastNoRebootInstallOperationTime" in prev:
            r["LastNoRebootInstallOperationTime"] = prev["LastNoRebootInstallOperationTime"]
        r["patches"] = states
        inst["report"] = r
        return r

    @staticmethod
    def _state_out(r):
        return {k: v for k, v in r.items() if k != "patches"}

    # -- DescribeInstanceInformation

    def _information(self, inst, now):
        d = {k: inst[k] for k in ("InstanceId", "PingStatus", "AgentVersion", "PlatformType",
                                  "PlatformName", "PlatformVersion", "IPAddress", "ComputerName")}
        d.update({"LastPingDateTime": now if inst["PingStatus"] == "Online" else inst["LastPingDateTime"],
                  "IsLatestVersion": inst["AgentVersion"] == AGENT_VERSION,
                  "ResourceType": "EC2Instance", "RegistrationDate": inst["RegistrationDate"],
                  "SourceId": inst["InstanceId"], "SourceType": "AWS::EC2::Instance"})
        if inst["Tags"].get("Name"):
            d["Name"] = inst["Tags"]["Name"]
        return d

    def op_DescribeInstanceInformation(self, st, account, region, body):
        if body.get("Filters") and body.get("InstanceInformationFilterList"):
            raise validation("You can specify either Filters or InstanceInformationFilterList, "
                             "not both.")
        filters = [(f["Key"], f["Values"]) for f in body.get("Filters", [])]
        filters += [(f["key"], f["valueSet"]) for f in body.get("InstanceInformationFilterList", [])]
        now = self.clock.now()
        items = list(st.instances.values())
        for key, vals in filters:
            if key == "InstanceIds":
                unknown = [v for v in vals if v not in st.instances]
                if unknown:
                    raise SSMError("InvalidInstanceId", "Instances [[%s]] not in a valid state for "
                                   "account %s" % (", ".join(unknown), account))
                items = [i for i in items if i["InstanceId"] in vals]
            elif key == "PingStatus":
                items = [i for i in items if i["PingStatus"] in vals]
            elif key == "PlatformTypes":
                items = [i for i in items if i["PlatformType"] in vals]
            elif key == "AgentVersion":
                items = [i for i in items if i["AgentVersion"] in vals]
            elif key == "ResourceType":
                items = [i for i in items if "EC2Instance" in vals]
            elif key in ("ActivationIds", "IamRole", "AssociationStatus"):
                items = []   # EC2 instances have no activation, IAM role or associations here
            elif key.startswith("tag:") and len(key) > 4:
                items = [i for i in items if i["Tags"].get(key[4:]) in vals]
            elif key == "tag-key":
                items = [i for i in items if any(k in i["Tags"] for k in vals)]
            else:
                raise SSMError("InvalidFilterKey", "The specified key is not valid: %s" % key)
        page, tok = paginate(items, body, "DescribeInstanceInformation", 50, "InvalidNextToken")
        return page_out("InstanceInformationList", [self._information(i, now) for i in page], tok)

    # -- compliance

    def op_DescribeInstancePatchStates(self, st, account, region, body):
        items = [st.instances[i]["report"] for i in body["InstanceIds"]
                 if i in st.instances and st.instances[i]["report"]]
        page, tok = paginate(items, body, "DescribeInstancePatchStates", 50, "InvalidNextToken")
        return page_out("InstancePatchStates", [self._state_out(r) for r in page], tok)

    def _group_reports(self, st, group):
        return [i["report"] for i in st.instances.values()
                if i["report"] and i["report"]["PatchGroup"] == group]

    def op_DescribeInstancePatchStatesForPatchGroup(self, st, account, region, body):
        items = self._group_reports(st, body["PatchGroup"])
        for f in body.get("Filters", []):
            if f["Key"] not in _STATE_FILTER_KEYS:
                raise SSMError("InvalidFilter", "The filter key %s is not valid. Valid keys: %s."
                               % (f["Key"], ", ".join(_STATE_FILTER_KEYS)))
            try:
                want = int(f["Values"][0])
            except ValueError:
                raise SSMError("InvalidFilter", "The filter value %s is not a number."
                               % f["Values"][0])
            cmp = _COMPARE[f["Type"]]
            items = [r for r in items if cmp(r[f["Key"]], want)]
        page, tok = paginate(items, body, "DescribeInstancePatchStatesForPatchGroup", 50,
                             "InvalidNextToken")
        return page_out("InstancePatchStates", [self._state_out(r) for r in page], tok)

    def op_DescribePatchGroupState(self, st, account, region, body):
        rs = self._group_reports(st, body["PatchGroup"])

        def n(key):
            return sum(1 for r in rs if r[key] > 0)
        return {"Instances": len(rs),
                "InstancesWithInstalledPatches": n("InstalledCount"),
                "InstancesWithInstalledOtherPatches": n("InstalledOtherCount"),
                "InstancesWithInstalledPendingRebootPatches": n("InstalledPendingRebootCount"),
                "InstancesWithInstalledRejectedPatches": n("InstalledRejectedCount"),
                "InstancesWithMissingPatches": n("MissingCount"),
                "InstancesWithFailedPatches": n("FailedCount"),
                "InstancesWithNotApplicablePatches": n("NotApplicableCount"),
                "InstancesWithUnreportedNotApplicablePatches": n("UnreportedNotApplicableCount"),
                "InstancesWithCriticalNonCompliantPatches": n("CriticalNonCompliantCount"),
                "InstancesWithSecurityNonCompliantPatches": n("SecurityNonCompliantCount"),
                "InstancesWithOtherNonCompliantPatches": n("OtherNonCompliantCount")}

    def op_DescribeInstancePatches(self, st, account, region, body):
        inst = self._instance(st, body["InstanceId"])
        r = inst["report"]
        rows = []
        for pid, (state, installed, _) in sorted((r or {}).get("patches", {}).items()):
            p = self.catalog.get(pid)
            if p is None:
                continue
            d = {k: p.get(k, "") for k in _PATCH_DATA_FIELDS}
            d.update({"State": state, "InstalledTime": installed})
            if p.get("CVEIds"):
                d["CVEIds"] = ",".join(p["CVEIds"])
            rows.append(d)
        for f in body.get("Filters", []):
            key, vals = f.get("Key"), f.get("Values") or []
            if key == "State":
                want = {v.replace("_", "").lower() for v in vals}
                rows = [d for d in rows if d["State"].replace("_", "").lower() in want]
            elif key in _PATCH_DATA_FIELDS:
                rows = [d for d in rows if d[key] in vals]
            else:
                raise SSMError("InvalidFilter", "The filter key %s is not valid. Valid keys: "
                               "Classification, KBId, Severity, State." % key)
        page, tok = paginate(rows, body, "DescribeInstancePatches", 50, "InvalidNextToken")
        out = []
        for d in page:
            d = dict(d)
            d["State"] = self._state_spelling(d["State"])
            out.append(d)
        return page_out("Patches", out, tok)

    def op_DescribeEffectivePatchesForPatchBaseline(self, st, account, region, body):
        b, _ = self._find_baseline(st, account, region, body["BaselineId"])
        if b is None:
            raise SSMError("DoesNotExistException",
                           "Patch Baseline %s does not exist." % body["BaselineId"])
        if b["OperatingSystem"] != "WINDOWS":
            # "Applies to patch baselines for Windows only." (the API reference)
            raise SSMError("UnsupportedOperatingSystem", "The operating system %s is not "
                           "supported by DescribeEffectivePatchesForPatchBaseline."
                           % b["OperatingSystem"])
        now = self.clock.now()
        items = []
        for p in sorted(self.catalog.values(), key=lambda p: (p["ReleaseDate"], p["Id"])):
            if p["OperatingSystem"] != "WINDOWS":
                continue
            v = evaluate(b, p, now)
            if v["Status"] is None:
                continue
            patch = {"Id": p["Id"], "ReleaseDate": p["ReleaseDate"], "Title": p["Title"],
                     "KbNumber": p["KBId"], "Classification": p["Classification"],
                     "MsrcSeverity": p.get("MsrcSeverity", p["Severity"])}
            for k in ("Description", "ContentUrl", "Vendor", "ProductFamily", "Product",
                      "MsrcNumber", "Language"):
                if p.get(k):
                    patch[k] = p[k]
            if p["CVEIds"]:
                patch["CVEIds"] = list(p["CVEIds"])
            status = {"DeploymentStatus": v["Status"]}
            if "ComplianceLevel" in v:
                status["ComplianceLevel"] = v["ComplianceLevel"]
                status["ApprovalDate"] = v["ApprovalDate"]
            items.append({"Patch": patch, "PatchStatus": status})
        page, tok = paginate(items, body, "DescribeEffectivePatchesForPatchBaseline", 100)
        return page_out("EffectivePatches", page, tok)

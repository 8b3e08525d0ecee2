"""ssm_backend.py - the emulator's in-memory SSM: patch baselines, patch groups, default
baselines, maintenance windows, window targets, window tasks and their tags.

State is kept per (account, region), like AWS. Every public call goes through
``Backend.call(account, region, op, body)`` under one lock, after the request has
passed model validation (model.py); it returns the response dict or raises
``SSMError``. Lookups are dicts keyed by ID, so thousands of objects cost nothing.

Behaviour follows AWS's documented semantics (the model's documentation strings and
the AWS API reference):
- IDs: ``pb-`` / ``mw-`` + 17 hex digits; window targets and tasks are UUIDs.
- ``ClientToken``: same token + same request returns the first result; same token +
  different request is ``IdempotentParameterMismatch``.
- ``Update*`` without ``Replace`` changes only the members sent; with ``Replace=true``
  the members Create/Register require must be sent and unsent optional members are
  cleared (set back to their defaults).
- Delete of a missing patch baseline or maintenance window succeeds (the model lists
  no DoesNotExistException for either; AWS answers with the ID). This can be switched
  to ``DoesNotExistException`` with the ``delete_missing`` setting to test clients on
  both.
- AWS-owned predefined baselines exist for every operating system (ARN-form IDs owned
  by a per-region AWS account); they are the defaults until RegisterDefaultPatchBaseline
  changes them, and cannot be updated or deleted.
"""

import copy
import datetime
import hashlib
import heapq
import itertools
import json
import random
import re
import threading
import uuid

from fleet import FleetOps
from runs import RunOps, resolve_targets
from schedule import execution_time, next_runs, occurrences, schedule_kind
from schedule import timezone_ok as _timezone_ok
from ssm_common import Clock, SSMError, paginate, time_filters, validation  # noqa: F401 (SSMError re-exported)

OPERATING_SYSTEMS = ["WINDOWS", "AMAZON_LINUX", "AMAZON_LINUX_2", "AMAZON_LINUX_2022",
                     "UBUNTU", "REDHAT_ENTERPRISE_LINUX", "SUSE", "CENTOS", "ORACLE_LINUX",
                     "DEBIAN", "MACOS", "RASPBIAN", "ROCKY_LINUX"]

_AWS_BASELINE_NAMES = {
    "WINDOWS": ("AWS-DefaultPatchBaseline", "Windows"),
    "AMAZON_LINUX": ("AWS-AmazonLinuxDefaultPatchBaseline", "Amazon Linux"),
    "AMAZON_LINUX_2": ("AWS-AmazonLinux2DefaultPatchBaseline", "Amazon Linux 2"),
    "AMAZON_LINUX_2022": ("AWS-AmazonLinux2022DefaultPatchBaseline", "Amazon Linux 2022"),
    "UBUNTU": ("AWS-UbuntuDefaultPatchBaseline", "Ubuntu"),
    "REDHAT_ENTERPRISE_LINUX": ("AWS-RedHatDefaultPatchBaseline", "Redhat Enterprise Linux"),
    "SUSE": ("AWS-SuseDefaultPatchBaseline", "Suse"),
    "CENTOS": ("AWS-CentOSDefaultPatchBaseline", "CentOS"),
    "ORACLE_LINUX": ("AWS-OracleLinuxDefaultPatchBaseline", "Oracle Linux"),
    "DEBIAN": ("AWS-DebianDefaultPatchBaseline", "Debian"),
    "MACOS": ("AWS-MacOSDefaultPatchBaseline", "macOS"),
    "RASPBIAN": ("AWS-RaspbianDefaultPatchBaseline", "Raspberry Pi OS"),
    "ROCKY_LINUX": ("AWS-RockyLinuxDefaultPatchBaseline", "Rocky Linux"),
}

_YUM_KEYS = {"PRODUCT", "CLASSIFICATION", "SEVERITY", "SECURITY", "ARCH", "ADVISORY_ID",
             "BUGZILLA_ID", "CVE_ID", "EPOCH", "NAME", "RELEASE", "REPOSITORY", "VERSION"}
_APT_KEYS = {"PRODUCT", "SECTION", "PRIORITY", "NAME"}
# Patch filter keys each operating system accepts (AWS DescribePatchProperties).
PATCH_FILTER_KEYS = {
    "WINDOWS": {"PATCH_SET", "PRODUCT", "PRODUCT_FAMILY", "CLASSIFICATION", "MSRC_SEVERITY",
                "PATCH_ID"},
    "UBUNTU": _APT_KEYS, "DEBIAN": _APT_KEYS, "RASPBIAN": _APT_KEYS,
    "MACOS": {"PRODUCT", "CLASSIFICATION"},
}
for _os in OPERATING_SYSTEMS:
    PATCH_FILTER_KEYS.setdefault(_os, _YUM_KEYS)
# Operating systems on which approval rules take neither ApproveAfterDays nor
# ApproveUntilDate (the model: "Not supported on Debian Server or Ubuntu Server").
NO_APPROVAL_DELAY_OS = {"UBUNTU", "DEBIAN"}

TAGGABLE = {"PatchBaseline", "MaintenanceWindow"}
MAX_TAGS_PER_RESOURCE = 50


def _validation(msg):
    return validation(msg)


def _parse_iso8601(s):
    try:
        t = s[:-1] + "+00:00" if s.endswith("Z") else s
        d = datetime.datetime.fromisoformat(t)
    except ValueError:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return d


# ---- per-account/region state -----------------------------------------------------

class RegionState:
    """Everything one account owns in one region."""

    def __init__(self):
        self.baselines = {}     # pb-id -> baseline dict (GetPatchBaseline members)
        self.patch_groups = {}  # (patch group, OS) -> baseline ID as registered
        self.defaults = {}      # OS -> baseline ID, only where it differs from AWS's
        self.windows = {}       # mw-id -> window dict (+ "_targets", "_tasks")
        self.tags = {}          # (resource type, id) -> {key: value}
        self.tokens = {}        # (op, client token) -> (fingerprint, response)
        # the patching simulation (fleet.py, runs.py): seeded, not customer objects
        self.instances = {}     # instance ID -> managed instance
        self.commands = {}      # command ID -> Run Command command
        self.executions = {}    # window execution ID -> maintenance window execution

    def empty(self):
        return not (self.baselines or self.patch_groups or self.defaults or self.windows)


class Backend(FleetOps, RunOps):
    def __init__(self, rng=None, delete_missing="success"):
        self.lock = threading.RLock()
        self.rng = rng or random.Random()
        self.delete_missing = delete_missing
        # Optional quotas -> ResourceLimitExceededException; keys: patch_baselines,
        # patch_groups_per_baseline, maintenance_windows, targets_per_window,
        # tasks_per_window. Unset = unlimited (AWS's defaults are 50/25/50/100/20).
        self.limits = {}
        self.states = {}        # (account, region) -> RegionState
        self._aws_baselines = {}  # region -> {OS: baseline dict}
        self.clock = Clock()
        self._last_time = 0.0   # latest time a run handed out (runs.py keeps them ordered)
        self.catalog = {}       # patch Id -> patch (fleet.py), one for every account/region
        self.patch_state_spelling = "model"   # or "live" (fleet.py)
        self.command_progress = "poll"        # or "instant", "time" (runs.py)
        self.command_step_ms = 100

    # ---- helpers ----------------------------------------------------------------

    def reset(self, account=None, region=None):
        """Forget state: all of it (with the catalog, and the clock back to real time),
        or only the (account, region) states matching the given account and/or region."""
        with self.lock:
            if account is None and region is None:
                self.states = {}
                self.catalog = {}
                self.clock.real()
                self._last_time = 0.0
                return
            for key in [k for k in self.states
                        if (account is None or k[0] == account) and (region is None or k[1] == region)]:
                del self.states[key]

    def state(self, account, region):
        key = (account, region)
        s = self.states.get(key)
        if s is None:
            s = self.states[key] = RegionState()
        return s

    def _hex17(self):
        return "%017x" % self.rng.getrandbits(68)

    def _uuid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    @staticmethod
    def aws_owner_account(region):
        h = int(hashlib.sha256(("owner:" + region).encode()).hexdigest(), 16)
        return "%012d" % (h % 10 ** 12)

    def aws_baselines(self, region):
        """The AWS-owned predefined baselines of a region, by OS (built once)."""
        got = self._aws_baselines.get(region)
        if got is not None:
            return got
        owner = self.aws_owner_account(region)
        got = {}
        for os_ in OPERATING_SYSTEMS:
            hx = hashlib.sha256(("%s:%s" % (region, os_)).encode()).hexdigest()[:16]
            name, label = _AWS_BASELINE_NAMES[os_]
            arn = "arn:aws:ssm:%s:%s:patchbaseline/pb-0%s" % (region, owner, hx)
            if os_ == "WINDOWS":
                filters = [{"Key": "MSRC_SEVERITY", "Values": ["Critical", "Important"]},
                           {"Key": "CLASSIFICATION", "Values": ["SecurityUpdates", "CriticalUpdates"]}]
            elif os_ in ("UBUNTU", "DEBIAN", "RASPBIAN"):
                filters = [{"Key": "PRIORITY", "Values": ["Required", "Important", "Standard",
                                                          "Optional", "Extra"]}]
            elif os_ == "MACOS":
                filters = [{"Key": "CLASSIFICATION", "Values": ["*"]}]
            else:
                filters = [{"Key": "CLASSIFICATION", "Values": ["Security"]},
                           {"Key": "SEVERITY", "Values": ["Critical", "Important"]}]
            rule = {"PatchFilterGroup": {"PatchFilters": filters},
                    "ComplianceLevel": "UNSPECIFIED", "EnableNonSecurity": False}
            if os_ not in NO_APPROVAL_DELAY_OS:
                rule["ApproveAfterDays"] = 7
            got[os_] = {
                "BaselineId": arn,
                "Name": name,
                "OperatingSystem": os_,
                "GlobalFilters": {"PatchFilters": []},
                "ApprovalRules": {"PatchRules": [rule]},
                "ApprovedPatches": [],
                "ApprovedPatchesComplianceLevel": "UNSPECIFIED",
                "ApprovedPatchesEnableNonSecurity": False,
                "RejectedPatches": [],
                "RejectedPatchesAction": "ALLOW_AS_DEPENDENCY",
                "CreatedDate": 1546300800.0,
                "ModifiedDate": 1546300800.0,
                "Description": "Default Patch Baseline for %s Provided by AWS." % label,
                "Sources": [],
            }
        self._aws_baselines[region] = got
        return got

    def _find_baseline(self, st, account, region, bid):
        """Resolve a baseline ID (pb-... or ARN). Returns (baseline, is_aws) or (None, None)."""
        short = bid
        m = re.fullmatch(r"arn:aws[a-zA-Z-]*:ssm:([a-z0-9-]+):(\d{12}):patchbaseline/(pb-[0-9a-f]{17})", bid)
        if m:
            short = m.group(3)
            if m.group(2) == account and m.group(1) == region:
                b = st.baselines.get(short)
                return (b, False) if b else (None, None)
        else:
            b = st.baselines.get(bid)
            if b:
                return b, False
        # AWS-managed baselines are addressed by their full ARN only (the API reference:
        # "specify the full Amazon Resource Name (ARN) of the baseline ... instead of pb-...").
        for b in self.aws_baselines(region).values():
            if b["BaselineId"] == bid:
                return b, True
        return None, None

    def _default_id(self, st, region, os_):
        return st.defaults.get(os_) or self.aws_baselines(region)[os_]["BaselineId"]

    def _is_default(self, st, region, baseline):
        d = self._default_id(st, region, baseline["OperatingSystem"])
        return d == baseline["BaselineId"] or d.endswith("/" + baseline["BaselineId"])

    def _identity(self, st, region, b):
        ident = {"BaselineId": b["BaselineId"], "BaselineName": b["Name"],
                 "OperatingSystem": b["OperatingSystem"],
                 "DefaultBaseline": self._is_default(st, region, b)}
        if "Description" in b:
            ident["BaselineDescription"] = b["Description"]
        return ident

    @staticmethod
    def _fingerprint(body):
        return json.dumps({k: v for k, v in body.items() if k != "ClientToken"}, sort_keys=True)

    def _idempotent(self, st, op, body):
        tok = body.get("ClientToken")
        if tok is None:
            return None
        hit = st.tokens.get((op, tok))
        if hit is None:
            return None
        fp, resp = hit
        if fp != self._fingerprint(body):
            raise SSMError("IdempotentParameterMismatch",
                           "Error occurred during operation '%s'. The client token %s was "
                           "already used with different parameters." % (op, tok))
        return copy.deepcopy(resp)

    def _remember(self, st, op, body, resp):
        tok = body.get("ClientToken")
        if tok is not None:
            st.tokens[(op, tok)] = (self._fingerprint(body), copy.deepcopy(resp))

    @staticmethod
    def _paginate(items, body, op, default_max):
        return paginate(items, body, op, default_max)

    def _limit(self, name, current, what):
        n = self.limits.get(name)
        if n is not None and current >= n:
            raise SSMError("ResourceLimitExceededException",
                           "You have reached the maximum number of %s (%d) allowed." % (what, n))

    # ---- dispatch ---------------------------------------------------------------

    def call(self, account, region, op, body):
        fn = getattr(self, "op_" + op, None)
        if fn is None:
            raise SSMError("UnsupportedOperation",
                           "The emulator does not implement %s." % op)
        with self.lock:
            return fn(self.state(account, region), account, region, body)

    def implemented(self, op):
        return hasattr(self, "op_" + op)

    # ---- patch baselines --------------------------------------------------------

    def _check_rules(self, os_, b):
        for where, group in (("GlobalFilters", b.get("GlobalFilters")),):
            self._check_filter_group(os_, group, where)
        for i, rule in enumerate(b.get("ApprovalRules", {}).get("PatchRules", [])):
            self._check_filter_group(os_, rule.get("PatchFilterGroup"),
                                     "ApprovalRules.PatchRules.%d" % (i + 1))
            days, until = "ApproveAfterDays" in rule, "ApproveUntilDate" in rule
            if os_ in NO_APPROVAL_DELAY_OS:
                if days or until:
                    raise _validation("ApproveAfterDays and ApproveUntilDate are not supported "
                                      "for operating system %s." % os_)
            elif days == until:
                raise _validation("Exactly one of ApproveAfterDays or ApproveUntilDate must be "
                                  "specified in a patch rule.")
            if until:
                try:
                    datetime.datetime.strptime(rule["ApproveUntilDate"], "%Y-%m-%d")
                    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", rule["ApproveUntilDate"]):
                        raise ValueError
                except ValueError:
                    raise _validation("Invalid ApproveUntilDate %s: the format must be "
                                      "YYYY-MM-DD." % rule["ApproveUntilDate"])
        names = [s["Name"] for s in b.get("Sources", [])]
        if len(names) != len(set(names)):
            raise _validation("Patch source names must be unique.")

    @staticmethod
    def _check_filter_group(os_, group, where):
        if not group:
            return
        seen = set()
        for f in group.get("PatchFilters", []):
            k = f["Key"]
            if k not in PATCH_FILTER_KEYS[os_]:
                raise _validation("Invalid filter key %s in %s for operating system %s."
                                  % (k, where, os_))
            if k in seen:
                raise _validation("Duplicate filter key %s in %s." % (k, where))
            seen.add(k)

    @staticmethod
    def _baseline_defaults(b):
        b.setdefault("GlobalFilters", {"PatchFilters": []})
        b.setdefault("ApprovalRules", {"PatchRules": []})
        for rule in b["ApprovalRules"]["PatchRules"]:
            rule.setdefault("ComplianceLevel", "UNSPECIFIED")
            rule.setdefault("EnableNonSecurity", False)
        b.setdefault("ApprovedPatches", [])
        b.setdefault("ApprovedPatchesComplianceLevel", "UNSPECIFIED")
        b.setdefault("ApprovedPatchesEnableNonSecurity", False)
        b.setdefault("RejectedPatches", [])
        b.setdefault("RejectedPatchesAction", "ALLOW_AS_DEPENDENCY")
        b.setdefault("Sources", [])
        return b

    _BASELINE_FIELDS = ("Name", "GlobalFilters", "ApprovalRules", "ApprovedPatches",
                        "ApprovedPatchesComplianceLevel", "ApprovedPatchesEnableNonSecurity",
                        "RejectedPatches", "RejectedPatchesAction", "Description", "Sources")

    def _check_tags(self, tags):
        keys = [t["Key"] for t in tags]
        if len(keys) != len(set(keys)):
            raise _validation("Tag keys must be unique.")
        for k in keys:
            if k.lower().startswith("aws:"):
                raise _validation("Tag keys beginning with 'aws:' are reserved for AWS use.")
        if len(keys) > MAX_TAGS_PER_RESOURCE:
            raise SSMError("TooManyTagsError", "The Targets parameter includes too many tags. "
                           "Remove one or more tags and try the command again.")

    def op_CreatePatchBaseline(self, st, account, region, body):
        hit = self._idempotent(st, "CreatePatchBaseline", body)
        if hit is not None:
            return hit
        os_ = body.get("OperatingSystem", "WINDOWS")
        b = {k: copy.deepcopy(body[k]) for k in self._BASELINE_FIELDS if k in body}
        b["OperatingSystem"] = os_
        self._baseline_defaults(b)
        self._check_rules(os_, b)
        tags = body.get("Tags", [])
        self._check_tags(tags)
        self._limit("patch_baselines", len(st.baselines), "patch baselines")
        bid = "pb-" + self._hex17()
        while bid in st.baselines:
            bid = "pb-" + self._hex17()
        now = self.clock.now()
        b.update({"BaselineId": bid, "CreatedDate": now, "ModifiedDate": now})
        st.baselines[bid] = b
        if tags:
            st.tags[("PatchBaseline", bid)] = {t["Key"]: t["Value"] for t in tags}
        resp = {"BaselineId": bid}
        self._remember(st, "CreatePatchBaseline", body, resp)
        return resp

    def _baseline_out(self, b, with_groups=None):
        keys = ("BaselineId", "Name", "OperatingSystem", "GlobalFilters", "ApprovalRules",
                "ApprovedPatches", "ApprovedPatchesComplianceLevel",
                "ApprovedPatchesEnableNonSecurity", "RejectedPatches", "RejectedPatchesAction",
                "CreatedDate", "ModifiedDate", "Description", "Sources")
        out = {k: copy.deepcopy(b[k]) for k in keys if k in b}
        if with_groups is not None:
            out["PatchGroups"] = with_groups
        return out

    def _groups_of(self, st, b):
        bid = b["BaselineId"]
        return sorted(g for (g, os_), v in st.patch_groups.items()
                      if os_ == b["OperatingSystem"] and (v == bid or v.endswith("/" + bid)))

    def op_GetPatchBaseline(self, st, account, region, body):
        b, _ = self._find_baseline(st, account, region, body["BaselineId"])
        if b is None:
            raise SSMError("DoesNotExistException",
                           "Patch Baseline %s does not exist." % body["BaselineId"])
        return self._baseline_out(b, self._groups_of(st, b))

    def op_UpdatePatchBaseline(self, st, account, region, body):
        b, is_aws = self._find_baseline(st, account, region, body["BaselineId"])
        if b is None or is_aws:
            raise SSMError("DoesNotExistException",
                           "Patch Baseline %s does not exist." % body["BaselineId"])
        if body.get("Replace"):
            if "Name" not in body:
                raise _validation("Name is required when Replace is true.")
            nb = {k: copy.deepcopy(body[k]) for k in self._BASELINE_FIELDS if k in body}
        else:
            nb = {k: copy.deepcopy(v) for k, v in b.items()
                  if k in self._BASELINE_FIELDS}
            for k in self._BASELINE_FIELDS:
                if k in body:
                    nb[k] = copy.deepcopy(body[k])
        nb["OperatingSystem"] = b["OperatingSystem"]
        self._baseline_defaults(nb)
        self._check_rules(b["OperatingSystem"], nb)
        nb.update({"BaselineId": b["BaselineId"], "CreatedDate": b["CreatedDate"],
                   "ModifiedDate": max(self.clock.now(), b["CreatedDate"])})
        st.baselines[b["BaselineId"]] = nb
        return self._baseline_out(nb)

    def op_DeletePatchBaseline(self, st, account, region, body):
        bid = body["BaselineId"]
        b, is_aws = self._find_baseline(st, account, region, bid)
        if b is None:
            if self.delete_missing == "error":
                raise SSMError("DoesNotExistException", "Patch Baseline %s does not exist." % bid)
            return {"BaselineId": bid}
        if is_aws:
            raise SSMError("ResourceInUseException",
                           "Patch baseline %s is provided by AWS and cannot be deleted." % bid)
        groups = self._groups_of(st, b)
        if groups:
            raise SSMError("ResourceInUseException",
                           "PatchBaseline to be deleted is used for Patch Group: %s" % groups[0])
        if self._is_default(st, region, b):
            raise SSMError("ResourceInUseException",
                           "Patch baseline %s is the default patch baseline for %s and cannot "
                           "be deleted." % (b["BaselineId"], b["OperatingSystem"]))
        del st.baselines[b["BaselineId"]]
        st.tags.pop(("PatchBaseline", b["BaselineId"]), None)
        return {"BaselineId": b["BaselineId"]}

    def op_DescribePatchBaselines(self, st, account, region, body):
        owner, prefixes, oses = "All", None, None
        for f in body.get("Filters", []):
            k, vals = f.get("Key"), f.get("Values", [])
            if k == "NAME_PREFIX":
                prefixes = vals
            elif k == "OWNER":
                if len(vals) != 1 or vals[0] not in ("AWS", "Self", "All"):
                    raise _validation("OWNER filter values must be one of AWS, Self, All.")
                owner = vals[0]
            elif k == "OPERATING_SYSTEM":
                oses = vals
            else:
                raise _validation("Invalid filter key %s: supported keys are NAME_PREFIX, "
                                  "OWNER and OPERATING_SYSTEM." % k)
        items = []
        if owner in ("AWS", "All"):
            items.extend(self.aws_baselines(region).values())
        if owner in ("Self", "All"):
            items.extend(st.baselines.values())
        items = [b for b in items
                 if (prefixes is None or any(b["Name"].startswith(p) for p in prefixes))
                 and (oses is None or b["OperatingSystem"] in oses)]
        page, tok = self._paginate(items, body, "DescribePatchBaselines", 50)
        out = {"BaselineIdentities": [self._identity(st, region, b) for b in page]}
        if tok:
            out["NextToken"] = tok
        return out

    # ---- patch groups and defaults ------------------------------------------------

    def op_RegisterPatchBaselineForPatchGroup(self, st, account, region, body):
        bid, group = body["BaselineId"], body["PatchGroup"]
        b, _ = self._find_baseline(st, account, region, bid)
        if b is None:
            raise SSMError("DoesNotExistException",
                           "Maintenance window or patch baseline %s does not exist." % bid)
        key = (group, b["OperatingSystem"])
        self._limit("patch_groups_per_baseline", len(self._groups_of(st, b)),
                    "patch groups per patch baseline")
        if key in st.patch_groups:
            raise SSMError("AlreadyExistsException",
                           "Patch Group baseline already has a baseline registered for "
                           "OperatingSystem %s." % b["OperatingSystem"])
        st.patch_groups[key] = b["BaselineId"]
        return {"BaselineId": bid, "PatchGroup": group}

    def op_DeregisterPatchBaselineForPatchGroup(self, st, account, region, body):
        bid, group = body["BaselineId"], body["PatchGroup"]
        b, _ = self._find_baseline(st, account, region, bid)
        if b is None:
            raise SSMError("InvalidResourceId",
                           "Patch baseline %s does not exist." % bid)
        key = (group, b["OperatingSystem"])
        if st.patch_groups.get(key) != b["BaselineId"]:
            raise SSMError("InvalidResourceId",
                           "Patch Group %s is not registered with patch baseline %s." % (group, bid))
        del st.patch_groups[key]
        return {"BaselineId": bid, "PatchGroup": group}

    def op_GetPatchBaselineForPatchGroup(self, st, account, region, body):
        group = body["PatchGroup"]
        os_ = body.get("OperatingSystem", "WINDOWS")
        # "Retrieves the patch baseline that should be used for the specified patch
        # group": the registered one, else the OS's default baseline.
        bid = st.patch_groups.get((group, os_)) or self._default_id(st, region, os_)
        return {"BaselineId": bid, "PatchGroup": group, "OperatingSystem": os_}

    def op_DescribePatchGroups(self, st, account, region, body):
        prefixes, oses = None, None
        for f in body.get("Filters", []):
            k, vals = f.get("Key"), f.get("Values", [])
            if k == "NAME_PREFIX":
                prefixes = vals
            elif k == "OPERATING_SYSTEM":
                oses = vals
            else:
                raise _validation("Invalid filter key %s: supported keys are NAME_PREFIX and "
                                  "OPERATING_SYSTEM." % k)
        items = []
        for (group, os_), bid in st.patch_groups.items():
            if prefixes is not None and not any(group.startswith(p) for p in prefixes):
                continue
            if oses is not None and os_ not in oses:
                continue
            b, _ = self._find_baseline(st, account, region, bid)
            if b is not None:
                items.append({"PatchGroup": group, "BaselineIdentity": self._identity(st, region, b)})
        page, tok = self._paginate(items, body, "DescribePatchGroups", 100)
        out = {"Mappings": page}
        if tok:
            out["NextToken"] = tok
        return out

    def op_RegisterDefaultPatchBaseline(self, st, account, region, body):
        bid = body["BaselineId"]
        b, is_aws = self._find_baseline(st, account, region, bid)
        if b is None:
            raise SSMError("DoesNotExistException", "Patch Baseline %s does not exist." % bid)
        if is_aws:
            st.defaults.pop(b["OperatingSystem"], None)
        else:
            st.defaults[b["OperatingSystem"]] = b["BaselineId"]
        return {"BaselineId": bid}

    def op_GetDefaultPatchBaseline(self, st, account, region, body):
        os_ = body.get("OperatingSystem", "WINDOWS")
        return {"BaselineId": self._default_id(st, region, os_), "OperatingSystem": os_}

    # ---- service settings -----------------------------------------------------------

    # The settings AWS documents for GetServiceSetting, at their defaults (the
    # emulator never changes them: UpdateServiceSetting is not implemented).
    SERVICE_SETTINGS = {
        "/ssm/managed-instance/activation-tier": "standard",
        "/ssm/managed-instance/default-ec2-instance-management-role": "",
        "/ssm/automation/customer-script-log-destination": "none",
        "/ssm/automation/customer-script-log-group-name": "",
        "/ssm/documents/console/public-sharing-permission": "Enable",
        "/ssm/opsinsights/opscenter": "Disabled",
        "/ssm/parameter-store/default-parameter-tier": "Standard",
        "/ssm/parameter-store/high-throughput-enabled": "false",
    }

    def op_GetServiceSetting(self, st, account, region, body):
        sid = body["SettingId"]
        if sid not in self.SERVICE_SETTINGS:
            raise SSMError("ServiceSettingNotFound",
                           "The service setting %s was not found." % sid)
        return {"ServiceSetting": {
            "SettingId": sid, "SettingValue": self.SERVICE_SETTINGS[sid],
            "LastModifiedDate": self.clock.now(), "LastModifiedUser": "System",
            "ARN": "arn:aws:ssm:%s:%s:servicesetting%s" % (region, account, sid),
            "Status": "Default"}}

    # ---- tags ---------------------------------------------------------------------

    def _tag_target(self, st, account, region, body):
        rtype, rid = body["ResourceType"], body["ResourceId"]
        if rtype not in TAGGABLE:
            raise SSMError("InvalidResourceType",
                           "The resource type %s is not supported by this emulator." % rtype)
        if rtype == "PatchBaseline":
            b, is_aws = self._find_baseline(st, account, region, rid)
            if b is None or is_aws:
                raise SSMError("InvalidResourceId", "The resource ID \"%s\" is not valid. "
                               "Verify the ID and try again." % rid)
            return (rtype, b["BaselineId"])
        if rid not in st.windows:
            raise SSMError("InvalidResourceId", "The resource ID \"%s\" is not valid. "
                           "Verify the ID and try again." % rid)
        return (rtype, rid)

    def op_AddTagsToResource(self, st, account, region, body):
        key = self._tag_target(st, account, region, body)
        self._check_tags(body["Tags"])
        cur = dict(st.tags.get(key, {}))
        for t in body["Tags"]:
            cur[t["Key"]] = t["Value"]
        if len(cur) > MAX_TAGS_PER_RESOURCE:
            raise SSMError("TooManyTagsError",
                           "The Targets parameter includes too many tags. Remove one or more "
                           "tags and try the command again.")
        st.tags[key] = cur
        return {}

    def op_RemoveTagsFromResource(self, st, account, region, body):
        key = self._tag_target(st, account, region, body)
        cur = st.tags.get(key, {})
        for k in body["TagKeys"]:
            cur.pop(k, None)
        return {}

    def op_ListTagsForResource(self, st, account, region, body):
        key = self._tag_target(st, account, region, body)
        return {"TagList": [{"Key": k, "Value": v} for k, v in st.tags.get(key, {}).items()]}

    # ---- maintenance windows ------------------------------------------------------

    _WINDOW_FIELDS = ("Name", "Description", "StartDate", "EndDate", "Schedule",
                      "ScheduleTimezone", "ScheduleOffset", "Duration", "Cutoff",
                      "AllowUnassociatedTargets", "Enabled")
    _WINDOW_REQUIRED = ("Name", "Schedule", "Duration", "Cutoff", "AllowUnassociatedTargets")

    @staticmethod
    def _check_window(w):
        kind = schedule_kind(w["Schedule"])
        if kind is None:
            raise _validation("Invalid schedule expression %s: use cron(...) with six fields, "
                              "rate(N minutes|hours|days) or at(yyyy-mm-ddThh:mm:ss)." % w["Schedule"])
        if w["Cutoff"] >= w["Duration"]:
            # AWS's own wording, typo included (seen in CloudFormation error reports)
            raise _validation("Cuttoff was %d but must be smaller than %d (Duration - 1 )"
                              % (w["Cutoff"], w["Duration"] - 1))
        if "ScheduleOffset" in w and kind != "cron":
            raise _validation("ScheduleOffset can be specified only with a cron schedule.")
        if "ScheduleTimezone" in w and not _timezone_ok(w["ScheduleTimezone"]):
            raise _validation("Invalid ScheduleTimezone %s: it must be an IANA time zone name."
                              % w["ScheduleTimezone"])
        dates = {}
        for k in ("StartDate", "EndDate"):
            if k in w:
                d = _parse_iso8601(w[k])
                if d is None:
                    raise _validation("Invalid %s %s: it must be in ISO-8601 Extended format."
                                      % (k, w[k]))
                dates[k] = d
        if len(dates) == 2 and dates["EndDate"] <= dates["StartDate"]:
            raise _validation("EndDate must be later than StartDate.")

    def op_CreateMaintenanceWindow(self, st, account, region, body):
        hit = self._idempotent(st, "CreateMaintenanceWindow", body)
        if hit is not None:
            return hit
        w = {k: copy.deepcopy(body[k]) for k in self._WINDOW_FIELDS if k in body}
        w["Enabled"] = True
        self._check_window(w)
        tags = body.get("Tags", [])
        self._check_tags(tags)
        self._limit("maintenance_windows", len(st.windows), "maintenance windows")
        wid = "mw-" + self._hex17()
        while wid in st.windows:
            wid = "mw-" + self._hex17()
        now = self.clock.now()
        w.update({"WindowId": wid, "CreatedDate": now, "ModifiedDate": now,
                  "_targets": {}, "_tasks": {}})
        st.windows[wid] = w
        if tags:
            st.tags[("MaintenanceWindow", wid)] = {t["Key"]: t["Value"] for t in tags}
        resp = {"WindowId": wid}
        self._remember(st, "CreateMaintenanceWindow", body, resp)
        return resp

    def _window(self, st, wid):
        w = st.windows.get(wid)
        if w is None:
            raise SSMError("DoesNotExistException", "Maintenance window %s does not exist" % wid)
        return w

    def _next_execution(self, w):
        """NextExecutionTime of an enabled window with a run still ahead, else None."""
        if not w.get("Enabled", True):
            return None
        nxt = next_runs(w, self.clock.now(), 1)
        return execution_time(nxt[0]) if nxt else None

    def op_GetMaintenanceWindow(self, st, account, region, body):
        w = self._window(st, body["WindowId"])
        out = {k: copy.deepcopy(v) for k, v in w.items() if not k.startswith("_")}
        nxt = self._next_execution(w)
        if nxt:
            out["NextExecutionTime"] = nxt
        return out

    def op_UpdateMaintenanceWindow(self, st, account, region, body):
        w = self._window(st, body["WindowId"])
        if body.get("Replace"):
            missing = [k for k in self._WINDOW_REQUIRED if k not in body]
            if missing:
                raise _validation("%s must be specified when Replace is true." % ", ".join(missing))
            nw = {k: copy.deepcopy(body[k]) for k in self._WINDOW_FIELDS if k in body}
            nw.setdefault("Enabled", True)
        else:
            nw = {k: copy.deepcopy(w[k]) for k in self._WINDOW_FIELDS if k in w}
            for k in self._WINDOW_FIELDS:
                if k in body:
                    nw[k] = copy.deepcopy(body[k])
        self._check_window(nw)
        nw.update({"WindowId": w["WindowId"], "CreatedDate": w["CreatedDate"],
                   "ModifiedDate": self.clock.now(), "_targets": w["_targets"], "_tasks": w["_tasks"]})
        st.windows[w["WindowId"]] = nw
        out = {k: copy.deepcopy(v) for k, v in nw.items() if not k.startswith("_")}
        out.pop("CreatedDate")
        out.pop("ModifiedDate")
        return out

    def op_DeleteMaintenanceWindow(self, st, account, region, body):
        wid = body["WindowId"]
        if wid not in st.windows:
            if self.delete_missing == "error":
                raise SSMError("DoesNotExistException", "Maintenance window %s does not exist" % wid)
            return {"WindowId": wid}
        del st.windows[wid]
        st.tags.pop(("MaintenanceWindow", wid), None)
        return {"WindowId": wid}

    def op_DescribeMaintenanceWindows(self, st, account, region, body):
        names, enabled = None, None
        for f in body.get("Filters", []):
            k, vals = f.get("Key"), f.get("Values", [])
            if k == "Name":
                names = vals
            elif k == "Enabled":
                enabled = [v.lower() == "true" for v in vals]
            else:
                raise _validation("Invalid filter key %s: supported keys are Name and Enabled." % k)
        items = [w for w in st.windows.values()
                 if (names is None or w["Name"] in names)
                 and (enabled is None or w["Enabled"] in enabled)]
        page, tok = self._paginate(items, body, "DescribeMaintenanceWindows", 50)
        keys = ("WindowId", "Name", "Description", "Enabled", "Duration", "Cutoff", "Schedule",
                "ScheduleTimezone", "ScheduleOffset", "EndDate", "StartDate")
        idents = []
        for w in page:
            d = {k: w[k] for k in keys if k in w}
            nxt = self._next_execution(w)
            if nxt:
                d["NextExecutionTime"] = nxt
            idents.append(d)
        out = {"WindowIdentities": idents}
        if tok:
            out["NextToken"] = tok
        return out

    SCHEDULE_CAP = 1000   # occurrences DescribeMaintenanceWindowSchedule pages through at most

    def op_DescribeMaintenanceWindowSchedule(self, st, account, region, body):
        after, before = self.clock.now(), None
        for key, t in time_filters(body.get("Filters"), ("ScheduledBefore", "ScheduledAfter")):
            if key == "ScheduledAfter":
                after = max(after, t)
            else:
                before = t if before is None else min(before, t)
        if "WindowId" in body:
            if body.get("Targets"):
                raise _validation("Specify either WindowId or Targets, not both.")
            windows = [self._window(st, body["WindowId"])]
        elif body.get("Targets"):
            windows = self._windows_for_targets(st, body.get("ResourceType", "INSTANCE"),
                                                body["Targets"])
        else:
            raise _validation("Either WindowId or Targets must be specified.")
        def runs_of(w):
            return ((t, w["WindowId"], w["Name"]) for t in occurrences(w, after))
        runs = heapq.merge(*[runs_of(w) for w in windows if w.get("Enabled", True)])
        items = []
        for t, wid, name in itertools.islice(runs, self.SCHEDULE_CAP):
            if before is not None and t > before:
                break
            items.append({"WindowId": wid, "Name": name, "ExecutionTime": execution_time(t)})
        page, tok = self._paginate(items, body, "DescribeMaintenanceWindowSchedule", 50)
        out = {"ScheduledWindowExecutions": page}
        if tok:
            out["NextToken"] = tok
        return out

    def _windows_for_targets(self, st, resource_type, targets):
        """Windows with a target of this resource type naming the same key and value, or
        (instances) selecting one of the instances the given targets select."""
        pairs = {(t.get("Key"), v) for t in targets for v in t.get("Values") or []}
        wanted = set(resolve_targets(st, targets)) if resource_type == "INSTANCE" else set()
        out = []
        for w in st.windows.values():
            for wt in w["_targets"].values():
                if wt["ResourceType"] != resource_type:
                    continue
                mine = {(t["Key"], v) for t in wt["Targets"] for v in t.get("Values") or []}
                if mine & pairs or (wanted and wanted & set(resolve_targets(st, wt["Targets"]))):
                    out.append(w)
                    break
        return out

    # ---- window targets -------------------------------------------------------------

    @staticmethod
    def _check_window_targets(resource_type, targets):
        if not targets:
            raise _validation("Targets must contain at least one target.")
        for t in targets:
            key = t.get("Key", "")
            if resource_type == "INSTANCE":
                ok = key in ("InstanceIds", "tag-key") or (key.startswith("tag:") and len(key) > 4)
            else:
                ok = key in ("resource-groups:Name", "resource-groups:ResourceTypeFilters")
            if not ok:
                raise _validation("Target key %s is not valid for resource type %s." % (key, resource_type))
            if not t.get("Values"):
                raise _validation("Target %s must have at least one value." % key)
        if resource_type == "RESOURCE_GROUP" and not any(
                t["Key"] == "resource-groups:Name" for t in targets):
            raise _validation("A RESOURCE_GROUP target must include the key resource-groups:Name.")

    def op_RegisterTargetWithMaintenanceWindow(self, st, account, region, body):
        w = self._window(st, body["WindowId"])
        hit = self._idempotent(st, "RegisterTargetWithMaintenanceWindow", body)
        if hit is not None:
            return hit
        self._check_window_targets(body["ResourceType"], body["Targets"])
        t = {k: copy.deepcopy(body[k]) for k in ("ResourceType", "Targets", "OwnerInformation",
                                                 "Name", "Description") if k in body}
        return self._add_member(st, w, "target", "RegisterTargetWithMaintenanceWindow", body, t)

    def op_DescribeMaintenanceWindowTargets(self, st, account, region, body):
        w = self._window(st, body["WindowId"])
        items = list(w["_targets"].values())
        for f in body.get("Filters", []):
            k, vals = f.get("Key"), f.get("Values", [])
            field = {"Type": "ResourceType", "WindowTargetId": "WindowTargetId",
                     "OwnerInformation": "OwnerInformation"}.get(k)
            if field is None:
                raise _validation("Invalid filter key %s: supported keys are Type, WindowTargetId "
                                  "and OwnerInformation." % k)
            items = [t for t in items if t.get(field) in vals]
        page, tok = self._paginate(items, body, "DescribeMaintenanceWindowTargets", 50)
        out = {"Targets": copy.deepcopy(page)}
        if tok:
            out["NextToken"] = tok
        return out

    def _add_member(self, st, w, kind, op, body, obj):
        """Register obj as the window's new target or task (kind "target" / "task")
        within the per-window limit; the answer names its new id."""
        members = w["_%ss" % kind]
        self._limit("%ss_per_window" % kind, len(members), "%ss per maintenance window" % kind)
        key = "Window%sId" % kind.capitalize()
        tid = self._uuid()
        obj.update({"WindowId": w["WindowId"], key: tid})
        members[tid] = obj
        resp = {key: tid}
        self._remember(st, op, body, resp)
        return resp

    @staticmethod
    def _member(w, kind, tid):
        """The window's target or task (kind "target" / "task") with this id, or
        DoesNotExistException as SSM words it."""
        t = w["_%ss" % kind].get(tid)
        if t is None:
            raise SSMError("DoesNotExistException",
                           "Maintenance window %s %s does not exist in maintenance window %s"
                           % (kind, tid, w["WindowId"]))
        return t

    def op_UpdateMaintenanceWindowTarget(self, st, account, region, body):
        w = self._window(st, body["WindowId"])
        t = self._member(w, "target", body["WindowTargetId"])
        fields = ("Targets", "OwnerInformation", "Name", "Description")
        if body.get("Replace"):
            if "Targets" not in body:
                raise _validation("Targets must be specified when Replace is true.")
            nt = {k: copy.deepcopy(body[k]) for k in fields if k in body}
        else:
            nt = {k: copy.deepcopy(t[k]) for k in fields if k in t}
            for k in fields:
                if k in body:
                    nt[k] = copy.deepcopy(body[k])
        self._check_window_targets(t["ResourceType"], nt["Targets"])
        nt.update({"WindowId": t["WindowId"], "WindowTargetId": t["WindowTargetId"],
                   "ResourceType": t["ResourceType"]})
        w["_targets"][t["WindowTargetId"]] = nt
        out = copy.deepcopy(nt)
        out.pop("ResourceType")
        return out

    def op_DeregisterTargetFromMaintenanceWindow(self, st, account, region, body):
        w = self._window(st, body["WindowId"])
        t = self._member(w, "target", body["WindowTargetId"])
        if body.get("Safe"):
            users = [k for k, task in w["_tasks"].items() if any(
                tg["Key"] == "WindowTargetIds" and t["WindowTargetId"] in tg.get("Values", [])
                for tg in task.get("Targets", []))]
            if users:
                raise SSMError("TargetInUseException",
                               "This Target cannot be deregistered because it is still "
                               "referenced in Task: %s" % users[0])
        del w["_targets"][t["WindowTargetId"]]
        return {"WindowId": w["WindowId"], "WindowTargetId": t["WindowTargetId"]}

    # ---- window tasks -------------------------------------------------------------

    _TASK_FIELDS = ("Targets", "TaskArn", "ServiceRoleArn", "TaskParameters",
                    "TaskInvocationParameters", "Priority", "MaxConcurrency", "MaxErrors",
                    "LoggingInfo", "Name", "Description", "CutoffBehavior", "AlarmConfiguration")
    _INVOCATION_KEY = {"RUN_COMMAND": "RunCommand", "AUTOMATION": "Automation",
                       "STEP_FUNCTIONS": "StepFunctions", "LAMBDA": "Lambda"}

    def _service_linked_role(self, account):
        return ("arn:aws:iam::%s:role/aws-service-role/ssm.amazonaws.com/"
                "AWSServiceRoleForAmazonSSM" % account)

    def _check_task(self, w, task, sent, account):
        """Validate a complete task (after merge) and fill its defaults. `sent` is the
        set of members present in this request (MaxConcurrency/MaxErrors rules)."""
        ttype = task["TaskType"]
        targets = task.get("Targets") or []
        if not targets:
            task.pop("Targets", None)
        if ttype == "RUN_COMMAND" and not targets:
            raise _validation("Targets must be specified for a maintenance window task of type "
                              "RUN_COMMAND.")
        for t in targets:
            key, vals = t.get("Key"), t.get("Values") or []
            if key == "WindowTargetIds":
                if len(vals) > 10:
                    raise _validation("WindowTargetIds accepts at most 10 values.")
                for v in vals:
                    if v not in w["_targets"]:
                        raise SSMError("DoesNotExistException",
                                       "Maintenance window target %s does not exist in maintenance "
                                       "window %s" % (v, w["WindowId"]))
            elif key == "InstanceIds":
                if not w["AllowUnassociatedTargets"]:
                    raise _validation("The maintenance window %s does not allow unassociated targets: "
                                      "register the instances as window targets and use "
                                      "WindowTargetIds." % w["WindowId"])
                for v in vals:
                    if not re.fullmatch(r"(i-(\w{8}|\w{17}))|(mi-\w{17})", v):
                        raise _validation("Invalid instance ID %s." % v)
            else:
                raise _validation("Target key %s is not valid for a maintenance window task: use "
                                  "WindowTargetIds or InstanceIds." % key)
            if not vals:
                raise _validation("Target %s must have at least one value." % key)
        if targets:
            for k in ("MaxConcurrency", "MaxErrors"):
                if k not in task:
                    raise _validation("%s must be specified for a maintenance window task with "
                                      "targets." % k)
        else:
            bad = [k for k in ("MaxErrors", "MaxConcurrency") if k in sent]
            if bad:
                raise _validation(" ".join("Maintenance window tasks without targets do not support "
                                           "%s values." % k for k in bad))
            for k in ("MaxConcurrency", "MaxErrors"):
                task[k] = "1"  # AWS's placeholder for targetless tasks
        tip = task.get("TaskInvocationParameters")
        if tip is not None:
            extra = [k for k in tip if k != self._INVOCATION_KEY[ttype]]
            if extra:
                raise _validation("TaskInvocationParameters.%s does not match TaskType %s."
                                  % (extra[0], ttype))
        task.setdefault("Priority", 1)
        task.setdefault("ServiceRoleArn", self._service_linked_role(account))

    def op_RegisterTaskWithMaintenanceWindow(self, st, account, region, body):
        w = self._window(st, body["WindowId"])
        hit = self._idempotent(st, "RegisterTaskWithMaintenanceWindow", body)
        if hit is not None:
            return hit
        task = {k: copy.deepcopy(body[k]) for k in self._TASK_FIELDS if k in body}
        task["TaskType"] = body["TaskType"]
        self._check_task(w, task, set(body), account)
        return self._add_member(st, w, "task", "RegisterTaskWithMaintenanceWindow", body, task)

    def op_GetMaintenanceWindowTask(self, st, account, region, body):
        w = self._window(st, body["WindowId"])
        return copy.deepcopy(self._member(w, "task", body["WindowTaskId"]))

    def op_UpdateMaintenanceWindowTask(self, st, account, region, body):
        w = self._window(st, body["WindowId"])
        t = self._member(w, "task", body["WindowTaskId"])
        if body.get("Replace"):
            if "TaskArn" not in body:
                raise _validation("TaskArn must be specified when Replace is true.")
            nt = {k: copy.deepcopy(body[k]) for k in self._TASK_FIELDS if k in body}
        else:
            nt = {k: copy.deepcopy(t[k]) for k in self._TASK_FIELDS if k in t}
            if "Targets" in body and not body["Targets"] and "MaxConcurrency" not in body:
                # becoming targetless: the placeholders are not the caller's values
                nt.pop("MaxConcurrency", None)
                nt.pop("MaxErrors", None)
            for k in self._TASK_FIELDS:
                if k in body:
                    nt[k] = copy.deepcopy(body[k])
            if not nt.get("Targets"):
                if "MaxConcurrency" not in body:
                    nt.pop("MaxConcurrency", None)
                if "MaxErrors" not in body:
                    nt.pop("MaxErrors", None)
        nt["TaskType"] = t["TaskType"]
        self._check_task(w, nt, set(body), account)
        nt.update({"WindowId": w["WindowId"], "WindowTaskId": t["WindowTaskId"]})
        w["_tasks"][t["WindowTaskId"]] = nt
        out = copy.deepcopy(nt)
        out.pop("TaskType")
        return out

    def op_DeregisterTaskFromMaintenanceWindow(self, st, account, region, body):
        w = self._window(st, body["WindowId"])
        t = self._member(w, "task", body["WindowTaskId"])
        del w["_tasks"][t["WindowTaskId"]]
        return {"WindowId": w["WindowId"], "WindowTaskId": t["WindowTaskId"]}

    def op_DescribeMaintenanceWindowTasks(self, st, account, region, body):
        w = self._window(st, body["WindowId"])
        items = list(w["_tasks"].values())
        for f in body.get("Filters", []):
            k, vals = f.get("Key"), f.get("Values", [])
            field = {"WindowTaskId": "WindowTaskId", "TaskArn": "TaskArn", "Priority": "Priority",
                     "TaskType": "TaskType"}.get(k)
            if field is None:
                raise _validation("Invalid filter key %s: supported keys are WindowTaskId, TaskArn, "
                                  "Priority and TaskType." % k)
            items = [t for t in items if str(t.get(field)) in vals]
        page, tok = self._paginate(items, body, "DescribeMaintenanceWindowTasks", 50)
        keys = ("WindowId", "WindowTaskId", "TaskArn", "Targets", "TaskParameters", "Priority",
                "LoggingInfo", "ServiceRoleArn", "MaxConcurrency", "MaxErrors", "Name",
                "Description", "CutoffBehavior", "AlarmConfiguration")
        tasks = []
        for t in page:
            d = {k: copy.deepcopy(t[k]) for k in keys if k in t}
            d["Type"] = t["TaskType"]
            tasks.append(d)
        out = {"Tasks": tasks}
        if tok:
            out["NextToken"] = tok
        return out

    # ---- inventory ------------------------------------------------------------------

    def inventory(self, account=None, region=None):
        """Every customer-created object, per account and region (JSON-ready); with
        `account` and/or `region`, only those (same shape)."""
        out = {}
        with self.lock:
            for (acct, reg), st in sorted(self.states.items()):
                if st.empty() or (account is not None and acct != account) \
                        or (region is not None and reg != region):
                    continue
                baselines = {}
                for bid, b in st.baselines.items():
                    d = self._baseline_out(b, self._groups_of(st, b))
                    d["Tags"] = dict(st.tags.get(("PatchBaseline", bid), {}))
                    baselines[bid] = d
                windows = {}
                for wid, w in st.windows.items():
                    d = {k: copy.deepcopy(v) for k, v in w.items() if not k.startswith("_")}
                    d["Tags"] = dict(st.tags.get(("MaintenanceWindow", wid), {}))
                    d["Targets"] = copy.deepcopy(w["_targets"])
                    d["Tasks"] = copy.deepcopy(w["_tasks"])
                    windows[wid] = d
                out.setdefault(acct, {})[reg] = {
                    "patch_baselines": baselines,
                    "patch_groups": [{"PatchGroup": g, "OperatingSystem": o, "BaselineId": b}
                                     for (g, o), b in st.patch_groups.items()],
                    "default_baselines": dict(st.defaults),
                    "maintenance_windows": windows,
                }
        return out

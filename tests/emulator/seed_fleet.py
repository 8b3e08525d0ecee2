"""seed_fleet.py - the seed scenario's fleet in the emulator, for any test that needs it.

The seed (``/work/shared/seed``, "SSM maintenance window patching for STG and PRD")
classifies Amazon Linux 2 instances by two tags:

| Patch Group | PatchWindowTaskAM2 | what |
|---|---|---|
| STG | SCAN | staging, scan only |
| STG | INSTALL | staging, patched |
| PRD | SCAN | production, scan only |
| PRD | INSTALL | production, patched |

and patches them with two baselines (STG approves Security Critical/Important patches
1 day after release, PRD 31 days) and one window ``cron(00 17 * * ? *)`` with a Scan
task and an Install task (NoReboot), each targeting one tag value.

    import seed_fleet
    fleet = seed_fleet.seed(emu)              # catalog + 4 x per_group instances
    fleet["STG"]["SCAN"]                      # instance IDs
    fleet["patches"]["fresh_critical"]        # the patch released 5 days ago
    objs = seed_fleet.create_seed_objects(call, bucket="patch-logs")   # baselines, window

``create_seed_objects`` takes any ``call(op, body) -> dict`` (SsmEndpoint.call, or a
wrapper around a botocore client), so it works against the emulator and elsewhere;
``seed`` needs the emulator (``emulator.Emulator``) since instances and patches cannot
be made through the SSM API.
"""

GROUPS = ("STG", "PRD")
ROLES = ("SCAN", "INSTALL")
TARGET_TAG = "PatchWindowTaskAM2"
OS = "AMAZON_LINUX_2"
APPROVE_AFTER_DAYS = {"STG": 1, "PRD": 31}
SCHEDULE = "cron(00 17 * * ? *)"


def _al2(key, name, version, release, days, classification, severity, cves, advisory):
    return {"key": key, "patch": {
        "OperatingSystem": OS, "Title": "%s-%s-%s.amzn2.x86_64" % (name, version, release),
        "Name": name, "Version": version, "Release": "%s.amzn2" % release, "Arch": "x86_64",
        "Epoch": "0", "Classification": classification, "Severity": severity,
        "ReleasedDaysAgo": days, "CVEIds": cves, "AdvisoryIds": [advisory],
        "Product": "AmazonLinux2", "Repository": "amzn2-core"}}


# The catalog: what each baseline does with it at "now".
SEED_PATCHES = [
    # Security/Critical, released 5 days ago: STG approves it (1 day), PRD not yet (31)
    _al2("fresh_critical", "openssl", "1.0.2k", "24", 5, "Security", "Critical",
         ["CVE-2024-0001", "CVE-2024-0002"], "ALAS2-2024-0005"),
    # Security/Important, released 40 days ago: both approve it
    _al2("old_important", "kernel", "5.10.200", "193.797", 40, "Security", "Important",
         ["CVE-2023-4004"], "ALAS2-2023-0040"),
    # Security/Medium, 40 days: no rule selects Medium
    _al2("old_medium", "curl", "8.3.0", "1", 40, "Security", "Medium", ["CVE-2023-38545"],
         "ALAS2-2023-0041"),
    # a bug fix, 40 days: EnableNonSecurity=false keeps it out
    _al2("old_bugfix", "tzdata", "2023c", "1", 40, "Bugfix", "None", [], "ALAS2-2023-0042"),
]


def seed(emu, per_group=1, account=None, region=None, catalog=True, prefix=""):
    """Seed the catalog (unless catalog=False) and `per_group` instances for each of the
    four (Patch Group, PatchWindowTaskAM2) pairs in (account, region). Returns
    {"STG": {"SCAN": [ids], "INSTALL": [ids]}, "PRD": {...}, "all": [ids],
    "patches": {key: patch ID}}; `prefix` goes before the Patch Group values."""
    out = {"patches": {}, "all": []}
    if catalog:
        ids = emu.add_patches([p["patch"] for p in SEED_PATCHES])
        out["patches"] = {p["key"]: pid for p, pid in zip(SEED_PATCHES, ids)}
    specs = []
    for g in GROUPS:
        for role in ROLES:
            for n in range(per_group):
                specs.append({"OperatingSystem": OS,
                              "Tags": {"Patch Group": prefix + g, TARGET_TAG: role,
                                       "Name": "%s%s-%s-%d" % (prefix, g.lower(), role.lower(), n)}})
    ids = emu.add_instances(specs, account=account, region=region)
    it = iter(ids)
    for g in GROUPS:
        out[g] = {}
        for role in ROLES:
            out[g][role] = [next(it) for _ in range(per_group)]
    out["all"] = list(ids)
    return out


def baseline_body(name, days):
    """The seed's CloudFormation baseline as a CreatePatchBaseline body."""
    def rule(severity, level):
        return {"PatchFilterGroup": {"PatchFilters": [
                    {"Key": "CLASSIFICATION", "Values": ["Security"]},
                    {"Key": "SEVERITY", "Values": [severity]}]},
                "ComplianceLevel": level, "ApproveAfterDays": days, "EnableNonSecurity": False}
    return {"Name": name, "OperatingSystem": OS,
            "ApprovalRules": {"PatchRules": [rule("Critical", "CRITICAL"), rule("Important", "HIGH")]}}


def create_seed_objects(call, bucket="patch-logs", prefix="", window_name="patch-window-am2",
                        scan_prefix="patch/window/scan/", install_prefix="patch/window/install/"):
    """The seed's baselines (registered for the patch groups), window, targets and tasks
    through `call(op, body)`. Returns their IDs: {"baselines": {"STG": id, "PRD": id},
    "window": id, "targets": {"SCAN": id, "INSTALL": id}, "tasks": {"SCAN": id, ...}}."""
    out = {"baselines": {}, "targets": {}, "tasks": {}}
    for g in GROUPS:
        bid = call("CreatePatchBaseline", baseline_body("%s%s-AL2Baseline" % (prefix, g),
                                                        APPROVE_AFTER_DAYS[g]))["BaselineId"]
        call("RegisterPatchBaselineForPatchGroup", {"BaselineId": bid, "PatchGroup": prefix + g})
        out["baselines"][g] = bid
    wid = call("CreateMaintenanceWindow", {"Name": prefix + window_name, "Schedule": SCHEDULE,
                                           "Duration": 1, "Cutoff": 0,
                                           "AllowUnassociatedTargets": True})["WindowId"]
    out["window"] = wid
    for role, key_prefix in (("SCAN", scan_prefix), ("INSTALL", install_prefix)):
        label = role.capitalize()
        tid = call("RegisterTargetWithMaintenanceWindow", {
            "WindowId": wid, "ResourceType": "INSTANCE", "Name": "PatchingTarget" + label,
            "Targets": [{"Key": "tag:" + TARGET_TAG, "Values": [role]}]})["WindowTargetId"]
        out["targets"][role] = tid
        out["tasks"][role] = call("RegisterTaskWithMaintenanceWindow", {
            "WindowId": wid, "Name": "PatchingTask" + label, "TaskArn": "AWS-RunPatchBaseline",
            "TaskType": "RUN_COMMAND", "Priority": 1, "MaxConcurrency": "50%", "MaxErrors": "50%",
            "Targets": [{"Key": "WindowTargetIds", "Values": [tid]}],
            "TaskInvocationParameters": {"RunCommand": {
                "TimeoutSeconds": 1800, "OutputS3BucketName": bucket, "OutputS3KeyPrefix": key_prefix,
                "Parameters": {"Operation": [label], "RebootOption": ["NoReboot"]}}}})["WindowTaskId"]
    return out

"""runs.py - Run Command and maintenance window executions in the emulator.

Run Command (SendCommand, ListCommands, ListCommandInvocations, GetCommandInvocation):
- Targets: ``InstanceIds``, or ``Targets`` with ``tag:<Key>``, ``tag-key`` or
  ``InstanceIds`` (several entries must all match; resource groups select nothing here),
  resolved against the region's managed instances.
- ``AWS-RunPatchBaseline`` (Operation Scan|Install, RebootOption RebootIfNeeded|NoReboot)
  runs fleet.py's simulation on each instance; ``AWS-RunShellScript`` and
  ``AWS-RunPowerShellScript`` succeed with no output; other documents are
  ``InvalidDocument``. Instances that are not Online time out on delivery.
- ``MaxConcurrency`` (default 50) bounds the invocations in progress and ``MaxErrors``
  (default 0) stops the command: once more invocations than that failed, no further
  one starts (those report Cancelled); the ones in progress finish. Percentages are of
  the targets, rounded down (concurrency at least 1).
- Progress is deterministic (setting ``command_progress``): ``poll`` (the default)
  moves a command one step each time a read shows it (ListCommands,
  ListCommandInvocations, GetCommandInvocation): the first step starts up to
  MaxConcurrency invocations, each later one finishes the oldest running invocation
  and starts the next, so one instance finishes per poll and a client polling sees
  Pending -> InProgress -> Success/Failed. ``instant`` finishes the command inside
  SendCommand; ``time`` takes one step per ``command_step_ms`` of real time.
  ``POST /_emulator/commands/advance`` moves commands by hand.
- Command status: Success when every invocation succeeded; Failed with StatusDetails
  Failed when more than MaxErrors invocations failed, else (some failed) Failed with
  StatusDetails Incomplete; TimedOut/Delivery Timed Out when the errors were all
  delivery time-outs; no matching instance: Success, "No Instances In Tag".
- Output locations as SSM writes them: ``<prefix>/<command ID>/<instance ID>/
  awsrunShellScript/PatchLinux/stdout`` (``awsrunPowerShellScript/PatchWindows`` on
  Windows) in the output bucket; StandardOutputUrl
  ``https://s3.<region>.amazonaws.com/<bucket>/<key>``.

Maintenance windows ("run this window now", ``POST /_emulator/windows/run``): the tasks
run in priority order (same priority: side by side, from the same start); a
RUN_COMMAND task resolves its targets (``WindowTargetIds`` through the window targets'
``InstanceIds``/``tag:``/``tag-key`` keys, or ``InstanceIds``), honours the task's
MaxConcurrency and MaxErrors the same way, and sends one command per instance (the
invocation's ExecutionId is its command ID, Parameters the JSON SSM reports with the
document, instance, limits, parameters and the S3 output location). Each invocation
takes one second of emulator time; the clock is moved past the run's end. Other task
types run one successful invocation per target. Execution statuses: SUCCESS, or
FAILED ("One or more tasks in the orchestration failed.") when a task failed.
"""

import copy
import itertools
import json
import time

from fleet import ControlError
from schedule import occurrences
from ssm_common import SSMError, iso_utc, page_out, paginate, parse_time, time_filters, validation

SIMULATED_DOCUMENTS = {
    # document -> steps: (step/plugin name, plugin type, platforms it runs on)
    "AWS-RunPatchBaseline": [("PatchWindows", "aws:runPowerShellScript", ("Windows",)),
                             ("PatchLinux", "aws:runShellScript", ("Linux",)),
                             ("PatchMacOS", "aws:runShellScript", ("MacOS",))],
    "AWS-RunShellScript": [("aws:runShellScript", "aws:runShellScript", ("Linux", "MacOS"))],
    "AWS-RunPowerShellScript": [("aws:runPowerShellScript", "aws:runPowerShellScript",
                                 ("Windows",))],
}
# schemaVersion 2.2 documents name their steps; 1.2 ones write 0.<plugin> directories
_SCHEMA_22 = {"AWS-RunPatchBaseline"}
_PATCH_PARAMS = {"Operation": ("Scan", "Install"), "RebootOption": ("RebootIfNeeded", "NoReboot"),
                 "SnapshotId": None, "InstallOverrideList": None, "BaselineOverride": None,
                 "AssociationId": None}
_MAX_OUTPUT = 24000     # StandardOutputContent and plugin Output are cut there (the model)
INVOCATION_SECONDS = 1.0
TERMINAL = ("Success", "Failed", "TimedOut", "Cancelled")
RUN_DUE_CAP = 100     # scheduled runs of one window one clock move may start


def _limit(value, n, minimum):
    """MaxConcurrency/MaxErrors ('10' or '10%') as a number for n targets."""
    if value.endswith("%"):
        return max(minimum, n * int(value[:-1]) // 100)
    return max(minimum, int(value))


def resolve_targets(st, targets):
    """Instance IDs a list of targets selects (all entries must match), in the order the
    instances were registered (InstanceIds: in the order given)."""
    ids = None
    for t in targets or []:
        key, vals = t.get("Key", ""), t.get("Values") or []
        if key == "InstanceIds":
            sel = [v for v in vals if v in st.instances]
        elif key.startswith("tag:") and len(key) > 4:
            sel = [i for i, inst in st.instances.items() if inst["Tags"].get(key[4:]) in vals]
        elif key == "tag-key":
            sel = [i for i, inst in st.instances.items() if any(k in inst["Tags"] for k in vals)]
        else:
            sel = []  # resource groups and other keys select no managed instance here
        keep = set(sel)
        ids = sel if ids is None else [i for i in ids if i in keep]
    return ids or []


def _dir(plugin_type):
    return plugin_type.replace(":", "")


def _join(*parts):
    return "/".join(p.strip("/") for p in parts if p and p.strip("/"))


def _elapsed(start, end):
    return "PT%.3fS" % max(0.0, end - start)


def _set_present(d, **members):
    """Put into d each member that has a value (an absent or empty one is left out,
    as the API leaves it out)."""
    d.update((k, v) for k, v in members.items() if v)


class RunOps:
    """Mixed into ssm_backend.Backend: Run Command and maintenance window executions."""

    # -- time

    def _tick(self):
        """Now on the emulator clock, strictly after every time already handed out by a
        run, so executions and commands order by time."""
        t = max(self.clock.now(), round(self._last_time + 0.001, 3))
        self._last_time = t
        return t

    def _catch_up(self, t):
        """Move the clock past a simulated run that ended at `t`."""
        now = self.clock.now()
        if t > now:
            self.clock.advance(t - now)
        self._last_time = max(self._last_time, t)

    # -- documents and parameters

    def _document(self, name):
        short = name.rsplit("/", 1)[-1] if name.startswith("arn:") else name
        if short not in SIMULATED_DOCUMENTS:
            raise SSMError("InvalidDocument", "Document with name %s does not exist." % name)
        return short

    @staticmethod
    def _patch_params(params):
        for k, v in (params or {}).items():
            if k not in _PATCH_PARAMS:
                raise SSMError("InvalidParameters", "Parameter \"%s\" is not defined in document "
                               "AWS-RunPatchBaseline." % k)
            allowed = _PATCH_PARAMS[k]
            if allowed and (len(v) != 1 or v[0] not in allowed):
                raise SSMError("InvalidParameters", "Value \"%s\" of parameter %s is not one of "
                               "the allowed values %s." % (",".join(v), k, ", ".join(allowed)))
        p = params or {}
        return (p.get("Operation", ["Scan"])[0], p.get("RebootOption", ["RebootIfNeeded"])[0])

    # -- commands

    def _new_command(self, st, account, region, req, instance_ids, now):
        doc = req["DocumentName"]
        cid = self._uuid()
        n = len(instance_ids)
        cmd = {"CommandId": cid, "DocumentName": doc,
               "DocumentVersion": req.get("DocumentVersion", "$DEFAULT"),
               "Comment": req.get("Comment", ""), "ExpiresAfter": now + req.get("TimeoutSeconds", 3600),
               "Parameters": copy.deepcopy(req.get("Parameters", {})),
               "InstanceIds": list(req.get("InstanceIds", [])),
               "Targets": copy.deepcopy(req.get("Targets", [])),
               "RequestedDateTime": now, "Status": "Pending", "StatusDetails": "Pending",
               "MaxConcurrency": req.get("MaxConcurrency", "50"), "MaxErrors": req.get("MaxErrors", "0"),
               "TargetCount": n, "CompletedCount": 0, "ErrorCount": 0, "DeliveryTimedOutCount": 0,
               "ServiceRole": req.get("ServiceRoleArn", ""), "TimeoutSeconds": req.get("TimeoutSeconds", 3600),
               "CloudWatchOutputConfig": copy.deepcopy(req.get("CloudWatchOutputConfig",
                                                               {"CloudWatchOutputEnabled": False}))}
        for k in ("OutputS3BucketName", "OutputS3KeyPrefix", "NotificationConfig", "AlarmConfiguration"):
            if req.get(k):
                cmd[k] = copy.deepcopy(req[k])
        if cmd.get("OutputS3BucketName"):
            cmd["OutputS3Region"] = req.get("OutputS3Region", region)
        cmd["_concurrency"] = _limit(cmd["MaxConcurrency"], n, 1)
        cmd["_allowed_errors"] = _limit(cmd["MaxErrors"], n, 0)
        cmd["_sent"] = time.monotonic()
        cmd["_steps"] = 0
        cmd["_invocations"] = [{"InstanceId": i, "Status": "Pending", "StatusDetails": "Pending",
                                "RequestedDateTime": now, "ResponseCode": -1}
                               for i in instance_ids]
        if n == 0:
            cmd.update(Status="Success", StatusDetails="No Instances In Tag")
        st.commands[cid] = cmd
        return cmd

    def op_SendCommand(self, st, account, region, body):
        doc = self._document(body["DocumentName"])
        if bool(body.get("InstanceIds")) == bool(body.get("Targets")):
            raise validation("Specify either InstanceIds or Targets (exactly one of them).")
        if doc == "AWS-RunPatchBaseline":
            self._patch_params(body.get("Parameters"))
        if body.get("InstanceIds"):
            ids = body["InstanceIds"]
            if len(set(ids)) != len(ids):
                raise SSMError("DuplicateInstanceId", "Instance Id list contains duplicates.")
            unknown = [i for i in ids if i not in st.instances]
            if unknown:
                raise SSMError("InvalidInstanceId", "Instances [[%s]] not in a valid state for "
                               "account %s" % (", ".join(unknown), account))
        else:
            for t in body["Targets"]:
                key = t.get("Key", "")
                if not (key in ("InstanceIds", "tag-key") or key.startswith("tag:")
                        or key.startswith("resource-groups:")):
                    raise SSMError("InvalidParameters", "Target key %s is not valid." % key)
            ids = resolve_targets(st, body["Targets"])
        req = dict(body)
        req["DocumentName"] = doc
        cmd = self._new_command(st, account, region, req, ids, self._tick())
        if self.command_progress == "instant":
            self._finish(st, account, region, cmd)
        return {"Command": self._command_out(cmd)}

    def _invocation_started(self, cmd, inv, now):
        inv.update(Status="InProgress", StatusDetails="In Progress", start=now)

    def _run_invocation(self, st, account, region, cmd, inv, start, end=None):
        """Run one invocation's document on its instance; sets its terminal status."""
        inst = st.instances.get(inv["InstanceId"])
        if inst is None or inst["PingStatus"] != "Online":
            inv.update(Status="TimedOut", StatusDetails="Delivery Timed Out", ResponseCode=-1,
                       start=start, end=end or start, output="", delivered=False)
            return
        doc = cmd["DocumentName"]
        ptype = inst["PlatformType"]
        if doc == "AWS-RunPatchBaseline":
            op, reboot = self._patch_params(cmd["Parameters"])
            ok, out, done = self.run_patch_baseline(st, account, region, inst, op, reboot, start)
        else:
            ok = ptype in SIMULATED_DOCUMENTS[doc][0][2]
            out, done = ("" if ok else "Step execution skipped: invalid platform."), start + INVOCATION_SECONDS
        end = end if end is not None else done
        if len(out) > _MAX_OUTPUT:
            out = out[:_MAX_OUTPUT]
        inv.update(Status="Success" if ok else "Failed", StatusDetails="Success" if ok else "Failed",
                   ResponseCode=0 if ok else 1, start=start, end=end, output=out, delivered=True)

    def _step(self, st, account, region, cmd):
        """One step of a command (see the module comment)."""
        if cmd["Status"] in TERMINAL:
            return
        now = self._tick()
        invs = cmd["_invocations"]
        running = [i for i in invs if i["Status"] == "InProgress"]
        if running:
            inv = running[0]
            self._run_invocation(st, account, region, cmd, inv, inv["start"], end=now)
        errors = sum(1 for i in invs if i["Status"] in ("Failed", "TimedOut"))
        pending = [i for i in invs if i["Status"] == "Pending"]
        if errors > cmd["_allowed_errors"]:
            for i in pending:
                i.update(Status="Cancelled", StatusDetails="Cancelled")
        else:
            room = cmd["_concurrency"] - sum(1 for i in invs if i["Status"] == "InProgress")
            for i in pending[:max(0, room)]:
                self._invocation_started(cmd, i, now)
        cmd["_steps"] += 1
        self._command_status(cmd)

    def _finish(self, st, account, region, cmd):
        while cmd["Status"] not in TERMINAL:
            self._step(st, account, region, cmd)

    @staticmethod
    def _command_status(cmd):
        invs = cmd["_invocations"]
        failed = sum(1 for i in invs if i["Status"] == "Failed")
        timed_out = sum(1 for i in invs if i["Status"] == "TimedOut")
        done = sum(1 for i in invs if i["Status"] in TERMINAL)
        cmd.update(CompletedCount=sum(1 for i in invs if i["Status"] in ("Success", "Failed", "TimedOut")),
                   ErrorCount=failed + timed_out, DeliveryTimedOutCount=timed_out)
        if done < len(invs):
            if any(i["Status"] == "InProgress" for i in invs) or done:
                cmd.update(Status="InProgress", StatusDetails="In Progress")
            return
        errors = failed + timed_out
        if errors == 0:
            cmd.update(Status="Success", StatusDetails="Success")
        elif failed == 0:
            cmd.update(Status="TimedOut", StatusDetails="Delivery Timed Out")
        elif errors > cmd["_allowed_errors"]:
            cmd.update(Status="Failed", StatusDetails="Failed")
        else:
            cmd.update(Status="Failed", StatusDetails="Incomplete")

    def _progress(self, st, account, region, cmds):
        """A read shows these commands: move them on as the progress setting says."""
        mode = self.command_progress
        for cmd in cmds:
            if mode == "poll":
                self._step(st, account, region, cmd)
            elif mode == "time":
                due = int((time.monotonic() - cmd["_sent"]) * 1000 // max(1, self.command_step_ms))
                while cmd["_steps"] < due and cmd["Status"] not in TERMINAL:
                    self._step(st, account, region, cmd)
            else:
                self._finish(st, account, region, cmd)

    def advance_commands(self, st, account, region, command_id=None, steps=None):
        """Control endpoint: move one command (or all of the region's) `steps` steps, or to
        the end when steps is None. Returns the commands' statuses."""
        if command_id and command_id not in st.commands:
            raise ControlError("no command %s" % command_id)
        cmds = [st.commands[command_id]] if command_id else list(st.commands.values())
        for cmd in cmds:
            if steps is None:
                self._finish(st, account, region, cmd)
            else:
                for _ in range(int(steps)):
                    self._step(st, account, region, cmd)
        return {c["CommandId"]: c["Status"] for c in cmds}

    def _command_out(self, cmd):
        return {k: copy.deepcopy(v) for k, v in cmd.items() if not k.startswith("_")}

    def _plugins(self, st, cmd, inv):
        inst = st.instances.get(inv["InstanceId"])
        ptype = inst["PlatformType"] if inst else "Linux"
        out = []
        for name, plugin, plats in SIMULATED_DOCUMENTS[cmd["DocumentName"]]:
            runs = ptype in plats or len(SIMULATED_DOCUMENTS[cmd["DocumentName"]]) == 1
            d = {"Name": name}
            step_dir = name if cmd["DocumentName"] in _SCHEMA_22 else "0." + _dir(plugin)
            key = _join(cmd.get("OutputS3KeyPrefix", ""), cmd["CommandId"], inv["InstanceId"],
                        _dir(plugin), step_dir)
            d["OutputS3KeyPrefix"] = key
            if cmd.get("OutputS3BucketName"):
                d.update(OutputS3BucketName=cmd["OutputS3BucketName"],
                         OutputS3Region=cmd["OutputS3Region"])
            status = inv["Status"]
            if status in ("Pending", "InProgress", "Cancelled", "TimedOut"):
                d.update(Status=status, StatusDetails=inv["StatusDetails"], ResponseCode=-1)
            elif runs:
                d.update(Status=status, StatusDetails=inv["StatusDetails"],
                         ResponseCode=inv["ResponseCode"], Output=inv.get("output", ""),
                         ResponseStartDateTime=inv["start"], ResponseFinishDateTime=inv["end"])
                if cmd.get("OutputS3BucketName"):
                    d["StandardOutputUrl"] = self._s3_url(cmd, key + "/stdout")
                    d["StandardErrorUrl"] = self._s3_url(cmd, key + "/stderr")
            else:
                d.update(Status="Success", StatusDetails="Success", ResponseCode=0,
                         Output="Step execution skipped due to unsatisfied preconditions: "
                                "'\"StringEquals\": [platformType, %s]'. Step name: %s"
                                % (plats[0], name),
                         ResponseStartDateTime=inv["start"], ResponseFinishDateTime=inv["start"])
            out.append((d, runs))
        return out

    @staticmethod
    def _s3_url(cmd, key):
        return "https://s3.%s.amazonaws.com/%s/%s" % (cmd["OutputS3Region"], cmd["OutputS3BucketName"], key)

    def _invocation_out(self, st, cmd, inv, details):
        inst = st.instances.get(inv["InstanceId"])
        d = {"CommandId": cmd["CommandId"], "InstanceId": inv["InstanceId"],
             "InstanceName": (inst or {}).get("Tags", {}).get("Name", ""),
             "Comment": cmd["Comment"], "DocumentName": cmd["DocumentName"], "DocumentVersion": "1",
             "RequestedDateTime": inv["RequestedDateTime"], "Status": inv["Status"],
             "StatusDetails": inv["StatusDetails"], "StandardOutputUrl": "", "StandardErrorUrl": "",
             "ServiceRole": cmd["ServiceRole"],
             "CloudWatchOutputConfig": copy.deepcopy(cmd["CloudWatchOutputConfig"])}
        if cmd.get("NotificationConfig"):
            d["NotificationConfig"] = copy.deepcopy(cmd["NotificationConfig"])
        plugins = self._plugins(st, cmd, inv)
        for p, runs in plugins:
            if runs and "StandardOutputUrl" in p:
                d["StandardOutputUrl"], d["StandardErrorUrl"] = p["StandardOutputUrl"], p["StandardErrorUrl"]
        if details:
            d["CommandPlugins"] = [p for p, _ in plugins]
        return d

    @staticmethod
    def _command_filters(body, allow_stage):
        out = []
        for f in body.get("Filters", []):
            key, value = f["key"], f["value"]
            if key == "ExecutionStage" and not allow_stage:
                raise SSMError("InvalidFilterKey", "The ExecutionStage filter can't be used with "
                               "ListCommandInvocations.")
            if key in ("InvokedAfter", "InvokedBefore"):
                t = parse_time(value)
                if t is None:
                    raise validation("Invalid filter value %s for %s." % (value, key))
                out.append((key, t))
            else:
                out.append((key, value))
        return out

    @staticmethod
    def _status_matches(status, details, want):
        w = want.replace(" ", "").lower()
        if w == "timedout":
            return status == "TimedOut"
        return w in (status.lower(), details.replace(" ", "").lower())

    def _commands_for(self, st, body, allow_stage):
        cmds = sorted(st.commands.values(), key=lambda c: -c["RequestedDateTime"])
        if body.get("CommandId"):
            cmds = [c for c in cmds if c["CommandId"] == body["CommandId"]]
        if body.get("InstanceId"):
            cmds = [c for c in cmds if any(i["InstanceId"] == body["InstanceId"]
                                           for i in c["_invocations"])]
        filters = self._command_filters(body, allow_stage)
        for key, v in filters:
            if key == "InvokedAfter":
                cmds = [c for c in cmds if c["RequestedDateTime"] >= v]
            elif key == "InvokedBefore":
                cmds = [c for c in cmds if c["RequestedDateTime"] <= v]
            elif key == "DocumentName":
                cmds = [c for c in cmds if c["DocumentName"] == v]
        return cmds, filters

    def op_ListCommands(self, st, account, region, body):
        cmds, filters = self._commands_for(st, body, True)
        self._progress(st, account, region, cmds)
        for key, v in filters:
            if key == "Status":
                cmds = [c for c in cmds if self._status_matches(c["Status"], c["StatusDetails"], v)]
            elif key == "ExecutionStage":
                want_done = v == "Complete"
                cmds = [c for c in cmds if (c["Status"] in TERMINAL) == want_done]
        page, tok = paginate(cmds, body, "ListCommands", 50, "InvalidNextToken")
        return page_out("Commands", [self._command_out(c) for c in page], tok)

    def op_ListCommandInvocations(self, st, account, region, body):
        cmds, filters = self._commands_for(st, body, False)
        self._progress(st, account, region, cmds)
        rows = []
        for c in cmds:
            for inv in c["_invocations"]:
                if body.get("InstanceId") and inv["InstanceId"] != body["InstanceId"]:
                    continue
                rows.append((c, inv))
        for key, v in filters:
            if key == "Status":
                rows = [(c, i) for c, i in rows
                        if self._status_matches(i["Status"], i["StatusDetails"], v)]
        page, tok = paginate(rows, body, "ListCommandInvocations", 50, "InvalidNextToken")
        return page_out("CommandInvocations",
                        [self._invocation_out(st, c, i, bool(body.get("Details")))
                         for c, i in page], tok)

    def op_GetCommandInvocation(self, st, account, region, body):
        cmd = st.commands.get(body["CommandId"])
        inv = None
        if cmd is not None:
            inv = next((i for i in cmd["_invocations"] if i["InstanceId"] == body["InstanceId"]), None)
        if inv is None:
            raise SSMError("InvocationDoesNotExist", "An invocation of command %s on instance %s "
                           "does not exist." % (body["CommandId"], body["InstanceId"]))
        self._progress(st, account, region, [cmd])
        plugins = self._plugins(st, cmd, inv)
        if body.get("PluginName"):
            chosen = next((p for p, _ in plugins if p["Name"] == body["PluginName"]), None)
            if chosen is None:
                raise SSMError("InvalidPluginName", "The plugin name %s is not valid."
                               % body["PluginName"])
        else:
            chosen = next((p for p, runs in plugins if runs), plugins[0][0])
        d = {"CommandId": cmd["CommandId"], "InstanceId": inv["InstanceId"], "Comment": cmd["Comment"],
             "DocumentName": cmd["DocumentName"], "DocumentVersion": "1", "PluginName": chosen["Name"],
             "ResponseCode": chosen.get("ResponseCode", -1), "Status": chosen.get("Status", inv["Status"]),
             "StatusDetails": chosen.get("StatusDetails", inv["StatusDetails"]),
             "StandardOutputContent": chosen.get("Output", ""),
             "StandardOutputUrl": chosen.get("StandardOutputUrl", ""),
             "StandardErrorContent": "", "StandardErrorUrl": chosen.get("StandardErrorUrl", ""),
             "CloudWatchOutputConfig": copy.deepcopy(cmd["CloudWatchOutputConfig"]),
             "ExecutionStartDateTime": "", "ExecutionElapsedTime": "", "ExecutionEndDateTime": ""}
        if "ResponseStartDateTime" in chosen:
            s, e = chosen["ResponseStartDateTime"], chosen["ResponseFinishDateTime"]
            d.update(ExecutionStartDateTime=iso_utc(s, millis=True),
                     ExecutionElapsedTime=_elapsed(s, e), ExecutionEndDateTime=iso_utc(e, millis=True))
        elif inv["Status"] == "InProgress":
            d["ExecutionStartDateTime"] = iso_utc(inv["start"], millis=True)
        return d

    # -- maintenance window executions

    def run_due(self, since, until):
        """Run every enabled window of every account and region whose schedule has an
        occurrence in (since, until], at those times (at most RUN_DUE_CAP per window)."""
        due = []
        for (account, region), st in self.states.items():
            for w in st.windows.values():
                if not w.get("Enabled", True):
                    continue
                for t in itertools.islice(occurrences(w, since), RUN_DUE_CAP):
                    if t > until:
                        break
                    due.append((t, account, region, w["WindowId"]))
        due.sort()
        return [dict(self.run_window(self.state(a, r), a, r, wid, at=t), account=a, region=r)
                for t, a, r, wid in due]

    def run_window(self, st, account, region, window_id, at=None):
        """Control endpoint: run a maintenance window now (or at the scheduled time `at`).
        Returns the execution."""
        w = st.windows.get(window_id)
        if w is None:
            raise ControlError("no maintenance window %s in %s/%s" % (window_id, account, region))
        if not w.get("Enabled", True):
            raise ControlError("maintenance window %s is disabled: SSM does not run it" % window_id)
        if at is None:
            start = self._tick()
        else:
            start = max(at, round(self._last_time + 0.001, 3))
            self._last_time = start
        ex = {"WindowExecutionId": self._uuid(), "WindowId": window_id, "StartTime": start,
              "Status": "IN_PROGRESS", "_tasks": []}
        st.executions[ex["WindowExecutionId"]] = ex
        order = sorted(enumerate(w["_tasks"].values()), key=lambda it: (it[1].get("Priority", 1), it[0]))
        t, end = start, start
        prio = None
        for _, task in order:
            if prio is not None and task.get("Priority", 1) != prio:
                t = end  # the next priority starts when the previous ones have finished
            prio = task.get("Priority", 1)
            te = self._run_task(st, account, region, w, ex, task, t)
            end = max(end, te["EndTime"])
        ex["EndTime"] = max(end, start)
        failed = [te for te in ex["_tasks"] if te["Status"] != "SUCCESS"]
        if failed:
            ex.update(Status="FAILED", StatusDetails="One or more tasks in the orchestration failed.")
        elif not ex["_tasks"]:
            ex.update(Status="SUCCESS", StatusDetails="No tasks to execute.")
        else:
            ex["Status"] = "SUCCESS"
        self._catch_up(ex["EndTime"])
        return self._execution_out(ex)

    def _task_instances(self, st, w, task):
        """(instance ID, window target ID or None, owner information) for each target."""
        out, seen = [], set()
        for tg in task.get("Targets") or []:
            if tg["Key"] == "WindowTargetIds":
                for wtid in tg["Values"]:
                    wt = w["_targets"].get(wtid)
                    if wt is None or wt["ResourceType"] != "INSTANCE":
                        continue
                    for iid in resolve_targets(st, wt["Targets"]):
                        if iid not in seen:
                            seen.add(iid)
                            out.append((iid, wtid, wt.get("OwnerInformation")))
            elif tg["Key"] == "InstanceIds":
                for iid in tg["Values"]:
                    if iid in st.instances and iid not in seen:
                        seen.add(iid)
                        out.append((iid, None, None))
        return out

    def _run_task(self, st, account, region, w, ex, task, start):
        te = {"WindowExecutionId": ex["WindowExecutionId"], "TaskExecutionId": self._uuid(),
              "TaskArn": task["TaskArn"], "TaskType": task["TaskType"], "StartTime": start,
              "Priority": task.get("Priority", 1), "MaxConcurrency": task.get("MaxConcurrency", "1"),
              "MaxErrors": task.get("MaxErrors", "1"), "ServiceRole": task.get("ServiceRoleArn", ""),
              "_invocations": [], "_window_task_id": task["WindowTaskId"]}
        if task.get("AlarmConfiguration"):
            te["AlarmConfiguration"] = copy.deepcopy(task["AlarmConfiguration"])
        ex["_tasks"].append(te)
        rc = (task.get("TaskInvocationParameters") or {}).get("RunCommand") or {}
        params = rc.get("Parameters")
        if params is None and task.get("TaskParameters"):
            params = {k: v.get("Values", []) for k, v in task["TaskParameters"].items()}
        te["TaskParameters"] = [{k: {"Values": list(v)} for k, v in (params or {}).items()}]
        targets = self._task_instances(st, w, task)
        if task["TaskType"] != "RUN_COMMAND":
            self._run_other_task(te, task, targets, start)
            return te
        bucket = rc.get("OutputS3BucketName") or (task.get("LoggingInfo") or {}).get("S3BucketName")
        prefix = rc.get("OutputS3KeyPrefix") if rc.get("OutputS3BucketName") else \
            (task.get("LoggingInfo") or {}).get("S3KeyPrefix")
        s3_region = (task.get("LoggingInfo") or {}).get("S3Region") if not rc.get("OutputS3BucketName") \
            else None
        n = len(targets)
        conc = _limit(te["MaxConcurrency"], n, 1)
        allowed = _limit(te["MaxErrors"], n, 0)
        errors, t, end = 0, start, start
        try:
            doc = self._document(task["TaskArn"])
        except SSMError:
            doc = None
        for b in range(0, n, conc):
            if errors > allowed:
                break
            batch_end = t
            for iid, wtid, owner in targets[b:b + conc]:
                inv = self._mw_invocation(st, account, region, te, task, rc, doc, params, bucket, prefix,
                                          s3_region, iid, wtid, owner, t)
                batch_end = max(batch_end, inv["EndTime"])
                if inv["Status"] != "SUCCESS":
                    errors += 1
            t = end = batch_end
        te["EndTime"] = end
        if errors:
            te["Status"] = "FAILED"
            te["StatusDetails"] = ("The maximum number of errors (%s) was exceeded." % te["MaxErrors"]
                                   if errors > allowed else "One or more invocations failed.")
        else:
            te["Status"] = "SUCCESS"
        return te

    def _add_invocation(self, te, start, params, wtid, owner):
        """A new invocation of task execution `te` (recorded in it)."""
        inv = {"WindowExecutionId": te["WindowExecutionId"], "TaskExecutionId": te["TaskExecutionId"],
               "InvocationId": self._uuid(), "TaskType": te["TaskType"], "StartTime": start}
        _set_present(inv, Parameters=params, WindowTargetId=wtid, OwnerInformation=owner)
        te["_invocations"].append(inv)
        return inv

    def _run_other_task(self, te, task, targets, start):
        """AUTOMATION / LAMBDA / STEP_FUNCTIONS: one successful invocation per target."""
        tip = (task.get("TaskInvocationParameters") or {})
        params = json.dumps(tip, sort_keys=True, separators=(",", ":"), default=str) if tip else None
        t = start
        for iid, wtid, owner in targets or [(None, None, None)]:
            inv = self._add_invocation(te, t, params, wtid, owner)
            inv.update(ExecutionId=self._uuid(), Status="SUCCESS", StatusDetails="Success",
                       EndTime=t + INVOCATION_SECONDS)
            t += INVOCATION_SECONDS
        te["EndTime"] = t
        te["Status"] = "SUCCESS"

    def _mw_invocation(self, st, account, region, te, task, rc, doc, params, bucket, prefix, s3_region,
                       iid, wtid, owner, start):
        pj = {"comment": rc.get("Comment", ""), "documentName": task["TaskArn"], "instanceIds": [iid],
              "maxConcurrency": te["MaxConcurrency"], "maxErrors": te["MaxErrors"],
              "parameters": params or {}, "timeoutSeconds": rc.get("TimeoutSeconds", 600)}
        if bucket:
            _set_present(pj, outputS3BucketName=bucket, outputS3KeyPrefix=prefix)
        _set_present(pj, documentVersion=rc.get("DocumentVersion"),
                     serviceRoleArn=rc.get("ServiceRoleArn"))
        inv = self._add_invocation(te, start, json.dumps(pj, sort_keys=True, separators=(",", ":")),
                                   wtid, owner)
        if doc is None:
            inv.update(Status="FAILED", StatusDetails="InvalidDocument", EndTime=start)
            return inv
        req = {"DocumentName": doc, "InstanceIds": [iid], "Parameters": params or {},
               "Comment": rc.get("Comment", ""), "TimeoutSeconds": rc.get("TimeoutSeconds", 600),
               "MaxConcurrency": te["MaxConcurrency"], "MaxErrors": te["MaxErrors"]}
        if bucket:
            _set_present(req, OutputS3BucketName=bucket, OutputS3KeyPrefix=prefix,
                         OutputS3Region=s3_region)
        _set_present(req, ServiceRoleArn=rc.get("ServiceRoleArn"))
        if doc == "AWS-RunPatchBaseline":
            try:
                self._patch_params(params)
            except SSMError as e:
                inv.update(Status="FAILED", StatusDetails=e.message[:250], EndTime=start)
                return inv
        cmd = self._new_command(st, account, region, req, [iid], start)
        ci = cmd["_invocations"][0]
        self._invocation_started(cmd, ci, start)
        self._run_invocation(st, account, region, cmd, ci, start)
        self._command_status(cmd)
        cmd["_steps"] = 2
        inv["ExecutionId"] = cmd["CommandId"]
        inv["EndTime"] = ci["end"]
        inv["Status"] = {"Success": "SUCCESS", "Failed": "FAILED", "TimedOut": "TIMED_OUT"}[ci["Status"]]
        inv["StatusDetails"] = ci["StatusDetails"]
        return inv

    def _execution_out(self, ex):
        return {k: v for k, v in ex.items() if not k.startswith("_")}

    @staticmethod
    def _task_identity(te):
        d = {k: te[k] for k in ("WindowExecutionId", "TaskExecutionId", "Status", "StartTime",
                                "TaskArn", "TaskType") if k in te}
        for k in ("StatusDetails", "EndTime", "AlarmConfiguration"):
            if k in te:
                d[k] = copy.deepcopy(te[k])
        return d

    @staticmethod
    def _mw_status_filter(items, body, what):
        for f in body.get("Filters", []):
            if f.get("Key") != "STATUS":
                raise validation("Invalid filter key %s: the supported key for %s is STATUS."
                                 % (f.get("Key"), what))
            vals = f.get("Values") or []
            items = [i for i in items if i["Status"] in vals]
        return items

    def op_DescribeMaintenanceWindowExecutions(self, st, account, region, body):
        items = [e for e in st.executions.values() if e["WindowId"] == body["WindowId"]]
        for key, t in time_filters(body.get("Filters"), ("ExecutedBefore", "ExecutedAfter")):
            if key == "ExecutedBefore":
                items = [e for e in items if e["StartTime"] <= t]
            else:
                items = [e for e in items if e["StartTime"] >= t]
        items.sort(key=lambda e: -e["StartTime"])  # newest first, as the console and API list them
        page, tok = paginate(items, body, "DescribeMaintenanceWindowExecutions", 50)
        return page_out("WindowExecutions", [self._execution_out(e) for e in page], tok)

    def _execution(self, st, weid):
        ex = st.executions.get(weid)
        if ex is None:
            raise SSMError("DoesNotExistException",
                           "Maintenance window execution %s does not exist" % weid)
        return ex

    def _task_execution(self, st, weid, tid):
        ex = self._execution(st, weid)
        te = next((t for t in ex["_tasks"] if t["TaskExecutionId"] == tid), None)
        if te is None:
            raise SSMError("DoesNotExistException", "Maintenance window task execution %s does not "
                           "exist in execution %s" % (tid, weid))
        return te

    def op_GetMaintenanceWindowExecution(self, st, account, region, body):
        ex = self._execution(st, body["WindowExecutionId"])
        out = {k: ex[k] for k in ("WindowExecutionId", "Status", "StatusDetails", "StartTime", "EndTime")
               if k in ex}
        out["TaskIds"] = [t["TaskExecutionId"] for t in ex["_tasks"]]
        return out

    def op_DescribeMaintenanceWindowExecutionTasks(self, st, account, region, body):
        ex = self._execution(st, body["WindowExecutionId"])
        items = self._mw_status_filter(list(ex["_tasks"]), body, "DescribeMaintenanceWindowExecutionTasks")
        page, tok = paginate(items, body, "DescribeMaintenanceWindowExecutionTasks", 50)
        return page_out("WindowExecutionTaskIdentities", [self._task_identity(t) for t in page], tok)

    def op_GetMaintenanceWindowExecutionTask(self, st, account, region, body):
        te = self._task_execution(st, body["WindowExecutionId"], body["TaskId"])
        out = {k: copy.deepcopy(te[k]) for k in ("WindowExecutionId", "TaskExecutionId", "TaskArn",
                                                  "ServiceRole", "TaskParameters", "Priority",
                                                  "MaxConcurrency", "MaxErrors", "Status", "StatusDetails",
                                                  "StartTime", "EndTime", "AlarmConfiguration")
               if k in te and te[k] != ""}
        out["Type"] = te["TaskType"]
        return out

    def op_DescribeMaintenanceWindowExecutionTaskInvocations(self, st, account, region, body):
        te = self._task_execution(st, body["WindowExecutionId"], body["TaskId"])
        items = self._mw_status_filter(list(te["_invocations"]), body,
                                       "DescribeMaintenanceWindowExecutionTaskInvocations")
        page, tok = paginate(items, body, "DescribeMaintenanceWindowExecutionTaskInvocations", 50)
        return page_out("WindowExecutionTaskInvocationIdentities", copy.deepcopy(page), tok)

    def op_GetMaintenanceWindowExecutionTaskInvocation(self, st, account, region, body):
        te = self._task_execution(st, body["WindowExecutionId"], body["TaskId"])
        inv = next((i for i in te["_invocations"] if i["InvocationId"] == body["InvocationId"]), None)
        if inv is None:
            raise SSMError("DoesNotExistException", "Maintenance window task invocation %s does not "
                           "exist" % body["InvocationId"])
        return copy.deepcopy(inv)

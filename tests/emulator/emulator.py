"""emulator.py - test fixture that runs the SSM/STS emulator (server.py) as a subprocess.

    from emulator import Emulator
    with Emulator(latency_ms=5, check_sigv4=True) as emu:
        env = emu.env()                  # AWS_* variables for a provider/terraform run
        emu.ssm("CreatePatchBaseline", {"Name": "drift"})   # direct API call (drift)
        inv = emu.inventory()            # what exists, per account and region
        emu.configure(error_rate=0.2)    # change faults live

The server binds 127.0.0.1 port 0; the chosen port is read from the port file (and
the "listening on" line on stdout), then /_emulator/health is polled until it answers.
stop() asks the server to shut down, then terminates (and at last kills) the process
it started — only that process. The server's stderr goes to ``log_path`` so a failing
test can show it.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "server.py")
PYTHON = "/usr/bin/python3"
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
DEFAULT_SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


class SSMError(Exception):
    """An error answer from the emulator's SSM API."""

    def __init__(self, status, code, message, body=b""):
        super().__init__("%s %s: %s" % (status, code, message))
        self.status = status
        self.code = code
        self.message = message
        self.body = body


class Emulator:
    def __init__(self, *, region="us-east-1", account=DEFAULT_ACCOUNT, latency_ms=0,
                 throttle_rate=0.0, error_rate=0.0, seed=None, check_sigv4=False,
                 namespaced_errors=False, delete_missing="success", self_check=True,
                 patch_states="model", command_progress="poll",
                 keys=(), extra_args=(), start_timeout=20.0):
        self.region = region
        self.account = account
        self.access_key = DEFAULT_ACCESS_KEY
        self.secret_key = DEFAULT_SECRET_KEY
        self.check_sigv4 = check_sigv4
        self._args = ["--region", region, "--account", account,
                      "--latency-ms", str(latency_ms), "--throttle-rate", str(throttle_rate),
                      "--error-rate", str(error_rate), "--delete-missing", delete_missing,
                      "--patch-states", patch_states, "--command-progress", command_progress]
        if seed is not None:
            self._args += ["--seed", str(seed)]
        if check_sigv4:
            self._args.append("--check-sigv4")
        if namespaced_errors:
            self._args.append("--namespaced-errors")
        if self_check:
            self._args.append("--self-check")
        for ak, sk, acct in keys:
            self._args += ["--key", "%s:%s:%s" % (ak, sk, acct)]
        self._args += list(extra_args)
        self._timeout = start_timeout
        self.proc = None
        self.port = None
        self._tmp = None
        self.log_path = None

    # ---- lifecycle ------------------------------------------------------------------

    def start(self):
        self._tmp = tempfile.mkdtemp(prefix="ssm-emulator-")
        port_file = os.path.join(self._tmp, "port")
        self.log_path = os.path.join(self._tmp, "server.log")
        log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(
                [PYTHON, SERVER, "--port", "0", "--port-file", port_file] + self._args,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log)
        finally:
            log.close()
        deadline = time.monotonic() + self._timeout
        line = self.proc.stdout.readline().decode().strip()
        if not line.startswith("listening on "):
            self._kill()
            raise RuntimeError("emulator did not start: %r\n%s" % (line, self.log()))
        self.port = int(line.rsplit(":", 1)[1])
        with open(port_file) as f:
            assert int(f.read().strip()) == self.port
        while True:
            try:
                self._test("GET", "health")
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self._kill()
                    raise RuntimeError("emulator not ready\n%s" % self.log())
                time.sleep(0.05)
        return self

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self._test("POST", "shutdown", timeout=2)
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._kill()

    def _kill(self):
        p, self.proc = self.proc, None
        if p is None:
            return
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if p.stdout:
            p.stdout.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except (OSError, TypeError):
            return ""

    # ---- addresses and environment ----------------------------------------------------

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def env(self, base=None):
        """Environment for a process (provider, terraform) that should use this emulator."""
        e = dict(os.environ if base is None else base)
        e.update({"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key,
                  "AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region,
                  "AWS_ENDPOINT_URL_SSM": self.url, "AWS_ENDPOINT_URL_STS": self.url,
                  "AWS_EC2_METADATA_DISABLED": "true"})
        e.pop("AWS_SESSION_TOKEN", None)
        e.pop("AWS_PROFILE", None)
        return e

    # ---- test-only endpoints -------------------------------------------------------------

    def _test(self, method, name, body=None, timeout=10):
        data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
        req = urllib.request.Request("%s/_emulator/%s" % (self.url, name), data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read())

    @staticmethod
    def _query(**params):
        q = urllib.parse.urlencode({k: v for k, v in params.items() if v})
        return "?" + q if q else ""

    def inventory(self, account=None, region=None):
        """All customer-created objects. With account (and region, default the emulator's)
        returns just that region's dict (empty collections when nothing exists)."""
        if account is None and region is None:
            return self._test("GET", "inventory")
        account, region = account or self.account, region or self.region
        inv = self._test("GET", "inventory" + self._query(account=account, region=region))
        got = inv.get(account, {}).get(region)
        return got or {"patch_baselines": {}, "patch_groups": [], "default_baselines": {},
                       "maintenance_windows": {}}

    def inventory_where(self, account=None, region=None):
        """The inventory dump ({account: {region: ...}}) of one account and/or region."""
        return self._test("GET", "inventory" + self._query(account=account, region=region))

    def reset(self, state=True, calls=None, account=None, region=None):
        """Forget everything (state and call counters), or with account and/or region only
        those states (the counters stay unless calls=True)."""
        scoped = bool(account or region)
        body = {"state": state, "calls": (not scoped) if calls is None else calls}
        if scoped:
            body.update(account=account, region=region)
        return self._test("POST", "reset", body)

    def calls(self, log=False, account=None, region=None):
        """Call counters (and the log); with account and/or region only the requests
        made as that account / in that region."""
        return self._test("GET", "calls" + self._query(log="1" if log else None, account=account,
                                                      region=region))

    # ---- the patching simulation (control endpoints; tests/emulator/README.md) -----------

    def _scoped(self, body, account, region):
        body = dict(body)
        body.update(account=account or self.account, region=region or self.region)
        return body

    def clock(self, **changes):
        """Read the emulator clock, or change it: set=ISO|epoch, advance=seconds,
        freeze=bool, real=True, run_due=True (run the windows that came due)."""
        return self._test("POST", "clock", changes) if changes else self._test("GET", "clock")

    def add_patches(self, patches, replace=False):
        """Add patches to the catalog; returns their IDs."""
        return self._test("POST", "catalog", {"patches": patches, "replace": replace})["patches"]

    def patches(self):
        return self._test("GET", "catalog")["patches"]

    def add_instances(self, instances, account=None, region=None, replace=False):
        """Add managed instances ({OperatingSystem, Tags, PingStatus, Installed, ...});
        returns their IDs."""
        return self._test("POST", "instances", self._scoped(
            {"instances": instances, "replace": replace}, account, region))["InstanceIds"]

    def instances(self, account=None, region=None):
        return self._test("GET", "instances" + self._query(
            account=account or self.account, region=region or self.region))["instances"]

    def update_instances(self, instance_ids, account=None, region=None, **changes):
        """PingStatus=..., Tags={k: v or None}, reboot=True."""
        return self._test("POST", "instances/update", self._scoped(
            dict(changes, InstanceIds=list(instance_ids)), account, region))

    def fail_instances(self, instance_ids, operation="Install", times=None, message=None,
                       patch_ids=None, clear=False, account=None, region=None):
        """Make instances fail their next AWS-RunPatchBaseline `operation` (Install, Scan or
        Any); times=None: every time until cleared; patch_ids: only those patches fail."""
        body = {"InstanceIds": list(instance_ids), "operation": operation, "times": times,
                "clear": clear}
        if message:
            body["message"] = message
        if patch_ids:
            body["patch_ids"] = list(patch_ids)
        return self._test("POST", "instances/fail", self._scoped(body, account, region))

    def run_window(self, window_id, account=None, region=None):
        """Run a maintenance window now; returns the execution (WindowExecutionId, Status...)."""
        return self._test("POST", "windows/run", self._scoped({"WindowId": window_id}, account,
                                                               region))

    def advance_commands(self, command_id=None, steps=None, account=None, region=None):
        """Move Run Command commands on `steps` steps (None: to the end)."""
        body = {"steps": steps}
        if command_id:
            body["CommandId"] = command_id
        return self._test("POST", "commands/advance", self._scoped(body, account, region))["commands"]

    def fleet(self, account=None, region=None):
        """Instances with their patch states, commands and window executions of a region."""
        return self._test("GET", "fleet" + self._query(account=account or self.account,
                                                       region=region or self.region))

    def configure(self, **settings):
        return self._test("POST", "config", settings)

    def config(self):
        return self._test("GET", "config")

    # ---- direct API calls ----------------------------------------------------------------

    def _signed(self, body, headers, credentials):
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        ak, sk, token = credentials
        req = AWSRequest(method="POST", url=self.url + "/", data=body, headers=headers)
        service = "sts" if "X-Amz-Target" not in headers else "ssm"
        SigV4Auth(Credentials(ak, sk, token), service, self.region).add_auth(req)
        return dict(req.headers.items())

    def _post(self, body, headers, credentials, timeout):
        creds = credentials or (self.access_key, self.secret_key, None)
        if len(creds) == 2:
            creds = (creds[0], creds[1], None)
        headers = self._signed(body, headers, creds)
        req = urllib.request.Request(self.url + "/", data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read(), dict(r.headers.items())
        except urllib.error.HTTPError as e:
            return e.code, e.read(), dict(e.headers.items())

    def ssm(self, op, body=None, *, credentials=None, timeout=30):
        """Call SSM operation `op` with the JSON body (always SigV4-signed with the static
        test key or `credentials` = (access key, secret, token)). Returns the decoded
        response; raises SSMError for an error answer."""
        raw = json.dumps(body or {}).encode()
        status, data, _ = self._post(raw, {"X-Amz-Target": "AmazonSSM." + op,
                                           "Content-Type": "application/x-amz-json-1.1"},
                                     credentials, timeout)
        if status == 200:
            return json.loads(data)
        try:
            err = json.loads(data)
            code = err.get("__type", "").rsplit("#", 1)[-1]
            msg = err.get("message") or err.get("Message", "")
        except ValueError:
            code, msg = "HTTP%d" % status, data.decode("utf-8", "replace")[:200]
        raise SSMError(status, code, msg, data)

    def assume_role(self, role_arn, session="emulator", credentials=None):
        """STS AssumeRole; returns (access key, secret, token)."""
        import re
        import urllib.parse
        form = urllib.parse.urlencode({"Action": "AssumeRole", "Version": "2011-06-15",
                                       "RoleArn": role_arn, "RoleSessionName": session}).encode()
        status, data, _ = self._post(form, {"Content-Type":
                                            "application/x-www-form-urlencoded; charset=utf-8"},
                                     credentials, 30)
        text = data.decode()
        if status != 200:
            raise SSMError(status, re.search(r"<Code>(.*?)</Code>", text).group(1), text, data)

        def tag(name):
            return re.search(r"<%s>(.*?)</%s>" % (name, name), text).group(1)
        return tag("AccessKeyId"), tag("SecretAccessKey"), tag("SessionToken")


if __name__ == "__main__":  # manual smoke run: python3 emulator.py
    with Emulator() as emu:
        print(emu.url, emu.ssm("GetDefaultPatchBaseline", {}), file=sys.stderr)

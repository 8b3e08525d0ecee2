"""ssm_endpoint.py - the SSM endpoint every acceptance test runs against.

The project rule: the same acceptance tests run unchanged against the local
emulator (tests/emulator, the default) or against another endpoint named by
environment variables - a real account or another emulator:

    SSMPATCH_TEST_ENDPOINT       URL of the SSM endpoint (unset: start the local emulator)
    SSMPATCH_TEST_STS_ENDPOINT   URL of STS (default: AWS's regional STS when the SSM
                                 URL is *.amazonaws.com, else SSMPATCH_TEST_ENDPOINT)
    AWS_REGION                   region of the external endpoint (required with it)
    AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN   its credentials

``SsmEndpoint`` hides the difference:

- ``url``, ``sts_url``, ``region``, ``account`` (the emulator's, or STS
  GetCallerIdentity's), ``emulator`` (None when external), ``is_emulator``;
- ``provider_config(**extra)``: the provider block for the harness (endpoints,
  region, credentials); ``terraform_vars()``/``terraform_env()`` the same for the
  real CLI (examples/quickstart variables);
- ``call(op, body)`` / ``call_error(op, body)`` / ``pages(op, body, key)``: SSM
  calls made outside Terraform (drift, checks). Both kinds of endpoint go
  through botocore (pointed at the emulator's URL for the emulator, rather
  than emulator.ssm()'s raw JSON), so answers decode the same way
  (timestamps, blobs) and AWS error answers raise ``SsmApiError`` (``.code``,
  ``.status``, ``.message``) whichever endpoint answered;
- ``name(label)``: a name carrying this run's prefix (``ssmpt-<8 hex>-``). Every
  object a test creates is named through it, so parallel runs and a real
  account's unrelated objects never collide with or get counted as ours;
- ``objects()``: this run's baselines, patch groups and windows (with their
  targets and tasks) in the emulator's inventory() shape - from inventory() on
  the emulator (which holds nothing but this run's objects), from
  DescribePatchBaselines(OWNER=Self) / DescribePatchGroups /
  DescribeMaintenanceWindows filtered by the run prefix on an external endpoint;
- ``assert_clean()``: nothing of this run is left (on the emulator: nothing at
  all, in any account or region);
- ``requires_emulator(reason)``: pytest.skip outside the emulator (fault
  injection, whole-inventory dumps);
- ``requires_account_wide(reason)``: skip on an external endpoint unless
  SSMPATCH_TEST_ACCOUNT_WIDE=1 (tests that change account-wide settings such
  as the region's default patch baseline);
- ``begin_test()``: empties the emulator and drops pending fault injections
  (nothing on an external endpoint);
- ``seed_fleet(**kw)``: the seed's STG/PRD managed instances and patch catalog in the
  local emulator (tests/emulator/seed_fleet.py; skips on an external endpoint);
- ``count(inventory, kind)``: objects of a kind in an emulator inventory() dump;
- ``cleanup(names=None)``: best-effort removal of this run's objects (all of
  them, or those of the given names); run at session end on external endpoints.

``endpoint_fixture(name, provider_defaults, **emulator_kwargs)`` builds the session fixture every
conftest uses (tests/e2e, tests/protocol, tests/terraform).

Limits: objects() on an external endpoint reads at most 100 pages of each
Describe call (10,000 objects), plenty for one run's handful.
"""

import itertools
import os
import sys
import threading
import urllib.parse

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
EMULATOR_DIR = os.path.join(TESTS, "emulator")

ENV_ENDPOINT = "SSMPATCH_TEST_ENDPOINT"
ENV_STS_ENDPOINT = "SSMPATCH_TEST_STS_ENDPOINT"
MAX_PAGES = 100


class SsmApiError(Exception):
    """An AWS error answer to a direct SSM call, from either kind of endpoint."""

    def __init__(self, status, code, message):
        super().__init__("%s %s: %s" % (status, code, message))
        self.status = status
        self.code = code
        self.message = message


def external_url():
    """The external endpoint's URL, or None when the local emulator is used."""
    return os.environ.get(ENV_ENDPOINT) or None


def default_sts_url(ssm_url):
    """STS endpoint for an external SSM endpoint: SSMPATCH_TEST_STS_ENDPOINT if
    set; else None (AWS's regional STS) when the SSM URL is AWS's own, since
    ssm.<region>.amazonaws.com does not answer STS; else the SSM URL itself
    (another emulator serves both)."""
    if os.environ.get(ENV_STS_ENDPOINT):
        return os.environ[ENV_STS_ENDPOINT]
    host = urllib.parse.urlsplit(ssm_url).hostname or ""
    if host.endswith(".amazonaws.com") or host.endswith(".amazonaws.com.cn"):
        return None
    return ssm_url


def _snake(op):
    return "".join("_" + c.lower() if c.isupper() else c for c in op).lstrip("_")


class SsmEndpoint:
    """Where the provider's SSM/STS calls go (see the module comment)."""

    def __init__(self, url, emulator=None, region=None, provider_defaults=None):
        self.url = url
        self.emulator = emulator
        self.sts_url = url if emulator is not None else default_sts_url(url)
        if emulator is not None:
            self.region = emulator.region
        else:
            self.region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
            if not self.region:
                raise RuntimeError("%s is set but AWS_REGION is not" % ENV_ENDPOINT)
        self.provider_defaults = dict(provider_defaults or {})
        self.prefix = "ssmpt-%s-" % os.urandom(4).hex()
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self._clients = {}
        self._account = emulator.account if emulator is not None else None

    @property
    def is_emulator(self):
        return self.emulator is not None

    # ---- credentials and provider configuration ------------------------------------------

    def credentials(self):
        """(access key, secret key, session token or None); None values when the
        external endpoint's credentials are left to botocore's/provider's chain."""
        if self.emulator is not None:
            return self.emulator.access_key, self.emulator.secret_key, None
        return (os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY"),
                os.environ.get("AWS_SESSION_TOKEN") or None)

    def provider_config(self, **extra):
        """The provider block (harness form) for this endpoint; `extra` overrides."""
        endpoints = {"ssm": self.url}
        if self.sts_url:
            endpoints["sts"] = self.sts_url
        cfg = {"endpoints": [endpoints], "region": self.region}
        ak, sk, token = self.credentials()
        if ak and sk:
            cfg.update(access_key=ak, secret_key=sk)
        if token:
            cfg["token"] = token
        cfg.update(self.provider_defaults)
        cfg.update(extra)
        return cfg

    def terraform_vars(self):
        """-var arguments for examples/quickstart (endpoint, region, keys)."""
        args = ["-var", "endpoint=%s" % self.url, "-var", "region=%s" % self.region]
        if self.sts_url != self.url:
            args += ["-var", "sts_endpoint=%s" % (self.sts_url or "")]  # "": AWS's STS
        if self.emulator is None:
            args += ["-var", "name_prefix=%s" % self.prefix]  # this run's objects only
        ak, sk, _ = self.credentials()
        if ak and sk:
            args += ["-var", "access_key=%s" % ak, "-var", "secret_key=%s" % sk]
        return args

    def terraform_env(self):
        """Extra environment for a terraform run (the session token, if any, is
        already in the inherited AWS_SESSION_TOKEN)."""
        return {}

    # ---- direct API calls ------------------------------------------------------------------

    def client(self, service="ssm", region=None):
        """A botocore client for this endpoint (cached; botocore clients are thread-safe),
        signing for `region` (default: the endpoint's)."""
        region = region or self.region
        with self._lock:
            c = self._clients.get((service, region))
            if c is None:
                import botocore.config
                import botocore.session
                ak, sk, token = self.credentials()
                kw = {}
                if ak and sk:
                    kw = {"aws_access_key_id": ak, "aws_secret_access_key": sk,
                          "aws_session_token": token}
                c = botocore.session.get_session().create_client(
                    service, region_name=region,
                    endpoint_url=self.url if service == "ssm" else self.sts_url,  # None: AWS's
                    config=botocore.config.Config(retries={"mode": "standard", "max_attempts": 5}),
                    **kw)
                self._clients[(service, region)] = c
            return c

    def call(self, op, body=None, region=None):
        """SSM operation `op` (API name, e.g. "GetMaintenanceWindow") with `body`,
        outside Terraform, in `region` (default: the endpoint's). Returns the answer
        without ResponseMetadata; raises SsmApiError for an AWS error answer."""
        from botocore.exceptions import ClientError
        try:
            out = getattr(self.client("ssm", region), _snake(op))(**(body or {}))
        except ClientError as e:
            err = e.response.get("Error", {})
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            raise SsmApiError(status, err.get("Code"), err.get("Message", "")) from None
        out.pop("ResponseMetadata", None)
        return out

    def call_error(self, op, body=None):
        """The AWS error code of a call expected to fail, or None if it worked."""
        try:
            self.call(op, body)
        except SsmApiError as e:
            return e.code
        return None

    @property
    def account(self):
        """The account the endpoint's credentials act as."""
        if self._account is None:
            self._account = self.client("sts").get_caller_identity()["Account"]
        return self._account

    # ---- names -------------------------------------------------------------------------------

    def name(self, label):
        """A name unique to this run and call: <run prefix><label>-<n>."""
        return "%s%s-%d" % (self.prefix, label, next(self._seq))

    def ours(self, name):
        return bool(name) and name.startswith(self.prefix)

    # ---- test boundaries -----------------------------------------------------------------------

    def requires_emulator(self, reason):
        """Skip the calling test outside the local emulator."""
        if self.emulator is None:
            pytest.skip("emulator-only: %s (%s is set)" % (reason, ENV_ENDPOINT))
        return self.emulator

    def requires_account_wide(self, reason):
        """Skip a test that changes account-wide settings (e.g. the region's default
        patch baseline) on an external endpoint, unless SSMPATCH_TEST_ACCOUNT_WIDE=1."""
        if self.emulator is None and os.environ.get("SSMPATCH_TEST_ACCOUNT_WIDE") != "1":
            pytest.skip("changes account-wide settings: %s (set SSMPATCH_TEST_ACCOUNT_WIDE=1 to "
                        "run it against %s)" % (reason, self.url))

    def begin_test(self):
        """Start a test from an empty emulator with no pending fault injection.
        On an external endpoint, nothing (its state is not ours to reset)."""
        if self.emulator is not None:
            self.emulator.reset()
            self.emulator.configure(inject=[])

    def seed_fleet(self, **kw):
        """The seed's fleet in the local emulator: STG/PRD x SCAN/INSTALL instances tagged
        as in the seed's table, and its patch catalog (tests/emulator/seed_fleet.py
        seed(); kw: per_group, catalog, prefix, account). Returns the instance IDs by
        patch group and role and the patch IDs. Skips the calling test on an external
        endpoint: managed instances and patches cannot be made through the SSM API."""
        emu = self.requires_emulator("seeds managed instances and a patch catalog")
        if EMULATOR_DIR not in sys.path:
            sys.path.insert(0, EMULATOR_DIR)
        import seed_fleet
        return seed_fleet.seed(emu, region=self.region, **kw)

    # ---- what exists -------------------------------------------------------------------------

    def pages(self, op, body, key):
        body = dict(body)
        for _ in range(MAX_PAGES):
            out = self.call(op, body)
            yield from out.get(key, [])
            if not out.get("NextToken"):
                return
            body["NextToken"] = out["NextToken"]
        raise AssertionError("%s: more than %d pages" % (op, MAX_PAGES))

    def _tags(self, rtype, rid):
        out = self.call("ListTagsForResource", {"ResourceType": rtype, "ResourceId": rid})
        return {t["Key"]: t["Value"] for t in out.get("TagList", [])}

    def objects(self):
        """This run's objects: {"patch_baselines": {id: GetPatchBaseline + "Tags"},
        "patch_groups": [{PatchGroup, OperatingSystem, BaselineId}],
        "maintenance_windows": {id: GetMaintenanceWindow + "Tags", "Targets": {id: target},
        "Tasks": {id: GetMaintenanceWindowTask}}} (the emulator inventory's shape)."""
        if self.emulator is not None:
            inv = self.emulator.inventory(self.emulator.account, self.region)
            return {k: inv.get(k) or ({} if k != "patch_groups" else [])
                    for k in ("patch_baselines", "patch_groups", "maintenance_windows")}
        out = {"patch_baselines": {}, "patch_groups": [], "maintenance_windows": {}}
        for b in self.pages("DescribePatchBaselines",
                             {"Filters": [{"Key": "OWNER", "Values": ["Self"]},
                                          {"Key": "NAME_PREFIX", "Values": [self.prefix]}],
                              "MaxResults": 100}, "BaselineIdentities"):
            if not self.ours(b.get("BaselineName")):
                continue
            bid = b["BaselineId"]
            try:
                full = self.call("GetPatchBaseline", {"BaselineId": bid})
                full["Tags"] = self._tags("PatchBaseline", bid)
            except SsmApiError as e:
                if e.code != "DoesNotExistException":
                    raise
                continue
            out["patch_baselines"][bid] = full
        for g in self.pages("DescribePatchGroups",
                             {"Filters": [{"Key": "NAME_PREFIX", "Values": [self.prefix]}],
                              "MaxResults": 100}, "Mappings"):
            if self.ours(g.get("PatchGroup")):
                ident = g.get("BaselineIdentity", {})
                out["patch_groups"].append({"PatchGroup": g["PatchGroup"],
                                            "OperatingSystem": ident.get("OperatingSystem"),
                                            "BaselineId": ident.get("BaselineId")})
        for w in self.pages("DescribeMaintenanceWindows", {"MaxResults": 100}, "WindowIdentities"):
            if not self.ours(w.get("Name")):
                continue
            wid = w["WindowId"]
            try:
                full = self.call("GetMaintenanceWindow", {"WindowId": wid})
                full["Tags"] = self._tags("MaintenanceWindow", wid)
                full["Targets"] = {t["WindowTargetId"]: t for t in self.pages(
                    "DescribeMaintenanceWindowTargets", {"WindowId": wid, "MaxResults": 100},
                    "Targets")}
                full["Tasks"] = {}
                for t in self.pages("DescribeMaintenanceWindowTasks",
                                     {"WindowId": wid, "MaxResults": 100}, "Tasks"):
                    full["Tasks"][t["WindowTaskId"]] = self.call(
                        "GetMaintenanceWindowTask", {"WindowId": wid, "WindowTaskId": t["WindowTaskId"]})
            except SsmApiError as e:
                if e.code != "DoesNotExistException":
                    raise
                continue
            out["maintenance_windows"][wid] = full
        return out

    @staticmethod
    def count(inventory, kind):
        """Number of customer objects of a kind ("baselines", "windows", "targets",
        "tasks", "patch_groups") in an emulator inventory() dump, over all accounts
        and regions."""
        n = 0
        for regions in inventory.values():
            for st in regions.values():
                windows = st.get("maintenance_windows", {}).values()
                n += {
                    "baselines": lambda: len(st.get("patch_baselines", {})),
                    "patch_groups": lambda: len(st.get("patch_groups", [])),
                    "windows": lambda: len(windows),
                    "targets": lambda: sum(len(w.get("Targets", {})) for w in windows),
                    "tasks": lambda: sum(len(w.get("Tasks", {})) for w in windows),
                }[kind]()
        return n

    def baselines(self, name=None):
        """This run's patch baselines (optionally of one exact name), as GetPatchBaseline answers."""
        return [b for b in self.objects()["patch_baselines"].values() if name is None or b["Name"] == name]

    def windows(self, name=None):
        """This run's maintenance windows (optionally of one exact name)."""
        return [w for w in self.objects()["maintenance_windows"].values() if name is None or w["Name"] == name]

    def assert_clean(self):
        """Nothing of this run is left. On the emulator: no customer object at all,
        in any account or region."""
        if self.emulator is not None:
            inv = self.emulator.inventory()
            assert inv == {}, "emulator not empty: %r" % (inv,)
            return
        objs = self.objects()
        left = {k: v for k, v in objs.items() if v}
        assert not left, "objects of run %s left at %s: %r" % (self.prefix, self.url, left)

    # ---- cleanup -------------------------------------------------------------------------------

    def cleanup(self, names=None):
        """Best-effort removal of this run's objects (of the given names only, when
        given): patch groups deregistered, then baselines and windows deleted.
        Returns the error codes met (not raised: this runs after failures)."""
        errors = []

        def attempt(op, body):
            code = None
            try:
                code = self.call_error(op, body)
            except Exception as e:  # noqa: BLE001 - transport trouble during cleanup
                code = repr(e)
            if code and code != "DoesNotExistException":
                errors.append((op, code))

        try:
            objs = self.objects()
        except Exception as e:  # noqa: BLE001
            return [("objects", repr(e))]
        for bid, b in objs["patch_baselines"].items():
            if names is not None and b.get("Name") not in names:
                continue
            for g in b.get("PatchGroups", []):
                attempt("DeregisterPatchBaselineForPatchGroup", {"BaselineId": bid, "PatchGroup": g})
            attempt("DeletePatchBaseline", {"BaselineId": bid})
        for wid, w in objs["maintenance_windows"].items():
            if names is None or w.get("Name") in names:
                attempt("DeleteMaintenanceWindow", {"WindowId": wid})
        return errors


def start_emulator(**emulator_kwargs):
    """The local emulator (tests/emulator/emulator.py), started; pytest.skip when
    that module is missing."""
    if EMULATOR_DIR not in sys.path:
        sys.path.insert(0, EMULATOR_DIR)
    try:
        from emulator import Emulator
    except ImportError:
        pytest.skip("tests/emulator/emulator.py not available")
    emu = Emulator(**emulator_kwargs)
    emu.start()
    return emu


def open_endpoint(provider_defaults=None, **emulator_kwargs):
    """(endpoint, function stopping it): the external endpoint when
    SSMPATCH_TEST_ENDPOINT is set, else a local emulator started here."""
    url = external_url()
    if url:
        return SsmEndpoint(url, provider_defaults=provider_defaults), lambda: None
    emu = start_emulator(**emulator_kwargs)
    return SsmEndpoint(emu.url, emu, provider_defaults=provider_defaults), emu.stop


def endpoint_fixture(name="ssm_endpoint", provider_defaults=None, **emulator_kwargs):
    """A session-scoped pytest fixture `name` yielding an SsmEndpoint: the local
    emulator started with `emulator_kwargs` (region, check_sigv4, ...), or the
    external endpoint of SSMPATCH_TEST_ENDPOINT. At session end the emulator is
    stopped; on an external endpoint whatever this run left is removed."""

    @pytest.fixture(scope="session", name=name)
    def _fixture():
        ep, stop = open_endpoint(provider_defaults, **emulator_kwargs)
        try:
            yield ep
        finally:
            if ep.emulator is None:
                left = ep.cleanup()
                if left:
                    sys.stderr.write("ssm_endpoint: cleanup of run %s: %r\n" % (ep.prefix, left))
            stop()
    return _fixture

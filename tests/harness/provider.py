"""The high-level API: drive the provider the way Terraform core does.

    p = Provider(protocol=6, mtls=True, env={...})
    p.configure({"region": "us-east-1", "endpoints": [{"ssm": url, "sts": url}],
                 "access_key": "AKID", "secret_key": "x"})
    diags = p.validate("ssmpatch_patch_baseline", {"name": "x"})
    plan = p.plan("ssmpatch_patch_baseline", {"name": "x"})      # Plan
    state = p.apply("ssmpatch_patch_baseline", {"name": "x"})    # State
    state = p.read("ssmpatch_patch_baseline", state)             # or None
    p.destroy("ssmpatch_patch_baseline", state)
    p.close()                                                    # Shutdown, exit in 2 s

Each step performs the RPC sequence Terraform performs and then runs
Terraform core's checks on the answer (objchange.py); a violation raises the
``ProviderBug`` subclass named after Terraform's error (errors.py). ERROR
diagnostics raise ``OperationFailed`` (except from ``validate`` and ``plan``,
which return them). Configs are partial dicts completed by
``schema.Block.config``; states are ``State`` objects (a dict of the full
object plus ``.private`` bytes).
"""

import contextlib

import grpc

from . import cty, objchange
from .errors import (Diagnostic, HarnessError, ImportFailed, InconsistentFinalPlan,
                     InconsistentResult, InvalidObject, InvalidPlan, InvalidResultObject,
                     InvalidUpgrade, OperationFailed, ProtocolError, errors_of, path_from_proto)
from .plugin import PluginProcess
from .schema import Block, ProviderSchema

TERRAFORM_VERSION = "1.11.4"

# RPC method names per protocol version
RPC = {
    5: {"schema": "GetSchema", "validate_provider": "PrepareProviderConfig",
        "validate_resource": "ValidateResourceTypeConfig", "configure": "Configure", "stop": "Stop",
        "validate_data_source": "ValidateDataSourceConfig",
        "validate_data_source_msg": "ValidateDataSourceConfig",
        "schema_msg": "GetProviderSchema", "validate_provider_msg": "PrepareProviderConfig",
        "validate_resource_msg": "ValidateResourceTypeConfig", "configure_msg": "Configure",
        "stop_msg": "Stop"},
    6: {"schema": "GetProviderSchema", "validate_provider": "ValidateProviderConfig",
        "validate_resource": "ValidateResourceConfig", "configure": "ConfigureProvider",
        "validate_data_source": "ValidateDataResourceConfig",
        "validate_data_source_msg": "ValidateDataResourceConfig",
        "stop": "StopProvider",
        "schema_msg": "GetProviderSchema", "validate_provider_msg": "ValidateProviderConfig",
        "validate_resource_msg": "ValidateResourceConfig", "configure_msg": "ConfigureProvider",
        "stop_msg": "StopProvider"},
}


class State(dict):
    """A resource instance object as Terraform keeps it: the full value (this
    dict) plus ``private`` bytes and ``type_name``."""

    def __init__(self, value, private=b"", type_name=None):
        super().__init__(value)
        self.private = private or b""
        self.type_name = type_name

    def value(self):
        return dict(self)


class DataState(dict):
    """A data source's value as Terraform holds it after planning: the object
    read (this dict), or, with ``deferred``, the planned value of a read
    Terraform put off because the configuration is not known yet (computed
    attributes unknown). ``diagnostics``: what the provider said."""

    def __init__(self, value, type_name, deferred=False, diagnostics=()):
        super().__init__(value)
        self.type_name = type_name
        self.deferred = deferred
        self.diagnostics = list(diagnostics)


class Plan:
    """The outcome of planning one resource instance.

    ``action``: 'create', 'update', 'replace', 'noop', 'delete', or None when
    the provider answered with errors (see ``diagnostics``). ``planned``: the
    planned new object (may hold ``cty.UNKNOWN``). ``requires_replace``: the
    provider's paths that really differ (as Terraform filters them),
    ``requires_replace_raw``: every path it listed; ``.replace_paths`` the
    same as strings. ``prior``, ``config``, ``proposed``, ``planned_private``
    as sent/received; for a replace, ``first_planned`` is the plan against
    the prior object and ``planned`` the re-plan from a null prior."""

    proposed = planned = first_planned = action = None  # set by Provider.plan
    planned_private = b""

    def __init__(self, type_name, prior, config):
        self.type_name, self.prior, self.config = type_name, prior, config
        self.requires_replace, self.requires_replace_raw, self.diagnostics = [], [], []

    @property
    def replace_paths(self):
        return [cty.format_path(p, leading_dot=False) for p in self.requires_replace]

    @property
    def errors(self):
        return errors_of(self.diagnostics)

    def __repr__(self):
        return "<Plan %s %s diags=%r>" % (self.type_name, self.action, self.diagnostics)


def _mk(cls, **kw):
    """Build a message, dropping fields this .proto does not have."""
    fields = cls.DESCRIPTOR.fields_by_name
    return cls(**{k: v for k, v in kw.items() if k in fields and v is not None})


class Provider:
    """A provider process driven like Terraform. Arguments are passed to
    ``PluginProcess`` (binary, protocol, mtls, env, ...). ``strict``: also
    reject answers Terraform merely tolerates (JSON instead of msgpack)."""

    def __init__(self, binary=None, protocol=6, mtls=True, env=None, strict=True, **kw):
        self.plugin = PluginProcess(binary=binary, protocol=protocol, mtls=mtls, env=env, **kw)
        self.version = self.plugin.version
        self.pb = self.plugin.pb.for_version(self.version)
        self.names = RPC[self.version]
        self.strict = strict
        self.warnings = []
        self.calls = []
        self.schema = self.get_schema()

    # -- plumbing -------------------------------------------------------------

    def _msg(self, key):
        return getattr(self.pb, self.names[key + "_msg"])

    def rpc(self, name, request, timeout=60.0):
        """One unary call on the Provider service (name without service)."""
        self.calls.append(name)
        return self.plugin.call(name, request, timeout=timeout)

    def dv(self, ty, value):
        return self.pb.DynamicValue(msgpack=cty.encode_msgpack(ty, value))

    def undv(self, ty, dv, exc, what):
        """Decode a DynamicValue answer like Terraform's grpc client; a type
        mismatch raises ``exc`` (a ProviderBug class)."""
        if dv is None or (not dv.msgpack and not dv.json):
            return None
        try:
            if dv.msgpack:
                return cty.decode_msgpack(ty, dv.msgpack)
            if self.strict:
                raise exc(what, [([], "answer encoded as JSON; providers must answer in msgpack")])
            return cty.from_json(ty, dv.json)
        except cty.ConformanceError as e:
            raise exc(what, [(e.path, e.msg)])
        except (ValueError, TypeError) as e:
            raise exc(what, [([], "undecodable msgpack: %s" % e)])

    def _diags(self, pbdiags):
        ds = [Diagnostic.from_proto(d) for d in pbdiags]
        self.warnings += [d for d in ds if not d.is_error]
        for d in ds:
            if d.severity not in ("error", "warning"):
                raise ProtocolError("diagnostic with invalid severity: %r" % d)
        return ds

    def _caps(self):
        cc = getattr(self.pb, "ClientCapabilities", None)
        if cc is None:
            return None
        return _mk(cc, deferral_allowed=False, write_only_attributes_allowed=True)

    def _provider_meta(self):
        if self.schema.raw.HasField("provider_meta"):
            return self.pb.DynamicValue(msgpack=b"\xc0")
        return None

    def block(self, type_name):
        return self.schema.resource(type_name)

    def config_value(self, type_name, cfg):
        """A partial dict -> the full config object (see Block.config)."""
        return self.block(type_name).config(cfg)

    # -- provider-level RPCs ----------------------------------------------------

    def get_schema(self):
        cls = self._msg("schema")
        resp = self.rpc(self.names["schema"], cls.Request())
        ds = self._diags(resp.diagnostics)
        if errors_of(ds):
            raise OperationFailed("GetProviderSchema", ds)
        try:
            return ProviderSchema(resp)
        except ValueError as e:
            raise ProtocolError("GetProviderSchema returned an invalid schema: %s" % e)

    def validate_provider(self, cfg):
        """PrepareProviderConfig / ValidateProviderConfig -> diagnostics."""
        block = self.schema.provider
        val = block.config(cfg) if isinstance(cfg, dict) else cfg
        cls = self._msg("validate_provider")
        resp = self.rpc(self.names["validate_provider"], cls.Request(config=self.dv(block.implied_type(), val)))
        return self._diags(resp.diagnostics)

    def configure(self, cfg=None):
        """Validate then Configure the provider (as plan/apply do); raises
        OperationFailed on error diagnostics; returns all diagnostics."""
        cfg = cfg or {}
        ds = self.validate_provider(cfg)
        if errors_of(ds):
            raise OperationFailed("ValidateProviderConfig", ds)
        block = self.schema.provider
        val = block.config(cfg)
        cls = self._msg("configure")
        req = _mk(cls.Request, terraform_version=TERRAFORM_VERSION,
                  config=self.dv(block.implied_type(), val), client_capabilities=self._caps())
        resp = self.rpc(self.names["configure"], req)
        ds2 = self._diags(resp.diagnostics)
        if errors_of(ds2):
            raise OperationFailed("ConfigureProvider", ds2)
        return ds + ds2

    def stop(self, timeout=10.0):
        """Stop / StopProvider; returns the Error string ('' when fine)."""
        cls = self._msg("stop")
        resp = self.rpc(self.names["stop"], cls.Request(), timeout=timeout)
        return getattr(resp, "Error", "")

    # -- resource RPCs ------------------------------------------------------------

    def validate(self, type_name, cfg):
        """ValidateResourceTypeConfig -> list of Diagnostic (cfg may hold
        cty.UNKNOWN values)."""
        block = self.block(type_name)
        val = block.config(cfg) if isinstance(cfg, dict) else cfg
        cls = self._msg("validate_resource")
        req = _mk(cls.Request, type_name=type_name, config=self.dv(block.implied_type(), val),
                  client_capabilities=self._caps())
        return self._diags(self.rpc(self.names["validate_resource"], req).diagnostics)

    # -- data source RPCs ----------------------------------------------------------

    def data_block(self, type_name):
        return self.schema.data_source(type_name)

    def validate_data_source(self, type_name, cfg):
        """ValidateDataSourceConfig / ValidateDataResourceConfig -> list of
        Diagnostic (cfg may hold cty.UNKNOWN values)."""
        block = self.data_block(type_name)
        val = block.config(cfg) if isinstance(cfg, dict) else cfg
        cls = self._msg("validate_data_source")
        req = _mk(cls.Request, type_name=type_name, config=self.dv(block.implied_type(), val),
                  client_capabilities=self._caps())
        return self._diags(self.rpc(self.names["validate_data_source"], req).diagnostics)

    def read_data_source(self, type_name, cfg, validate=True):
        """A data source as Terraform plans it: validate the configuration;
        if it holds an unknown value, defer the read (the planned value is the
        configuration with every computed attribute that is null in it
        unknown: objchange.PlannedDataResourceObject); else ReadDataSource,
        whose answer must conform to the schema, be non-null and wholly known
        ("Provider produced invalid object"). Returns a DataState; error
        diagnostics raise OperationFailed."""
        block = self.data_block(type_name)
        ty = block.implied_type()
        config = block.config(cfg) if isinstance(cfg, dict) else cfg
        ds = []
        if validate:
            ds = self.validate_data_source(type_name, config)
            if errors_of(ds):
                raise OperationFailed("ValidateDataResourceConfig", ds)
        if cty.unknown_paths(ty, config):
            planned = dict(config)
            for n, a in block.attributes.items():
                if a.computed and planned.get(n) is None:
                    planned[n] = cty.UNKNOWN
            return DataState(planned, type_name, deferred=True, diagnostics=ds)
        req = _mk(self.pb.ReadDataSource.Request, type_name=type_name,
                  config=self.dv(ty, config), provider_meta=self._provider_meta(),
                  client_capabilities=self._caps())
        resp = self.rpc("ReadDataSource", req, timeout=300)
        ds2 = self._diags(resp.diagnostics)
        if errors_of(ds2):
            raise OperationFailed("ReadDataSource", ds + ds2)
        what = "data.%s" % type_name
        val = self.undv(ty, resp.state, InvalidObject, what)
        if val is None:
            raise InvalidObject(what, [([], "Provider produced null object")])
        unk = cty.unknown_paths(ty, val)
        if unk:
            raise InvalidObject(what, [(p, "The provider produced a value that is not wholly known")
                                       for p in unk])
        return DataState(val, type_name, diagnostics=ds + ds2)

    def upgrade(self, type_name, state, version=None, raw_json=None):
        """UpgradeResourceState with the state as Terraform stores it (JSON of
        the object, schema version). Returns the upgraded State."""
        block = self.block(type_name)
        ty = block.implied_type()
        if raw_json is None:
            raw_json = cty.to_json(ty, dict(state))
        req = self.pb.UpgradeResourceState.Request(
            type_name=type_name, version=block.version if version is None else version,
            raw_state=self.pb.RawState(json=raw_json))
        resp = self.rpc("UpgradeResourceState", req)
        ds = self._diags(resp.diagnostics)
        if errors_of(ds):
            raise OperationFailed("UpgradeResourceState", ds)
        val = self.undv(ty, resp.upgraded_state, InvalidUpgrade, "upgraded state of %s" % type_name)
        unk = cty.unknown_paths(ty, val) if val is not None else []
        if unk:
            raise InvalidUpgrade("upgraded state of %s" % type_name,
                                 [(p, "The returned state contains unknown values") for p in unk])
        if val is None:
            raise InvalidUpgrade("upgraded state of %s" % type_name, [([], "upgraded state is null")])
        priv = getattr(state, "private", b"")
        return State(val, priv, type_name)

    def read(self, type_name, state):
        """ReadResource -> refreshed State, or None when the object is gone."""
        block = self.block(type_name)
        ty = block.implied_type()
        req = _mk(self.pb.ReadResource.Request, type_name=type_name, current_state=self.dv(ty, dict(state)),
                  private=getattr(state, "private", b""), provider_meta=self._provider_meta(),
                  client_capabilities=self._caps())
        resp = self.rpc("ReadResource", req)
        ds = self._diags(resp.diagnostics)
        if errors_of(ds):
            raise OperationFailed("ReadResource", ds)
        what = "%s during refresh" % type_name
        val = self.undv(ty, resp.new_state, InvalidObject, what)
        if val is None:
            return None
        unk = cty.unknown_paths(ty, val)
        if unk:
            raise InvalidObject(what, [(p, "The returned state contains unknown values") for p in unk])
        return State(val, resp.private, type_name)

    def _plan_rpc(self, type_name, block, prior, proposed, config, prior_private):
        ty = block.implied_type()
        req = _mk(self.pb.PlanResourceChange.Request, type_name=type_name,
                  prior_state=self.dv(ty, prior), proposed_new_state=self.dv(ty, proposed),
                  config=self.dv(ty, config), prior_private=prior_private or b"",
                  provider_meta=self._provider_meta(), client_capabilities=self._caps())
        return self.rpc("PlanResourceChange", req)

    def plan(self, type_name, cfg, prior_state=None, validate=True):
        """Plan one instance as Terraform does: (re-)validate the config,
        ProposedNew, PlanResourceChange, conformance + AssertPlanValid,
        requires_replace filtering, action; for a replace, re-plan with a null
        prior. Returns a Plan (action None and diagnostics on errors)."""
        block = self.block(type_name)
        ty = block.implied_type()
        config = block.config(cfg) if isinstance(cfg, dict) or cfg is None else cfg
        prior = dict(prior_state) if prior_state is not None else None
        prior_private = getattr(prior_state, "private", b"")
        plan = Plan(type_name, prior, config)
        if validate and config is not None:
            plan.diagnostics += self.validate(type_name, config)
            if plan.errors:
                return plan
        if config is None:
            return self._plan_destroy(plan, block, prior, prior_private)

        plan.proposed = objchange.proposed_new(block, prior, config)
        resp = self._plan_rpc(type_name, block, prior, plan.proposed, config, prior_private)
        plan.diagnostics += self._diags(resp.diagnostics)
        if plan.errors:
            return plan
        if getattr(resp, "legacy_type_system", False):
            raise InvalidPlan("%s: legacy_type_system must stay false" % type_name)
        what = type_name
        planned = self.undv(ty, resp.planned_state, InvalidPlan, what)
        errs = objchange.assert_plan_valid(block, prior, config, planned)
        if errs:
            raise InvalidPlan(what, errs)
        plan.planned = planned
        plan.planned_private = resp.planned_private
        plan.requires_replace_raw = [path_from_proto(p) for p in resp.requires_replace]
        reqrep, problems = objchange.required_replaces(block, prior, planned, plan.requires_replace_raw)
        if problems:
            raise InvalidPlan(what, problems)
        plan.requires_replace = reqrep
        plan.action = objchange.get_action(block, prior, planned, reqrep)

        if plan.action == "replace":
            plan.first_planned = planned
            proposed = objchange.proposed_new(block, None, config)
            resp = self._plan_rpc(type_name, block, None, proposed, config, resp.planned_private)
            more = self._diags(resp.diagnostics)
            if errors_of(more):
                plan.diagnostics += more
                plan.action = None
                return plan
            planned = self.undv(ty, resp.planned_state, InvalidPlan, what + " (replacement)")
            # Terraform checks this plan with AssertPlanValid at apply time,
            # when the create half is re-planned against a null prior.
            errs = objchange.assert_plan_valid(block, None, config, planned)
            if errs:
                raise InvalidPlan(what + " (replacement plan from a null prior)", errs)
            plan.proposed = proposed
            plan.planned = planned
            plan.planned_private = resp.planned_private
        return plan

    def _plan_destroy(self, plan, block, prior, prior_private):
        plan.action = "delete" if prior is not None else "noop"
        if prior is None or not self.schema.capabilities.get("plan_destroy"):
            return plan
        ty = block.implied_type()
        resp = self._plan_rpc(plan.type_name, block, prior, None, None, prior_private)
        plan.diagnostics += self._diags(resp.diagnostics)
        if plan.errors:
            plan.action = None
            return plan
        planned = self.undv(ty, resp.planned_state, InvalidPlan, plan.type_name)
        if planned is not None:
            raise InvalidPlan("%s: planned a non-null destroy value" % plan.type_name)
        plan.planned_private = resp.planned_private
        return plan

    def _apply_rpc(self, type_name, block, prior, planned, config, planned_private):
        ty = block.implied_type()
        req = _mk(self.pb.ApplyResourceChange.Request, type_name=type_name,
                  prior_state=self.dv(ty, prior), planned_state=self.dv(ty, planned),
                  config=self.dv(ty, config), planned_private=planned_private or b"",
                  provider_meta=self._provider_meta())
        resp = self.rpc("ApplyResourceChange", req, timeout=300)
        ds = self._diags(resp.diagnostics)
        if getattr(resp, "legacy_type_system", False):
            raise InconsistentResult("%s: legacy_type_system must stay false" % type_name)
        what = "%s after apply" % type_name
        new = self.undv(ty, resp.new_state, InvalidObject, what)
        unk = cty.unknown_paths(ty, new) if new is not None else []
        if unk:
            raise InvalidResultObject(what, [(p, "the provider still indicated an unknown value") for p in unk])
        if not errors_of(ds):
            if planned is not None:
                errs = objchange.assert_object_compatible(block, planned, new)
                if errs:
                    raise InconsistentResult(type_name, errs)
                if new is None:
                    raise InvalidResultObject(what, [([], "returned a null object for a non-delete action")])
            elif new is not None:
                raise InvalidResultObject(what, [([], "Destroying should always produce a null value")])
        return new, resp.private, ds

    def apply(self, type_name, cfg, prior_state=None, plan=None):
        """Plan (unless ``plan`` is given: the saved plan), then at apply time
        re-plan (Terraform's final plan), check it is compatible with the
        saved plan, and ApplyResourceChange; a replace is delete-then-create.
        Returns the new State (None after a delete); error diagnostics raise
        OperationFailed with ``.state`` = what Terraform would keep."""
        block = self.block(type_name)
        if plan is None:
            plan = self.plan(type_name, cfg, prior_state)
        if plan.errors or plan.action is None:
            raise OperationFailed("plan", plan.diagnostics, prior_state)
        if plan.action == "noop":
            return prior_state
        if plan.action == "delete":
            self.destroy(type_name, prior_state)
            return None
        if plan.action == "replace":
            # delete-then-create: the destroy node applies the delete half
            # with the replace plan's private data; the create half is then
            # re-planned against the now absent object (its final plan).
            self._destroy_object(type_name, block, prior_state, plan.planned_private)
            final = self.plan(type_name, cfg, None)
            if final.errors or final.action is None:
                raise OperationFailed("final plan (create after destroy)", final.diagnostics, None)
            errs = objchange.assert_object_compatible(block, plan.planned, final.planned)
            if errs:
                raise InconsistentFinalPlan(type_name, errs)
            prior_val = None
        else:
            final = self.plan(type_name, cfg, prior_state)
            if final.errors or final.action is None:
                raise OperationFailed("final plan", final.diagnostics, prior_state)
            self.check_final_plan(block, plan, final)
            prior_val = final.prior
        new, private, ds = self._apply_rpc(type_name, block, prior_val, final.planned, final.config,
                                           final.planned_private)
        state = State(new, private, type_name) if new is not None else None
        if errors_of(ds):
            if new is None:
                state = prior_state if plan.action == "update" else None
            raise OperationFailed("ApplyResourceChange", ds, state)
        return state

    @staticmethod
    def check_final_plan(block, saved, final):
        """checkPlannedChange: same action, known planned values unchanged."""
        if saved.action != final.action:
            raise InconsistentFinalPlan("%s: changed the planned action from %s to %s"
                                        % (saved.type_name, saved.action, final.action))
        errs = objchange.assert_object_compatible(block, saved.planned, final.planned)
        if errs:
            raise InconsistentFinalPlan(saved.type_name, errs)

    def _destroy_object(self, type_name, block, state, planned_private=b""):
        new, _, ds = self._apply_rpc(type_name, block, dict(state), None, None,
                                     planned_private or getattr(state, "private", b""))
        if errors_of(ds):
            raise OperationFailed("ApplyResourceChange (delete)", ds, state)

    def destroy(self, type_name, state):
        """Destroy: (PlanResourceChange with null proposed if the provider
        advertises plan_destroy) then ApplyResourceChange with planned null."""
        block = self.block(type_name)
        if state is None:
            return None
        plan = self.plan(type_name, None, state, validate=False)
        if plan.errors:
            raise OperationFailed("plan (destroy)", plan.diagnostics, state)
        self._destroy_object(type_name, block, state, plan.planned_private)
        return None

    @contextlib.contextmanager
    def applied(self, type_name, cfg):
        """``with p.applied(type, cfg) as state:`` creates the object, and
        destroys it on the way out, whatever happened in between."""
        state = self.apply(type_name, cfg)
        try:
            yield state
        finally:
            self.destroy(type_name, state)

    def import_state(self, type_name, import_id, read=True):
        """ImportResourceState then ReadResource, with Terraform's checks.
        Returns the refreshed State (or the imported one if read=False)."""
        block = self.block(type_name)
        ty = block.implied_type()
        req = _mk(self.pb.ImportResourceState.Request, type_name=type_name, id=import_id,
                  client_capabilities=self._caps())
        resp = self.rpc("ImportResourceState", req)
        ds = self._diags(resp.diagnostics)
        if errors_of(ds):
            raise OperationFailed("ImportResourceState", ds)
        imported = list(resp.imported_resources)
        what = "import of %s %r" % (type_name, import_id)
        if len(imported) > 1:
            raise ImportFailed("Multiple import states not supported", what)
        if not imported:
            raise ImportFailed("Import returned no resources", what)
        ir = imported[0]
        if not ir.type_name:
            raise ImportFailed("Import didn't set type", what)
        if ir.type_name != type_name:
            raise ImportFailed("Import returned a different resource type", what,
                               detail="got %r" % ir.type_name)
        val = self.undv(ty, ir.state, InvalidObject, what)
        if val is None:
            raise ImportFailed("Import returned null resource", what)
        st = State(val, ir.private, type_name)
        if not read:
            return st
        new = self.read(type_name, st)
        if new is None:
            raise ImportFailed("Cannot import non-existent remote object", what)
        return new

    def refresh(self, type_name, state):
        """What plan does for an object in state: UpgradeResourceState (from
        the stored JSON) then ReadResource."""
        up = self.upgrade(type_name, state)
        return self.read(type_name, up)

    def refresh_and_plan(self, type_name, cfg, state):
        """Terraform's plan for an existing object: upgrade + read + plan.
        Returns the Plan with ``.refreshed`` set (None: object gone, so the
        plan is a create)."""
        refreshed = self.refresh(type_name, state) if state is not None else None
        plan = self.plan(type_name, cfg, refreshed)
        plan.refreshed = refreshed
        return plan

    # -- lifetime -------------------------------------------------------------------

    def close(self):
        self.plugin.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def rpc_error_code(fn, *a, **kw):
    """Run fn and return the grpc.StatusCode it failed with (None if it did
    not fail)."""
    try:
        fn(*a, **kw)
    except grpc.RpcError as e:
        return e.code()
    return None


__all__ = ["Provider", "Plan", "State", "DataState", "Block", "HarnessError", "rpc_error_code"]

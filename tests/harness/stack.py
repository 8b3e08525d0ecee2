"""Several resources that reference each other, planned and applied as
Terraform does in one run.

    s = Stack(p)
    s.add("stg", "ssmpatch_patch_baseline", {"name": "stg", ...})
    s.add("mw", "ssmpatch_maintenance_window", {...})
    s.add("scan", "ssmpatch_window_target", {"window_id": Ref("mw", "id"), ...})
    plans = s.plan()          # refs to objects not yet created are unknown
    states = s.apply()        # dependency order; final plan checked vs. first
    s.destroy()               # reverse order

A config value may be a ``Ref(name, attr, ...)`` (an attribute path of
another resource of the stack) or any callable ``f(values) -> value`` where
``values`` maps names to the current value of each resource (its state, or
its planned value during plan: possibly containing ``cty.UNKNOWN``). Refs
resolve to the planned value at plan time (unknown if not known yet) and to
the applied state at apply time, which is exactly how Terraform evaluates
references: a resource depending on one not yet created is planned with
unknown values, and re-planned at apply time with the real values (its final
plan), which must be compatible with the first plan.
"""

from . import cty, objchange
from .errors import HarnessError, InconsistentFinalPlan, OperationFailed


class Ref:
    """Reference to ``<name>.<attr>[...]``: path elements are attribute
    names (str) or list indexes (int)."""

    def __init__(self, name, *path):
        self.name = name
        self.path = path

    def __repr__(self):
        return "Ref(%s)" % ".".join([self.name] + [str(p) for p in self.path])

    def __call__(self, values):
        v = values.get(self.name)
        if v is None:
            return cty.UNKNOWN
        for step in self.path:
            if cty.is_unknown(v):
                return cty.UNKNOWN
            if v is None:
                return None
            v = v[step]
        return v


def _deps(cfg, out):
    if isinstance(cfg, Ref):
        out.add(cfg.name)
    elif isinstance(cfg, dict):
        for v in cfg.values():
            _deps(v, out)
    elif isinstance(cfg, (list, tuple)):
        for v in cfg:
            _deps(v, out)
    return out


def resolve(cfg, values):
    """Replace every Ref/callable inside cfg by its value."""
    if isinstance(cfg, Ref) or (callable(cfg) and not isinstance(cfg, type)):
        return cfg(values)
    if isinstance(cfg, dict):
        return {k: resolve(v, values) for k, v in cfg.items()}
    if isinstance(cfg, list):
        return [resolve(v, values) for v in cfg]
    return cfg


class Stack:
    """Named resources on one Provider, in dependency order (a resource must
    be added after the resources its Refs name; callables are resolved in
    insertion order)."""

    def __init__(self, provider):
        self.p = provider
        self.order = []
        self.types = {}
        self.configs = {}
        self.states = {}
        self.plans = {}

    def add(self, name, type_name, cfg, state=None):
        for d in _deps(cfg, set()):
            if d not in self.types:
                raise HarnessError("%s refers to %s, which is not added before it" % (name, d))
        self.order.append(name)
        self.types[name] = type_name
        self.configs[name] = cfg
        if state is not None:
            self.states[name] = state
        return self

    def validate(self):
        """ValidateResourceTypeConfig for each resource, refs unknown (as
        terraform validate sees them). Returns {name: diagnostics}."""
        values = {}
        return {n: self.p.validate(self.types[n], resolve(self.configs[n], values)) for n in self.order}

    def plan(self):
        """Plan every resource; refs take the planned values of the
        resources they name. Returns {name: Plan}."""
        values = {}
        self.plans = {}
        for n in self.order:
            cfg = resolve(self.configs[n], values)
            plan = self.p.plan(self.types[n], cfg, self.states.get(n))
            if plan.errors:
                raise OperationFailed("plan of %s" % n, plan.diagnostics)
            self.plans[n] = plan
            values[n] = plan.planned if plan.action != "noop" else plan.prior
        return self.plans

    def apply(self):
        """Apply the last plan (plan() first if there is none) in dependency
        order, each with its final plan computed from the real states of its
        dependencies and checked against the first plan."""
        if not self.plans:
            self.plan()
        for n in self.order:
            first = self.plans[n]
            values = {m: self.states.get(m) for m in self.order}
            cfg = resolve(self.configs[n], values)
            if first.action == "noop":
                continue
            final = self.p.plan(self.types[n], cfg, self.states.get(n))
            if final.errors:
                raise OperationFailed("final plan of %s" % n, final.diagnostics)
            if final.action != first.action:
                raise InconsistentFinalPlan("%s: changed the planned action from %s to %s"
                                            % (n, first.action, final.action))
            block = self.p.block(self.types[n])
            errs = objchange.assert_object_compatible(block, first.planned, final.planned)
            if errs:
                raise InconsistentFinalPlan(n, errs)
            self.states[n] = self.p.apply(self.types[n], cfg, self.states.get(n), plan=final)
        self.plans = {}
        return dict(self.states)

    def refresh_and_plan(self):
        """A second `terraform plan`: upgrade+read every object, plan each
        with refs to the refreshed states. Returns {name: Plan}."""
        values = {}
        out = {}
        for n in self.order:
            cfg = resolve(self.configs[n], values)
            plan = self.p.refresh_and_plan(self.types[n], cfg, self.states.get(n))
            out[n] = plan
            values[n] = plan.refreshed if plan.action == "noop" else plan.planned
        return out

    def destroy(self):
        for n in reversed(self.order):
            st = self.states.pop(n, None)
            if st is not None:
                self.p.destroy(self.types[n], st)

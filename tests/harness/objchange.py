"""Terraform core's checks on provider answers, re-implemented in Python.

A faithful port of hashicorp/terraform ``internal/plans/objchange``
(``objchange.go`` ProposedNew, ``plan_valid.go`` AssertPlanValid,
``compatible.go`` AssertObjectCompatible) and of ``getRequiredReplaces`` /
``getAction`` in ``internal/terraform/node_resource_abstract_instance.go``,
restricted to what the plugin protocol can express (no nested attribute
types, no computed blocks, no marks).

Every ``assert_*`` function returns a list of ``(path, message)`` problems,
empty when the value passes; ``errors.py`` turns them into the exception that
names the Terraform error. Paths are lists of ("attr", name)/("index", key).
"""

from . import cty


# --------------------------------------------------------------------------
# ProposedNew


def proposed_new(block, prior, config):
    """objchange.ProposedNew: config values, with prior values kept for
    computed attributes that are null in config; nested blocks correlated by
    nesting mode."""
    if config is None and prior is None:
        return None
    if prior is None:
        prior = block.empty_value()
    return _proposed_new(block, prior, config)


def _proposed_new(block, prior, config):
    if config is None or cty.is_unknown(config):
        return prior
    out = _proposed_new_attributes(block.attributes, prior, config)
    for name, bt in block.block_types.items():
        prior_v = _get(prior, name)
        out[name] = _proposed_new_nested_block(bt, prior_v, config[name])
    return out


def _get(obj, name):
    if obj is None:
        return None
    if cty.is_unknown(obj):
        return cty.UNKNOWN
    return obj[name]


def _proposed_new_attributes(attrs, prior, config):
    out = {}
    for name, attr in attrs.items():
        if prior is None:
            prior_v = None
        elif cty.is_unknown(prior):
            prior_v = cty.UNKNOWN
        else:
            prior_v = prior[name]
        config_v = config[name]
        if attr.computed and config_v is None:
            new_v = prior_v  # optionalValueNotComputable only matters for nested types
        else:
            new_v = config_v
        out[name] = new_v
    return out


def _proposed_new_nested_block(bt, prior, config):
    if cty.is_unknown(config):
        return config
    mode = bt.nesting
    if mode == "SINGLE":
        if config is None:
            return config
        return proposed_new(bt.block, prior, config)
    if mode == "GROUP":
        return proposed_new(bt.block, prior, config)
    if mode == "LIST":
        if not config:
            return config
        out = []
        for i, cev in enumerate(config):
            if not cty.is_unknown(prior) and (prior is None or i >= len(prior)):
                out.append(cev)
                continue
            pev = cty.UNKNOWN if cty.is_unknown(prior) else prior[i]
            out.append(proposed_new(bt.block, pev, cev))
        return out
    if mode == "MAP":
        if config is None or not config:
            return config
        prior_map = prior if isinstance(prior, dict) else {}
        out = {}
        for k, cev in config.items():
            if k in prior_map:
                pev = prior_map[k]
            else:
                pev = cty.UNKNOWN if cty.is_unknown(prior) else None
            out[k] = proposed_new(bt.block, pev, cev)
        return out
    if mode == "SET":
        if config is None or not config:
            return config
        prior_vals = list(prior) if isinstance(prior, list) else []
        used = [False] * len(prior_vals)
        out = []
        ety = bt.block.implied_type()
        for cev in config:
            pev = None
            for i, pc in enumerate(prior_vals):
                if used[i]:
                    continue
                if _valid_prior_from_config(bt.block, ety, pc, cev):
                    pev = pc
                    used[i] = True
                    break
            out.append(proposed_new(bt.block, pev, cev))
        return cty.set_elements(bt.implied_type(), out)
    raise ValueError("unsupported nesting mode %s" % mode)


def _valid_prior_from_config(block, ty, prior, config):
    """objchange.validPriorFromConfig: could prior have come from config,
    differing only in computed attributes null in config?"""
    if cty.raw_equals(ty, config, prior):
        return True
    if prior is None or config is None or cty.is_unknown(prior) or cty.is_unknown(config):
        return False
    for name, attr in block.attributes.items():
        pv, cv = prior[name], config[name]
        if cty.raw_equals(attr.type, pv, cv):
            continue
        if not attr.computed or cv is not None:
            return False
    for name, bt in block.block_types.items():
        t = bt.implied_type()
        pv, cv = prior[name], config[name]
        if cty.raw_equals(t, pv, cv):
            continue
        if t.kind == "set":
            return False
        if bt.nesting in ("SINGLE", "GROUP"):
            if not _valid_prior_from_config(bt.block, t, pv, cv):
                return False
        elif bt.nesting == "LIST":
            if pv is None or cv is None or len(pv) != len(cv):
                return False
            for a, b in zip(pv, cv):
                if not _valid_prior_from_config(bt.block, t.elem, a, b):
                    return False
        elif bt.nesting == "MAP":
            if set(pv or {}) != set(cv or {}):
                return False
            for k in pv:
                if not _valid_prior_from_config(bt.block, t.elem, pv[k], cv[k]):
                    return False
    return True


# --------------------------------------------------------------------------
# AssertPlanValid


def assert_plan_valid(block, prior, config, planned, path=None):
    """objchange.AssertPlanValid(schema, priorState, config, plannedState)."""
    path = list(path or [])
    errs = []
    if planned is None and config is not None:
        return [(path, "planned for absence but config wants existence")]
    if config is None and planned is not None:
        return [(path, "planned for existence but config wants absence")]
    if planned is None:
        return errs
    if cty.is_unknown(planned):
        return [(path, "planned unknown value for the whole object")]

    for name, attr in block.attributes.items():
        config_v = None if config is None else config[name]
        prior_v = None if prior is None else prior[name]
        planned_v = planned[name]
        errs += _assert_planned_value_valid(attr, prior_v, config_v, planned_v, path + [("attr", name)])

    for name, bt in block.block_types.items():
        p = path + [("attr", name)]
        planned_v = planned[name]
        config_v = config[name]
        prior_v = None if prior is None else prior[name]
        bty = bt.implied_type()
        if bt.nesting != "SINGLE" and planned_v is None:
            mode = {"LIST": "list", "MAP": "map", "SET": "set", "GROUP": "group"}[bt.nesting]
            errs.append((p, "attribute representing a %s of nested blocks must be empty to indicate no blocks, not null" % mode))
            continue
        if cty.raw_equals(bty, planned_v, config_v) and not _has_refinements(planned_v):
            continue
        if cty.is_unknown(config_v):
            errs.append((p, "planned value %s for unknown dynamic block" % cty.render(bty, planned_v)))
            continue
        if cty.is_unknown(planned_v):
            errs.append((p, "planned unknown value for non-computed block"))
            continue
        if bt.nesting in ("SINGLE", "GROUP"):
            errs += assert_plan_valid(bt.block, prior_v, config_v, planned_v, p)
        elif bt.nesting == "LIST":
            if config_v is None:
                config_v = []
            if len(planned_v) != len(config_v):
                errs.append((p, "block count in plan (%d) disagrees with count in config (%d)"
                             % (len(planned_v), len(config_v))))
                continue
            for i, pev in enumerate(planned_v):
                ip = p + [("index", i)]
                if cty.is_unknown(pev):
                    errs.append((ip, "element representing nested block must not be unknown itself; "
                                     "set nested attribute values to unknown instead"))
                    continue
                prior_ev = None
                if prior_v is not None and not cty.is_unknown(prior_v) and i < len(prior_v):
                    prior_ev = prior_v[i]
                errs += assert_plan_valid(bt.block, prior_ev, config_v[i], pev, ip)
        elif bt.nesting == "MAP":
            if len(planned_v) != len(config_v):
                errs.append((p, "block count in plan (%d) disagrees with count in config (%d)"
                             % (len(planned_v), len(config_v))))
                continue
            for k, pev in planned_v.items():
                ip = p + [("index", k)]
                if cty.is_unknown(pev):
                    errs.append((ip, "element representing nested block must not be unknown itself; "
                                     "set nested attribute values to unknown instead"))
                    continue
                if k not in config_v:
                    errs.append((p, "block key %r from plan is not present in config" % k))
                    continue
                prior_ev = prior_v.get(k) if isinstance(prior_v, dict) else None
                errs += assert_plan_valid(bt.block, prior_ev, config_v[k], pev, ip)
            for k in config_v:
                if k not in planned_v:
                    errs.append((p, "block key %r from config is not present in plan" % k))
        elif bt.nesting == "SET":
            for pev in planned_v:
                if cty.is_unknown(pev):
                    errs.append((p + [("index", pev)], "element representing nested block must not be "
                                 "unknown itself; set nested attribute values to unknown instead"))
    return errs


def _has_refinements(v):
    return isinstance(v, cty.Unknown) and v.refinements


def _assert_planned_value_valid(attr, prior_v, config_v, planned_v, path):
    ty = attr.type
    if cty.raw_equals(ty, planned_v, config_v):
        return []
    if cty.raw_equals(ty, planned_v, prior_v) and prior_v is not None and config_v is not None:
        return []
    if attr.write_only:
        if planned_v is not None:
            return [(path, "planned value for write-only attribute is not null")]
        return []
    if attr.computed and not attr.optional:
        return []
    if config_v is None and attr.computed:
        return []
    if config_v is None and planned_v is not None:
        if attr.sensitive:
            return [(path, "sensitive planned value for a non-computed attribute")]
        return [(path, "planned value %s for a non-computed attribute" % cty.render(ty, planned_v))]
    if prior_v is None:
        if attr.sensitive:
            return [(path, "sensitive planned value does not match config value")]
        return [(path, "planned value %s does not match config value %s"
                 % (cty.render(ty, planned_v), cty.render(ty, config_v)))]
    if attr.sensitive:
        return [(path, "sensitive planned value does not match config value nor prior value")]
    return [(path, "planned value %s does not match config value %s nor prior value %s"
             % (cty.render(ty, planned_v), cty.render(ty, config_v), cty.render(ty, prior_v)))]


# --------------------------------------------------------------------------
# AssertObjectCompatible


def assert_object_compatible(block, planned, actual, path=None):
    """objchange.AssertObjectCompatible(schema, planned, actual): every known
    planned value must be unchanged in actual."""
    path = list(path or [])
    at_root = "Root object " if not path else ""
    if planned is None and actual is not None:
        return [(path, "%swas absent, but now present" % at_root)]
    if actual is None and planned is not None:
        return [(path, "%swas present, but now absent" % at_root)]
    if planned is None:
        return []
    errs = []
    for name, attr in block.attributes.items():
        p = path + [("attr", name)]
        more = assert_value_compatible(attr.type, planned[name], actual[name], p)
        if attr.sensitive:
            if more:
                errs.append((p, "inconsistent values for sensitive attribute"))
        else:
            errs += more
    for name, bt in block.block_types.items():
        p = path + [("attr", name)]
        pv, av = planned[name], actual[name]
        if bt.nesting in ("SINGLE", "GROUP"):
            if cty.is_unknown(pv) and av is None:
                continue
            errs += assert_object_compatible(bt.block, pv, av, p)
        elif bt.nesting == "LIST":
            if cty.is_unknown(pv) or cty.is_unknown(av) or pv is None or av is None:
                continue
            if len(pv) != len(av):
                errs.append((p, "block count changed from %d to %d" % (len(pv), len(av))))
                continue
            for i, (pe, ae) in enumerate(zip(pv, av)):
                errs += assert_object_compatible(bt.block, pe, ae, p + [("index", i)])
        elif bt.nesting == "MAP":
            if cty.is_unknown(pv) or pv is None or av is None:
                continue
            if len(pv) != len(av):
                errs.append((p, "block count changed from %d to %d" % (len(pv), len(av))))
                continue
            for k, pe in pv.items():
                if k not in av:
                    continue
                errs += assert_object_compatible(bt.block, pe, av[k], p + [("index", k)])
        elif bt.nesting == "SET":
            if cty.is_unknown(pv) or cty.is_unknown(av) or pv is None or av is None:
                continue
            errs += _assert_set_values_compatible(
                bt.block.implied_type(), pv, av, p,
                lambda a, b: not assert_object_compatible(bt.block, a, b, p + [("index", b)]))
            if len(pv) < len(av):
                errs.append((p, "block set length changed from %d to %d" % (len(pv), len(av))))
    return errs


def assert_value_compatible(ty, planned, actual, path):
    """objchange.assertValueCompatible for one attribute value."""
    if ty.kind == "dynamic":
        return []
    if cty.is_unknown(planned):
        return _check_refinements(ty, planned, actual, path)
    if actual is None:
        if planned is None:
            return []
        return [(path, "was %s, but now null" % cty.render(ty, planned))]
    if planned is None:
        return [(path, "was null, but now %s" % cty.render(ty, actual))]
    if cty.is_unknown(actual):
        return [(path, "was known, but now unknown")]
    k = ty.kind
    errs = []
    if k in ("string", "number", "bool"):
        if cty.equals(ty, planned, actual) is not True:
            errs.append((path, "was %s, but now %s" % (cty.render(ty, planned), cty.render(ty, actual))))
    elif k in ("list", "tuple"):
        for i, pe in enumerate(planned):
            if i >= len(actual):
                errs.append((path, "element %d has vanished" % i))
                continue
            et = ty.elem if k == "list" else ty.elems[i]
            errs += assert_value_compatible(et, pe, actual[i], path + [("index", i)])
        for i in range(len(planned), len(actual)):
            errs.append((path, "new element %d has appeared" % i))
    elif k == "map":
        for kk, pe in planned.items():
            if kk not in actual:
                errs.append((path, "element %s has vanished" % cty.format_path([("index", kk)])[1:-1]))
                continue
            errs += assert_value_compatible(ty.elem, pe, actual[kk], path + [("index", kk)])
        for kk in actual:
            if kk not in planned:
                errs.append((path, "new element %s has appeared" % cty.format_path([("index", kk)])[1:-1]))
    elif k == "object":
        for name, at in ty.attrs.items():
            errs += assert_value_compatible(at, planned[name], actual[name], path + [("attr", name)])
    elif k == "set":
        errs += _assert_set_values_compatible(
            ty.elem, planned, actual, path,
            lambda a, b: not assert_value_compatible(ty.elem, a, b, path + [("index", b)]))
        if len(planned) < len(actual):
            errs.append((path, "length changed from %d to %d" % (len(planned), len(actual))))
    return errs


def _check_refinements(ty, planned, actual, path):
    """An unknown placeholder's refinements must hold for the final value."""
    ref = planned.refinements or {}
    if not ref or cty.is_unknown(actual):
        return []
    bad = "final value %s does not conform to planning placeholder %r" % (cty.render(ty, actual), planned)
    if ref.get(1) is False and actual is None:
        return [(path, bad)]
    if actual is None:
        return []
    if 2 in ref and isinstance(actual, str) and not actual.startswith(ref[2]):
        return [(path, bad)]
    if ty.kind == "number":
        d = cty.to_decimal(actual)
        for key, cmp in ((3, lambda b, inc: d > b or (inc and d == b)), (4, lambda b, inc: d < b or (inc and d == b))):
            if key in ref:
                b, inc = ref[key]
                if not cmp(cty.to_decimal(b), inc):
                    return [(path, bad)]
    if ty.kind in ("list", "set", "map"):
        n = len(actual)
        if 5 in ref and n < ref[5]:
            return [(path, bad)]
        if 6 in ref and n > ref[6]:
            return [(path, bad)]
    return []


def _assert_set_values_compatible(ety, planned, actual, path, f):
    aeqs = [False] * len(planned)
    beqs = [False] * len(actual)
    for ai, av in enumerate(planned):
        for bi, bv in enumerate(actual):
            if aeqs[ai] and beqs[bi]:
                continue
            if f(av, bv):
                aeqs[ai] = True
                beqs[bi] = True
    errs = []
    for i, eq in enumerate(aeqs):
        if not eq:
            errs.append((path, "planned set element %s does not correlate with any element in actual"
                         % cty.render(ety, planned[i])))
    if errs:
        return errs
    for i, eq in enumerate(beqs):
        if not eq:
            errs.append((path, "actual set element %s does not correlate with any element in plan"
                         % cty.render(ety, actual[i])))
    return errs


# --------------------------------------------------------------------------
# requires_replace and the planned action


def apply_path(ty, v, path):
    """hcl.ApplyPath: (value, type) at path, or raise KeyError/IndexError."""
    for kind, key in path:
        if v is None:
            raise KeyError("attempt to traverse a null value")
        if cty.is_unknown(v):
            # traversing an unknown gives an unknown of the element type
            if ty.kind == "object" and kind == "attr":
                ty = ty.attrs[key]
            elif ty.kind in ("list", "map", "set"):
                ty = ty.elem
            continue
        if kind == "attr":
            if ty.kind == "object":
                if key not in ty.attrs:
                    raise KeyError("unsupported attribute %r" % key)
                v, ty = v[key], ty.attrs[key]
            elif ty.kind == "map":
                v, ty = v[key], ty.elem
            else:
                raise KeyError("cannot get attribute %r of %s" % (key, ty.kind))
        else:
            if ty.kind in ("list", "tuple"):
                if not isinstance(key, int) or key < 0 or key >= len(v):
                    raise IndexError("index %r out of range" % (key,))
                ty = ty.elem if ty.kind == "list" else ty.elems[key]
                v = v[key]
            elif ty.kind == "map":
                if key not in v:
                    raise KeyError("map has no key %r" % (key,))
                v, ty = v[key], ty.elem
            else:
                raise KeyError("cannot index a %s" % ty.kind)
    return v, ty


def required_replaces(block, prior, planned, paths):
    """getRequiredReplaces: the subset of the provider's requires_replace
    paths whose value differs between prior and planned. Returns
    (paths, problems); a path invalid in both values is a problem."""
    out, problems = [], []
    if prior is None:
        return out, problems
    ty = block.implied_type()
    for p in paths:
        try:
            pv, pty = apply_path(ty, prior, p)
            prior_ok = True
        except (KeyError, IndexError, TypeError):
            prior_ok, pv, pty = False, None, None
        try:
            nv, nty = apply_path(ty, planned, p)
            planned_ok = True
        except (KeyError, IndexError, TypeError):
            planned_ok, nv, nty = False, None, None
        if not prior_ok and not planned_ok:
            problems.append((p, "has indicated \"requires replacement\" for a non-existent attribute path %s"
                             % cty.format_path(p)))
            continue
        t = pty or nty
        if cty.equals(t, nv, pv) is not True:
            out.append(p)
    return out, problems


def get_action(block, prior, planned, requires_replace):
    """getAction: 'create', 'replace' (delete-then-create), 'noop', 'update'."""
    if prior is None:
        return "create"
    if requires_replace:
        return "replace"
    if cty.equals(block.implied_type(), planned, prior) is True:
        return "noop"
    return "update"

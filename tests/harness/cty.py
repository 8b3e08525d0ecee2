"""A small Python model of cty types and values, and their wire forms.

Values are plain Python data, interpreted against a ``Type``:

  null            None (of any type)
  unknown         an ``Unknown`` instance (``UNKNOWN`` is the unrefined one)
  string          str
  number          int, float or decimal.Decimal (compared numerically)
  bool            bool
  list / tuple    list
  set             list; order is meaningless, compared as a set
  map / object    dict (an object dict has exactly the type's attributes)
  dynamic         ``Dynamic(type, value)`` when known

Wire forms (docs/protocol.md §4): ``decode_msgpack`` / ``encode_msgpack``
(go-cty cty/msgpack rules, ext 0 and ext 12 are unknown), ``to_json`` (the
form Terraform keeps in the state file, ctyjson). Decoding checks conformance
to the type exactly as cty does (every object attribute present, no extra
ones) and raises ``ConformanceError`` naming the path.

Comparisons: ``raw_equals`` (cty RawEquals of unrefined values: unknown equals
unknown) and ``equals`` (cty Equals: True, False or None for unknown).
"""

import decimal
import json
import math

import msgpack

# --------------------------------------------------------------------------
# types


class Type:
    """A cty type. kind is one of string, number, bool, dynamic, list, set,
    map, object, tuple. ``elem`` for collections, ``attrs`` (dict name->Type)
    for objects, ``elems`` (list of Type) for tuples."""

    __slots__ = ("kind", "elem", "attrs", "elems", "optional")

    def __init__(self, kind, elem=None, attrs=None, elems=None, optional=None):
        self.kind = kind
        self.elem = elem
        self.attrs = attrs
        self.elems = elems
        self.optional = optional or []

    def __eq__(self, other):
        return isinstance(other, Type) and self.to_json() == other.to_json()

    def __hash__(self):
        return hash(json.dumps(self.to_json(), sort_keys=True))

    def __repr__(self):
        return "Type(%s)" % json.dumps(self.to_json(), sort_keys=True)

    @property
    def is_collection(self):
        return self.kind in ("list", "set", "map")

    def to_json(self):
        if self.kind in PRIMITIVES:
            return self.kind
        if self.kind in ("list", "set", "map"):
            return [self.kind, self.elem.to_json()]
        if self.kind == "object":
            out = ["object", {k: v.to_json() for k, v in self.attrs.items()}]
            if self.optional:
                out.append(sorted(self.optional))
            return out
        if self.kind == "tuple":
            return ["tuple", [e.to_json() for e in self.elems]]
        raise ValueError(self.kind)


PRIMITIVES = ("string", "number", "bool", "dynamic")
STRING = Type("string")
NUMBER = Type("number")
BOOL = Type("bool")
DYNAMIC = Type("dynamic")


def List(t):
    return Type("list", elem=t)


def Set(t):
    return Type("set", elem=t)


def Map(t):
    return Type("map", elem=t)


def Object(attrs):
    return Type("object", attrs=dict(attrs))


def Tuple(elems):
    return Type("tuple", elems=list(elems))


def type_from_json(j):
    """Parse cty's compact type JSON (bytes, str or already-decoded)."""
    if isinstance(j, (bytes, bytearray)):
        j = json.loads(j.decode("utf-8"))
    elif isinstance(j, str) and j.startswith(("[", '"')):
        j = json.loads(j)
    if isinstance(j, str):
        if j not in PRIMITIVES:
            raise ValueError("unknown primitive type %r" % j)
        return Type(j)
    if not isinstance(j, list) or not j:
        raise ValueError("bad type JSON %r" % (j,))
    kind = j[0]
    if kind in ("list", "set", "map"):
        if len(j) != 2:
            raise ValueError("bad %s type JSON %r" % (kind, j))
        return Type(kind, elem=type_from_json(j[1]))
    if kind == "object":
        if len(j) not in (2, 3) or not isinstance(j[1], dict):
            raise ValueError("bad object type JSON %r" % (j,))
        return Type("object", attrs={k: type_from_json(v) for k, v in j[1].items()},
                    optional=j[2] if len(j) == 3 else None)
    if kind == "tuple":
        return Type("tuple", elems=[type_from_json(e) for e in j[1]])
    raise ValueError("unknown type kind %r" % kind)


# --------------------------------------------------------------------------
# special values


class Unknown:
    """An unknown value. ``refinements`` is the decoded ext-12 map (int keys:
    1 nullness, 2 string prefix, 3/4 number bounds, 5/6 length bounds) or
    None for a plain unknown."""

    __slots__ = ("refinements",)

    def __init__(self, refinements=None):
        self.refinements = refinements or None

    def __repr__(self):
        return "UNKNOWN" if not self.refinements else "Unknown(%r)" % (self.refinements,)

    def __eq__(self, other):
        # raw equality of *unrefined* values: all unknowns are alike
        return isinstance(other, Unknown)

    def __hash__(self):
        return 0x5EED


UNKNOWN = Unknown()


def is_unknown(v):
    return isinstance(v, Unknown)


class Dynamic:
    """A known value of a ``dynamic`` attribute, with its concrete type."""

    __slots__ = ("type", "value")

    def __init__(self, type_, value):
        self.type = type_
        self.value = value

    def __repr__(self):
        return "Dynamic(%r, %r)" % (self.type, self.value)

    def __eq__(self, other):
        return isinstance(other, Dynamic) and self.type == other.type and \
            raw_equals(self.type, self.value, other.value)

    def __hash__(self):
        return hash(self.type)


class ConformanceError(ValueError):
    """A value does not conform to its type. ``path`` is a list of steps."""

    def __init__(self, path, msg):
        self.path = list(path)
        self.msg = msg
        super().__init__("%s: %s" % (format_path(path) or "(root)", msg))


# --------------------------------------------------------------------------
# paths: lists of ("attr", name) / ("index", key)


def format_path(path, leading_dot=True):
    """Terraform's tfdiags.FormatCtyPath: .a[0]["k"].b"""
    out = []
    for kind, key in path:
        if kind == "attr":
            out.append("." + key)
        elif isinstance(key, str):
            out.append("[%s]" % json.dumps(key))
        elif isinstance(key, (int, decimal.Decimal)) and not isinstance(key, bool):
            out.append("[%s]" % key)
        else:
            out.append("[%r]" % (key,))
    s = "".join(out)
    if not leading_dot and s.startswith("."):
        s = s[1:]
    return s


def walk(ty, v, fn, path=()):
    """cty.Walk: call fn(path, type, value) depth-first; fn returns False to
    not descend."""
    path = list(path)
    if fn(path, ty, v) is False or v is None or is_unknown(v):
        return
    if ty.kind in ("list", "tuple"):
        for i, e in enumerate(v):
            walk(ty.elem if ty.kind == "list" else ty.elems[i], e, fn, path + [("index", i)])
    elif ty.kind == "set":
        for e in v:
            walk(ty.elem, e, fn, path + [("index", e)])
    elif ty.kind == "map":
        for k in sorted(v):
            walk(ty.elem, v[k], fn, path + [("index", k)])
    elif ty.kind == "object":
        for k in sorted(ty.attrs):
            walk(ty.attrs[k], v[k], fn, path + [("attr", k)])
    elif ty.kind == "dynamic" and isinstance(v, Dynamic):
        walk(v.type, v.value, fn, path)


def unknown_paths(ty, v):
    """Paths of every unknown inside v (empty list: wholly known)."""
    found = []

    def fn(path, t, x):
        if is_unknown(x):
            found.append(path)
            return False
        return True
    walk(ty, v, fn)
    return found


def is_wholly_known(ty, v):
    return not unknown_paths(ty, v)


# --------------------------------------------------------------------------
# numbers


def to_decimal(n):
    if isinstance(n, bool):
        raise TypeError("bool is not a number")
    if isinstance(n, decimal.Decimal):
        return n
    if isinstance(n, int):
        return decimal.Decimal(n)
    if isinstance(n, float):
        if math.isinf(n):
            return decimal.Decimal("Infinity") if n > 0 else decimal.Decimal("-Infinity")
        return decimal.Decimal(n)
    if isinstance(n, str):
        return decimal.Decimal(n)
    raise TypeError("not a number: %r" % (n,))


def _is_number(v):
    return isinstance(v, (int, float, decimal.Decimal)) and not isinstance(v, bool)


# --------------------------------------------------------------------------
# equality


def _key(ty, v, unknown_distinct=False):
    """A hashable, order-free key of a value for set comparison."""
    if v is None:
        return ("null",)
    if is_unknown(v):
        return ("?", id(v)) if unknown_distinct else ("?",)
    k = ty.kind
    if k == "number":
        return ("n", to_decimal(v).normalize() if to_decimal(v).is_finite() else to_decimal(v))
    if k in ("string", "bool"):
        return (k[0], v)
    if k == "list":
        return ("l",) + tuple(_key(ty.elem, e, unknown_distinct) for e in v)
    if k == "tuple":
        return ("t",) + tuple(_key(t, e, unknown_distinct) for t, e in zip(ty.elems, v))
    if k == "set":
        return ("s", frozenset(_key(ty.elem, e, unknown_distinct) for e in v))
    if k == "map":
        return ("m", frozenset((kk, _key(ty.elem, vv, unknown_distinct)) for kk, vv in v.items()))
    if k == "object":
        return ("o",) + tuple((a, _key(ty.attrs[a], v[a], unknown_distinct)) for a in sorted(ty.attrs))
    if k == "dynamic":
        if isinstance(v, Dynamic):
            return ("d", json.dumps(v.type.to_json(), sort_keys=True), _key(v.type, v.value, unknown_distinct))
        return ("d?", repr(v))
    raise ValueError(k)


def raw_equals(ty, a, b):
    """cty RawEquals of unrefined values (objchange's unrefinedValue trick):
    structural equality where an unknown equals any unknown."""
    return _key(ty, a) == _key(ty, b)


def set_elements(ty, v):
    """Deduplicated elements of a set value (cty sets never hold duplicates;
    unknown elements are all distinct)."""
    seen = set()
    out = []
    for e in v:
        k = _key(ty.elem, e, unknown_distinct=True)
        if k in seen:
            continue
        seen.add(k)
        out.append(e)
    return out


def equals(ty, a, b):
    """cty Value.Equals: True, False, or None when the answer is unknown."""
    ua, ub = is_unknown(a), is_unknown(b)
    if ua or ub:
        return None
    if a is None and b is None:
        return True
    if a is None or b is None:
        return False
    k = ty.kind
    if k == "number":
        return to_decimal(a) == to_decimal(b)
    if k in ("string", "bool"):
        return a == b
    if k == "dynamic":
        if isinstance(a, Dynamic) and isinstance(b, Dynamic):
            if a.type != b.type:
                return False
            return equals(a.type, a.value, b.value)
        return None
    if k in ("list", "tuple"):
        if len(a) != len(b):
            return False
        res = True
        for i, (x, y) in enumerate(zip(a, b)):
            r = equals(ty.elem if k == "list" else ty.elems[i], x, y)
            if r is False:
                return False
            if r is None:
                res = None
        return res
    if k == "map":
        if set(a) != set(b):
            return False
        res = True
        for kk in a:
            r = equals(ty.elem, a[kk], b[kk])
            if r is False:
                return False
            if r is None:
                res = None
        return res
    if k == "object":
        res = True
        for name, at in ty.attrs.items():
            r = equals(at, a[name], b[name])
            if r is False:
                return False
            if r is None:
                res = None
        return res
    if k == "set":
        if not is_wholly_known(ty, a) or not is_wholly_known(ty, b):
            return None
        return _key(ty, a) == _key(ty, b)
    raise ValueError(k)


# --------------------------------------------------------------------------
# msgpack


def _ext_hook(code, data):
    if code == 12:
        try:
            ref = msgpack.unpackb(data, raw=False, strict_map_key=False)
        except Exception:
            ref = None
        return Unknown(ref if isinstance(ref, dict) else None)
    return Unknown()


def unpack_raw(data):
    """msgpack bytes -> raw Python (Unknown for any ext type)."""
    return msgpack.unpackb(data, raw=False, ext_hook=_ext_hook, strict_map_key=False,
                           use_list=True)


def decode_msgpack(ty, data):
    """Decode a DynamicValue.msgpack payload against ``ty``, checking
    conformance. Raises ConformanceError or msgpack errors."""
    return from_raw(ty, unpack_raw(data), [])


def from_raw(ty, raw, path=None):
    """Turn raw unpacked msgpack data into a value of ``ty`` (checking it)."""
    path = list(path or [])
    if raw is None:
        return None
    if is_unknown(raw):
        return raw
    k = ty.kind
    if k == "string":
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8")
        if not isinstance(raw, str):
            raise ConformanceError(path, "string required, got %s" % type(raw).__name__)
        return raw
    if k == "number":
        if isinstance(raw, bool):
            raise ConformanceError(path, "number required, got bool")
        if isinstance(raw, (int, float)):
            return raw
        if isinstance(raw, (str, bytes)):
            try:
                return decimal.Decimal(raw.decode() if isinstance(raw, bytes) else raw)
            except decimal.InvalidOperation:
                raise ConformanceError(path, "number required, got string %r" % raw)
        raise ConformanceError(path, "number required, got %s" % type(raw).__name__)
    if k == "bool":
        if not isinstance(raw, bool):
            raise ConformanceError(path, "bool required, got %s" % type(raw).__name__)
        return raw
    if k in ("list", "set"):
        if not isinstance(raw, list):
            raise ConformanceError(path, "%s required, got %s" % (k, type(raw).__name__))
        out = [from_raw(ty.elem, e, path + [("index", i)]) for i, e in enumerate(raw)]
        if k == "set":
            out = set_elements(ty, out)
        return out
    if k == "tuple":
        if not isinstance(raw, list) or len(raw) != len(ty.elems):
            raise ConformanceError(path, "tuple of %d elements required" % len(ty.elems))
        return [from_raw(t, e, path + [("index", i)]) for i, (t, e) in enumerate(zip(ty.elems, raw))]
    if k == "map":
        if not isinstance(raw, dict):
            raise ConformanceError(path, "map required, got %s" % type(raw).__name__)
        out = {}
        for kk, vv in raw.items():
            if isinstance(kk, bytes):
                kk = kk.decode("utf-8")
            if not isinstance(kk, str):
                raise ConformanceError(path, "map key must be a string, got %r" % (kk,))
            out[kk] = from_raw(ty.elem, vv, path + [("index", kk)])
        return out
    if k == "object":
        if not isinstance(raw, dict):
            raise ConformanceError(path, "object required, got %s" % type(raw).__name__)
        keys = {(kk.decode() if isinstance(kk, bytes) else kk) for kk in raw}
        extra = sorted(str(x) for x in keys - set(ty.attrs))
        if extra:
            raise ConformanceError(path + [("attr", extra[0])], "unsupported attribute %r" % extra[0])
        missing = sorted(set(ty.attrs) - keys)
        if missing:
            raise ConformanceError(path, "an object with %d attributes is required (missing %s)"
                                   % (len(ty.attrs), ", ".join(missing)))
        out = {}
        for kk, vv in raw.items():
            name = kk.decode() if isinstance(kk, bytes) else kk
            out[name] = from_raw(ty.attrs[name], vv, path + [("attr", name)])
        return out
    if k == "dynamic":
        if not isinstance(raw, list) or len(raw) != 2 or not isinstance(raw[0], (bytes, str)):
            raise ConformanceError(path, "dynamic value must be [type JSON, value]")
        t = type_from_json(raw[0] if isinstance(raw[0], bytes) else raw[0].encode())
        return Dynamic(t, from_raw(t, raw[1], path))
    raise ValueError(k)


def _num_to_raw(n):
    if isinstance(n, int):
        if -(1 << 63) <= n < (1 << 63):
            return n
        return str(n)
    if isinstance(n, float):
        if math.isinf(n) or math.isnan(n) or n != int(n):
            return n
        iv = int(n)
        return iv if -(1 << 63) <= iv < (1 << 63) else n
    d = to_decimal(n)
    if not d.is_finite():
        return float(d)
    if d == d.to_integral_value():
        iv = int(d)
        return iv if -(1 << 63) <= iv < (1 << 63) else str(iv)
    f = float(d)
    if decimal.Decimal(f) == d:
        return f
    return str(d)


def to_raw(ty, v, path=None):
    """A value of ``ty`` -> raw Python ready for msgpack (ExtType for unknown)."""
    path = list(path or [])
    if v is None:
        return None
    if is_unknown(v):
        if v.refinements:
            return msgpack.ExtType(12, msgpack.packb(v.refinements))
        return msgpack.ExtType(0, b"\x00")
    k = ty.kind
    if k == "string":
        if not isinstance(v, str):
            raise ConformanceError(path, "string required, got %r" % (v,))
        return v
    if k == "number":
        if not _is_number(v):
            raise ConformanceError(path, "number required, got %r" % (v,))
        return _num_to_raw(v)
    if k == "bool":
        if not isinstance(v, bool):
            raise ConformanceError(path, "bool required, got %r" % (v,))
        return v
    if k in ("list", "set"):
        if not isinstance(v, (list, tuple)):
            raise ConformanceError(path, "%s required, got %r" % (k, v))
        return [to_raw(ty.elem, e, path + [("index", i)]) for i, e in enumerate(v)]
    if k == "tuple":
        return [to_raw(t, e, path + [("index", i)]) for i, (t, e) in enumerate(zip(ty.elems, v))]
    if k == "map":
        if not isinstance(v, dict):
            raise ConformanceError(path, "map required, got %r" % (v,))
        return {kk: to_raw(ty.elem, vv, path + [("index", kk)]) for kk, vv in sorted(v.items())}
    if k == "object":
        if not isinstance(v, dict):
            raise ConformanceError(path, "object required, got %r" % (v,))
        extra = set(v) - set(ty.attrs)
        if extra:
            raise ConformanceError(path, "unsupported attribute(s) %s" % sorted(extra))
        missing = set(ty.attrs) - set(v)
        if missing:
            raise ConformanceError(path, "missing attribute(s) %s" % sorted(missing))
        return {a: to_raw(ty.attrs[a], v[a], path + [("attr", a)]) for a in sorted(ty.attrs)}
    if k == "dynamic":
        if not isinstance(v, Dynamic):
            raise ConformanceError(path, "dynamic value must be a Dynamic")
        return [json.dumps(v.type.to_json(), separators=(",", ":")).encode(), to_raw(v.type, v.value, path)]
    raise ValueError(k)


def encode_msgpack(ty, v):
    return msgpack.packb(to_raw(ty, v), use_bin_type=True)


# --------------------------------------------------------------------------
# JSON (state file form, ctyjson)


def to_json_obj(ty, v, path=None):
    path = list(path or [])
    if v is None:
        return None
    if is_unknown(v):
        raise ConformanceError(path, "value must be known")
    k = ty.kind
    if k == "number":
        d = to_decimal(v)
        if d == d.to_integral_value():
            return int(d)
        return float(d)
    if k in ("string", "bool"):
        return v
    if k in ("list", "set"):
        return [to_json_obj(ty.elem, e, path + [("index", i)]) for i, e in enumerate(v)]
    if k == "tuple":
        return [to_json_obj(t, e, path + [("index", i)]) for i, (t, e) in enumerate(zip(ty.elems, v))]
    if k == "map":
        return {kk: to_json_obj(ty.elem, vv, path + [("index", kk)]) for kk, vv in v.items()}
    if k == "object":
        return {a: to_json_obj(ty.attrs[a], v[a], path + [("attr", a)]) for a in ty.attrs}
    if k == "dynamic":
        return {"value": to_json_obj(v.type, v.value, path), "type": v.type.to_json()}
    raise ValueError(k)


def to_json(ty, v):
    """The ctyjson form (bytes) Terraform stores as a resource's attributes."""
    obj = to_json_obj(ty, v)
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


def from_json(ty, data):
    """Parse ctyjson (e.g. raw_state.json) into a value of ty (lenient: an
    object missing attributes gets nulls; extra attributes are an error)."""
    raw = json.loads(data, parse_float=decimal.Decimal)
    return _from_json_obj(ty, raw, [])


def _from_json_obj(ty, raw, path):
    if raw is None:
        return None
    k = ty.kind
    if k == "object":
        if not isinstance(raw, dict):
            raise ConformanceError(path, "object required")
        extra = set(raw) - set(ty.attrs)
        if extra:
            raise ConformanceError(path, "unsupported attribute %r" % sorted(extra)[0])
        return {a: _from_json_obj(ty.attrs[a], raw.get(a), path + [("attr", a)]) for a in ty.attrs}
    if k in ("list", "set"):
        out = [_from_json_obj(ty.elem, e, path + [("index", i)]) for i, e in enumerate(raw)]
        return set_elements(ty, out) if k == "set" else out
    if k == "tuple":
        return [_from_json_obj(t, e, path + [("index", i)]) for i, (t, e) in enumerate(zip(ty.elems, raw))]
    if k == "map":
        return {kk: _from_json_obj(ty.elem, vv, path + [("index", kk)]) for kk, vv in raw.items()}
    if k == "dynamic":
        t = type_from_json(raw["type"])
        return Dynamic(t, _from_json_obj(t, raw["value"], path))
    if k == "number" and isinstance(raw, bool):
        raise ConformanceError(path, "number required")
    return raw


# --------------------------------------------------------------------------
# rendering


def render(ty, v):
    """A short cty-GoString-like rendering for error messages."""
    if v is None:
        return "cty.NullVal(%s)" % _render_type(ty)
    if is_unknown(v):
        return "cty.UnknownVal(%s)" % _render_type(ty)
    k = ty.kind
    if k == "string":
        return "cty.StringVal(%s)" % json.dumps(v)
    if k == "number":
        return "cty.NumberIntVal(%s)" % v if isinstance(v, int) else "cty.NumberFloatVal(%s)" % v
    if k == "bool":
        return "cty.True" if v else "cty.False"
    if k in ("list", "set", "tuple"):
        et = (lambda i: ty.elems[i]) if k == "tuple" else (lambda i: ty.elem)
        inner = ", ".join(render(et(i), e) for i, e in enumerate(v))
        return "cty.%sVal([]cty.Value{%s})" % ({"list": "List", "set": "Set", "tuple": "Tuple"}[k], inner)
    if k == "map":
        inner = ", ".join("%s:%s" % (json.dumps(kk), render(ty.elem, vv)) for kk, vv in sorted(v.items()))
        return "cty.MapVal(map[string]cty.Value{%s})" % inner
    if k == "object":
        inner = ", ".join("%s:%s" % (json.dumps(a), render(ty.attrs[a], v[a])) for a in sorted(ty.attrs))
        return "cty.ObjectVal(map[string]cty.Value{%s})" % inner
    return repr(v)


def _render_type(ty):
    if ty.kind in PRIMITIVES:
        return {"string": "cty.String", "number": "cty.Number", "bool": "cty.Bool",
                "dynamic": "cty.DynamicPseudoType"}[ty.kind]
    if ty.kind in ("list", "set", "map"):
        return "cty.%s(%s)" % (ty.kind.capitalize(), _render_type(ty.elem))
    if ty.kind == "object":
        return "cty.Object(...)"
    return "cty.Tuple(...)"

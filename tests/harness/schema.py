"""Resource and provider schemas as Terraform core sees them.

``Block.from_proto`` turns a ``Schema.Block`` from GetSchema /
GetProviderSchema into the model of Terraform's ``configschema.Block``:
attributes (type from the JSON in ``Attribute.type``, flags) and nested block
types (nesting mode, min/max items). From it come the implied type (what
every DynamicValue of the resource must conform to), the empty value, and
``Block.config(dict)``: an HCL-ish helper that turns a partial Python dict
into the full config object Terraform would decode from the .tf file (every
missing attribute null, every missing block absent: [] / {} / null).
"""

from . import cty

NESTING = {0: "INVALID", 1: "SINGLE", 2: "LIST", 3: "SET", 4: "MAP", 5: "GROUP"}


class Attribute:
    """One schema attribute: name, cty ``type``, and the flags."""

    def __init__(self, name, type_, required=False, optional=False, computed=False,
                 sensitive=False, write_only=False, deprecated=False, description=""):
        self.name, self.type, self.description = name, type_, description
        self.required, self.optional, self.computed = required, optional, computed
        self.sensitive, self.write_only, self.deprecated = sensitive, write_only, deprecated
        self.nested_type = None  # protocol-6 nested attributes are not used here

    def __repr__(self):
        flags = [f for f in ("required", "optional", "computed", "sensitive", "write_only")
                 if getattr(self, f)]
        return "Attribute(%s %s %s)" % (self.name, self.type, "+".join(flags))

    def kind(self):
        """'required', 'optional', 'computed' or 'optional+computed'."""
        if self.required:
            return "required"
        if self.optional and self.computed:
            return "optional+computed"
        return "optional" if self.optional else "computed"


class NestedBlock:
    """A nested block type: nesting mode name, ``block``, min/max items."""

    def __init__(self, name, nesting, block, min_items=0, max_items=0):
        self.name = name
        self.nesting = nesting
        self.block = block
        self.min_items = min_items
        self.max_items = max_items
        self.computed = False  # never set over the plugin protocol

    def __repr__(self):
        return "NestedBlock(%s %s %d..%d)" % (self.name, self.nesting, self.min_items, self.max_items)

    def implied_type(self):
        t = self.block.implied_type()
        if self.nesting in ("SINGLE", "GROUP"):
            return t
        if self.nesting == "LIST":
            return cty.List(t)
        if self.nesting == "SET":
            return cty.Set(t)
        if self.nesting == "MAP":
            return cty.Map(t)
        raise ValueError("bad nesting %s" % self.nesting)

    def empty_value(self):
        if self.nesting == "SINGLE":
            return None
        if self.nesting == "GROUP":
            return self.block.empty_value()
        if self.nesting == "MAP":
            return {}
        return []


class Block:
    """A block schema: ``attributes`` and ``block_types`` (dicts by name)."""

    def __init__(self, attributes=None, block_types=None, version=0, deprecated=False):
        self.attributes = attributes or {}
        self.block_types = block_types or {}
        self.version = version
        self.deprecated = deprecated
        self._type = None

    @classmethod
    def from_proto(cls, pb_block, version=0):
        attrs = {}
        for a in pb_block.attributes:
            if "nested_type" in a.DESCRIPTOR.fields_by_name and a.HasField("nested_type"):
                raise NotImplementedError("nested attribute types (protocol 6) are not modelled: %s" % a.name)
            attrs[a.name] = Attribute(
                a.name, cty.type_from_json(bytes(a.type)), required=a.required, optional=a.optional,
                computed=a.computed, sensitive=a.sensitive,
                write_only=getattr(a, "write_only", False), deprecated=a.deprecated,
                description=a.description)
        blocks = {}
        for b in pb_block.block_types:
            blocks[b.type_name] = NestedBlock(b.type_name, NESTING.get(b.nesting, "INVALID"),
                                              cls.from_proto(b.block), b.min_items, b.max_items)
        return cls(attrs, blocks, version=version, deprecated=pb_block.deprecated)

    def implied_type(self):
        if self._type is None:
            attrs = {n: a.type for n, a in self.attributes.items()}
            for n, b in self.block_types.items():
                attrs[n] = b.implied_type()
            self._type = cty.Object(attrs)
        return self._type

    def empty_value(self):
        """configschema.Block.EmptyValue: attributes null, blocks empty."""
        v = {n: None for n in self.attributes}
        for n, b in self.block_types.items():
            v[n] = b.empty_value()
        return v

    # -- path helpers -------------------------------------------------------

    def attribute_by_path(self, path):
        """configschema.Block.AttributeByPath: the Attribute at a path of
        attr/index steps through nested blocks, or None."""
        block = self
        i = 0
        while i < len(path):
            kind, name = path[i]
            if kind != "attr":
                i += 1
                continue
            if name in block.attributes:
                return block.attributes[name] if i == len(path) - 1 else None
            if name in block.block_types:
                block = block.block_types[name].block
                i += 1
                continue
            return None
        return None

    def sensitive_paths(self):
        out = []
        for n, a in self.attributes.items():
            if a.sensitive:
                out.append(n)
        for n, b in self.block_types.items():
            out += [n + "." + p for p in b.block.sensitive_paths()]
        return out

    # -- HCL-ish config builder ---------------------------------------------

    def config(self, d, path=None):
        """Build the full config object from a partial dict.

        ``d`` holds attribute values (Python data, ``cty.UNKNOWN`` allowed)
        and nested blocks: a list of dicts for LIST/SET blocks (a single dict
        is accepted as one block), a dict or [dict] for SINGLE/GROUP, a dict
        label->dict for MAP. A key that is neither an attribute nor a block
        raises KeyError (HCL's "Unsupported argument"). Computed-only
        attributes may be set (Terraform's validate would reject them; the
        provider never sees them in a real run, so use this only to test that).
        """
        path = path or []
        if d is None:
            return None
        if cty.is_unknown(d):
            return d
        if not isinstance(d, dict):
            raise TypeError("block config at %s must be a dict, got %r" % (cty.format_path(path), d))
        out = {}
        for k in d:
            if k not in self.attributes and k not in self.block_types:
                raise KeyError("Unsupported argument: %r at %s" % (k, cty.format_path(path) or "(root)"))
        for n, a in self.attributes.items():
            out[n] = _normalize(a.type, d.get(n), path + [("attr", n)])
        for n, b in self.block_types.items():
            p = path + [("attr", n)]
            v = d.get(n, None)
            if cty.is_unknown(v):
                out[n] = v
                continue
            if b.nesting in ("SINGLE", "GROUP"):
                if isinstance(v, list):
                    if len(v) > 1:
                        raise ValueError("%s: at most one %s block" % (cty.format_path(p), n))
                    v = v[0] if v else None
                if v is None:
                    out[n] = b.empty_value()
                else:
                    out[n] = b.block.config(v, p)
            elif b.nesting == "MAP":
                out[n] = {k: b.block.config(e, p + [("index", k)]) for k, e in (v or {}).items()}
            else:
                if isinstance(v, dict):
                    v = [v]
                elems = [b.block.config(e, p + [("index", i)]) for i, e in enumerate(v or [])]
                if b.nesting == "SET":
                    elems = cty.set_elements(b.implied_type(), elems)
                out[n] = elems
        return out


def _normalize(ty, v, path):
    """Python data -> a value of ty (lists for sets, numbers as given)."""
    if v is None or cty.is_unknown(v):
        return v
    k = ty.kind
    if k == "string":
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            raise TypeError("%s: string required, got %r" % (cty.format_path(path), v))
        return v if isinstance(v, str) else str(v)  # HCL converts numbers to strings
    if k == "number":
        if isinstance(v, str):
            return cty.to_decimal(v)
        return v
    if k == "bool":
        if isinstance(v, str) and v in ("true", "false"):
            return v == "true"
        return v
    if k in ("list", "set"):
        if isinstance(v, (set, frozenset, tuple)):
            v = list(v)
        out = [_normalize(ty.elem, e, path + [("index", i)]) for i, e in enumerate(v)]
        return cty.set_elements(ty, out) if k == "set" else out
    if k == "map":
        return {kk: _normalize(ty.elem, vv, path + [("index", kk)]) for kk, vv in v.items()}
    if k == "object":
        return {a: _normalize(t, v.get(a), path + [("attr", a)]) for a, t in ty.attrs.items()}
    return v


class ProviderSchema:
    """The whole GetSchema answer: ``provider`` (Block), ``resources`` (dict
    type name -> Block with .version), ``data_sources``, ``capabilities``
    (dict of server capability flags), ``raw`` (the protobuf response)."""

    def __init__(self, resp):
        self.raw = resp
        self.provider = Block.from_proto(resp.provider.block, resp.provider.version)
        self.resources = {n: Block.from_proto(s.block, s.version) for n, s in resp.resource_schemas.items()}
        self.data_sources = {n: Block.from_proto(s.block, s.version)
                             for n, s in resp.data_source_schemas.items()}
        caps = {}
        if resp.HasField("server_capabilities"):
            for f in resp.server_capabilities.DESCRIPTOR.fields:
                caps[f.name] = getattr(resp.server_capabilities, f.name)
        self.capabilities = caps

    def resource(self, type_name):
        if type_name not in self.resources:
            raise KeyError("provider has no resource type %r (has %s)"
                           % (type_name, sorted(self.resources)))
        return self.resources[type_name]

    def data_source(self, type_name):
        if type_name not in self.data_sources:
            raise KeyError("provider has no data source %r (has %s)"
                           % (type_name, sorted(self.data_sources)))
        return self.data_sources[type_name]


def unknown_variants(block, cfg, whole_blocks=False):
    """(label, config) pairs: `cfg` (a partial config dict of `block`) with one
    configurable attribute replaced by UNKNOWN each, recursing into the first
    element of every nested block list given. With ``whole_blocks``, also each
    block list unknown as a whole (a dynamic block with an unknown for_each)."""
    out = []
    for n, a in block.attributes.items():
        if a.computed and not a.optional:
            continue
        c = dict(cfg)
        c[n] = cty.UNKNOWN
        out.append(("%s=unknown" % n, c))
    for n, b in block.block_types.items():
        if whole_blocks:
            c = dict(cfg)
            c[n] = cty.UNKNOWN
            out.append(("%s=unknown block" % n, c))
        if isinstance(cfg.get(n), list) and cfg[n]:
            for en, ec in unknown_variants(b.block, cfg[n][0], whole_blocks):
                c = dict(cfg)
                c[n] = [ec] + cfg[n][1:]
                out.append(("%s[0].%s" % (n, en), c))
    return out

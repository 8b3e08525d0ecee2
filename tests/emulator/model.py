"""model.py - validate SSM requests against botocore's service model, as AWS does.

AWS validates every JSON 1.1 request against the service's Smithy model before the
operation runs, and answers a violation with HTTP 400 ``ValidationException`` whose
message lists every violated constraint:

    1 validation error detected: Value 'x' at 'name' failed to satisfy constraint:
    Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.]{3,128}$

This module loads the model botocore ships (the same file the real SDKs are generated
from) and checks a decoded request body recursively: unknown members, missing required
members, JSON types, string/list/map length, regular expression patterns, enums and
integer ranges. Paths in messages use AWS's spelling: lowerCamel member names and
``<list>.<n>.member`` (1-based) for list elements.

Patterns in the model are Java regular expressions. The few Java-only constructs
(``\\p{L}``, ``\\p{Z}``, ``\\p{N}``, ASCII ``\\w``/``\\d``/``\\s``) are translated into
Python ``re`` syntax by ``java_regex_to_python``. Smithy patterns are not implicitly
anchored, so a value matches when ``re.search`` finds the pattern (most SSM patterns
carry their own ``^...$``).
"""

import json
import re

SSM_MODEL_PATH = "/usr/lib/python3/dist-packages/botocore/data/ssm/2014-11-06/service-2.json"

# Python equivalents of the Java Unicode classes used by the SSM model. \p{L} is
# approximated by "word character that is neither a digit nor underscore", \p{N} by
# Unicode decimal digits, \p{Z} by the Unicode space separators and line/paragraph
# separators (the Zs, Zl, Zp categories).
_UNICODE_CLASS = {
    "L": r"[^\W\d_]",
    "N": r"\d",
    "Z": "[ \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
}
# Java's \w, \d, \s are ASCII-only unless UNICODE_CHARACTER_CLASS is set.
_ASCII_CLASS = {"w": "a-zA-Z0-9_", "d": "0-9", "s": " \\t\\n\\x0b\\f\\r"}


def java_regex_to_python(pat):
    """Translate a Java regex from the model into an equivalent Python regex."""
    out = []
    i, n = 0, len(pat)
    while i < n:
        c = pat[i]
        if c == "\\" and i + 1 < n:
            e = pat[i + 1]
            if e in ("p", "P") and i + 2 < n and pat[i + 2] == "{":
                end = pat.index("}", i)
                cls = _UNICODE_CLASS[pat[i + 3:end]]
                out.append(cls if e == "p" else "(?:(?!%s)[\\s\\S])" % cls)
                i = end + 1
                continue
            if e in _ASCII_CLASS:
                out.append("[" + _ASCII_CLASS[e] + "]")
                i += 2
                continue
            if e in ("W", "D", "S"):
                out.append("[^" + _ASCII_CLASS[e.lower()] + "]")
                i += 2
                continue
            out.append(pat[i:i + 2])
            i += 2
            continue
        if c == "[":
            # Character class: collect members; \p{..} inside a class becomes an
            # alternation around the rest of the class.
            j = i + 1
            negated = j < n and pat[j] == "^"
            if negated:
                j += 1
            plain, extra = [], []
            first = True
            while j < n and (pat[j] != "]" or first):
                first = False
                if pat[j] == "\\" and j + 1 < n:
                    e = pat[j + 1]
                    if e in ("p", "P") and j + 2 < n and pat[j + 2] == "{":
                        end = pat.index("}", j)
                        extra.append(_UNICODE_CLASS[pat[j + 3:end]])
                        j = end + 1
                        continue
                    if e in _ASCII_CLASS:
                        plain.append(_ASCII_CLASS[e])
                        j += 2
                        continue
                    plain.append(pat[j:j + 2])
                    j += 2
                    continue
                plain.append(pat[j])
                j += 1
            body = "".join(plain)
            if not extra:
                out.append("[" + ("^" if negated else "") + body + "]")
            else:
                alts = list(extra)
                if body:
                    alts.insert(0, "[" + body + "]")
                alt = "(?:" + "|".join(alts) + ")"
                out.append("(?:(?!%s)[\\s\\S])" % alt if negated else alt)
            i = j + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def lower_camel(name):
    return name[:1].lower() + name[1:] if name else name


def _render(value):
    """Render a value the way AWS's Java validator prints it (Object.toString)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join("%s=%s" % (k, _render(v)) for k, v in value.items()) + "}"
    return str(value)


class Model:
    """One loaded botocore service model with a recursive request validator."""

    def __init__(self, path=SSM_MODEL_PATH):
        with open(path, encoding="utf-8") as f:
            self.raw = json.load(f)
        self.shapes = self.raw["shapes"]
        self.operations = self.raw["operations"]
        self.metadata = self.raw["metadata"]
        self._regex = {}

    def _compiled(self, pat):
        r = self._regex.get(pat)
        if r is None:
            r = re.compile(java_regex_to_python(pat))
            self._regex[pat] = r
        return r

    def input_shape(self, op):
        o = self.operations[op]
        return o["input"]["shape"] if "input" in o else None

    def output_shape(self, op):
        o = self.operations[op]
        return o["output"]["shape"] if "output" in o else None

    def validate_input(self, op, body):
        """Return a list of violation strings (empty when the request is valid)."""
        shape = self.input_shape(op)
        errors = []
        if shape is None:
            if body:
                errors.append("Operation %s takes no input but members were sent" % op)
            return errors
        self._check(shape, body, "", errors, top=True)
        return errors

    def _check(self, shape_name, value, path, errors, top=False):
        shape = self.shapes[shape_name]
        t = shape["type"]
        sensitive = bool(shape.get("sensitive"))
        where = path if path else shape_name

        def fail(constraint):
            if sensitive:
                errors.append("Value at '%s' failed to satisfy constraint: %s" % (where, constraint))
            else:
                errors.append("Value '%s' at '%s' failed to satisfy constraint: %s"
                              % (_render(value), where, constraint))

        if t == "structure":
            if not isinstance(value, dict):
                fail("Member must be a structure (JSON object)")
                return
            members = shape.get("members", {})
            for k in value:
                if k not in members:
                    errors.append("Unknown member '%s' at '%s' is not part of %s"
                                  % (k, (path + "." if path else "") + lower_camel(k), shape_name))
            for req in shape.get("required", []):
                if value.get(req) is None:
                    errors.append("Value null at '%s' failed to satisfy constraint: "
                                  "Member must not be null"
                                  % ((path + "." if path else "") + lower_camel(req)))
            for k, m in members.items():
                if k in value and value[k] is not None:
                    sub = (path + "." if path else "") + lower_camel(k)
                    self._check(m["shape"], value[k], sub, errors)
            return
        if t == "list":
            if not isinstance(value, list):
                fail("Member must be a list (JSON array)")
                return
            self._len(shape, len(value), fail)
            for idx, item in enumerate(value):
                if item is None:
                    errors.append("Value null at '%s.%d.member' failed to satisfy constraint: "
                                  "Member must not be null" % (where, idx + 1))
                    continue
                self._check(shape["member"]["shape"], item, "%s.%d.member" % (where, idx + 1), errors)
            return
        if t == "map":
            if not isinstance(value, dict):
                fail("Member must be a map (JSON object)")
                return
            self._len(shape, len(value), fail)
            for k, v in value.items():
                self._check(shape["key"]["shape"], k, "%s.%s.key" % (where, k), errors)
                if v is None:
                    errors.append("Value null at '%s.%s.value' failed to satisfy constraint: "
                                  "Member must not be null" % (where, k))
                    continue
                self._check(shape["value"]["shape"], v, "%s.%s.value" % (where, k), errors)
            return
        if t == "string":
            if not isinstance(value, str):
                fail("Member must be of type string")
                return
            if "enum" in shape and value not in shape["enum"]:
                fail("Member must satisfy enum value set: [%s]" % ", ".join(shape["enum"]))
            # Java's String.length(): UTF-16 code units (an emoji counts 2)
            self._len(shape, len(value.encode("utf-16-le")) // 2, fail)
            pat = shape.get("pattern")
            if pat is not None and not self._compiled(pat).search(value):
                fail("Member must satisfy regular expression pattern: %s" % pat)
            return
        if t in ("integer", "long"):
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                else:
                    fail("Member must be of type %s" % t)
                    return
            if "min" in shape and value < shape["min"]:
                fail("Member must have value greater than or equal to %s" % shape["min"])
            if "max" in shape and value > shape["max"]:
                fail("Member must have value less than or equal to %s" % shape["max"])
            if t == "integer" and not (-2 ** 31 <= value < 2 ** 31):
                fail("Member must be of type integer")
            return
        if t in ("float", "double"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                fail("Member must be of type %s" % t)
            return
        if t == "boolean":
            if not isinstance(value, bool):
                fail("Member must be of type boolean")
            return
        if t == "timestamp":
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                fail("Member must be of type timestamp")
            return
        if t == "blob":
            if not isinstance(value, str):
                fail("Member must be of type blob (base64 string)")
            return
        fail("Member has unsupported type %s" % t)

    @staticmethod
    def _len(shape, length, fail):
        if "min" in shape and length < shape["min"]:
            fail("Member must have length greater than or equal to %s" % shape["min"])
        if "max" in shape and length > shape["max"]:
            fail("Member must have length less than or equal to %s" % shape["max"])

    def check_output(self, op, body, extra_enums=None):
        """Self-check of the emulator: a response must conform to the operation's output
        shape as the model describes it: only model members, required members present,
        JSON types, enums, string and list lengths, patterns and integer ranges, except
        the few constraints AWS's own answers break (OUTPUT_EXEMPT). `extra_enums` adds
        accepted values to an enum shape ({shape name: values}). Returns a list of
        problems (empty when fine)."""
        shape = self.output_shape(op)
        problems = []
        if shape is None:
            if body:
                problems.append("%s has no output shape but returned %r" % (op, body))
            return problems
        self._out(shape, body, op, problems, extra_enums or {})
        return problems

    def _out(self, shape_name, value, path, problems, extra):
        shape = self.shapes[shape_name]
        t = shape["type"]

        def bad(what):
            problems.append("%s: %s (%s)" % (path, what, shape_name))

        def length(n):
            if "min" in shape and n < shape["min"] and (shape_name, "min") not in OUTPUT_EXEMPT:
                bad("length %d < %s" % (n, shape["min"]))
            if "max" in shape and n > shape["max"] and (shape_name, "max") not in OUTPUT_EXEMPT:
                bad("length %d > %s" % (n, shape["max"]))

        if t == "structure":
            if not isinstance(value, dict):
                bad("expected object")
                return
            members = shape.get("members", {})
            for req in shape.get("required", []):
                if value.get(req) is None:
                    bad("required member %s missing" % req)
            for k, v in value.items():
                m = members.get(k)
                if m is None:
                    bad("%s is not a member" % k)
                elif v is None:
                    bad("%s is null" % k)
                else:
                    self._out(m["shape"], v, path + "." + k, problems, extra)
        elif t == "list":
            if not isinstance(value, list):
                bad("expected list")
                return
            length(len(value))
            for i, v in enumerate(value):
                self._out(shape["member"]["shape"], v, "%s[%d]" % (path, i), problems, extra)
        elif t == "map":
            if not isinstance(value, dict):
                bad("expected map")
                return
            length(len(value))
            for k, v in value.items():
                self._out(shape["key"]["shape"], k, "%s{%s}" % (path, k), problems, extra)
                self._out(shape["value"]["shape"], v, "%s[%s]" % (path, k), problems, extra)
        elif t == "string":
            if not isinstance(value, str):
                bad("expected string")
                return
            if "enum" in shape and value not in shape["enum"] and value not in extra.get(shape_name, ()):
                bad("%r is not one of %s" % (value, shape["enum"]))
            length(len(value.encode("utf-16-le")) // 2)
            pat = shape.get("pattern")
            if pat is not None and (shape_name, "pattern") not in OUTPUT_EXEMPT \
                    and not self._compiled(pat).search(value):
                bad("%r does not match %s" % (value, pat))
        elif t in ("integer", "long"):
            if isinstance(value, bool) or not isinstance(value, int):
                bad("expected integer")
                return
            if "min" in shape and value < shape["min"]:
                bad("%d < %s" % (value, shape["min"]))
            if "max" in shape and value > shape["max"]:
                bad("%d > %s" % (value, shape["max"]))
        elif t in ("float", "double"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                bad("expected number")
        elif t == "boolean":
            if not isinstance(value, bool):
                bad("expected boolean")
        elif t == "timestamp":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                bad("expected epoch number")
        elif t == "blob":
            if not isinstance(value, str):
                bad("expected base64 string")


# Output-shape constraints the live service itself does not keep, so the self-check
# must not hold the emulator to them: (shape, constraint) -> what AWS answers instead.
OUTPUT_EXEMPT = {
    ("InstancePatchStatesList", "max"): "the model says at most 5; AWS pages up to MaxResults "
                                        "(10..100) per call",
    ("InstancePatchStatesList", "min"): "a patch group without reports answers an empty list",
    ("StringDateTime", "pattern"): "GetCommandInvocation's ExecutionElapsedTime is a duration "
                                   "(PT0.541S, the AWS CLI reference) and '' before it starts",
    ("PatchGroup", "min"): "an instance without a Patch Group tag reports PatchGroup ''",
}


def validation_message(errors):
    n = len(errors)
    return "%d validation error%s detected: %s" % (n, "" if n == 1 else "s", "; ".join(errors))


def sts_duration(form):
    """STS's DurationSeconds (AssumeRole, AssumeRoleWithWebIdentity): (seconds,
    None), 3600 when absent, or (None, the constraint message) outside 900-43200."""
    if "DurationSeconds" not in form:
        return 3600, None
    try:
        duration = int(form["DurationSeconds"])
    except ValueError:
        duration = -1
    if 900 <= duration <= 43200:
        return duration, None
    return None, ("Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have "
                  "value %s" % (form["DurationSeconds"], "greater than or equal to 900"
                                if duration < 900 else "less than or equal to 43200"))


def sts_role(role_arn):
    """(account, role name) of an IAM role ARN as STS accepts it, else None."""
    m = re.fullmatch(r"arn:aws[a-zA-Z-]*:iam::(\d{12}):role/((?:[\w+=,.@-]+/)*)([\w+=,.@-]+)",
                     role_arn, re.ASCII)
    return (m.group(1), m.group(3)) if m else None

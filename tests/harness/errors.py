"""Exceptions and diagnostics of the harness.

``ProviderBug`` and its subclasses are raised when an answer from the
provider breaks a rule Terraform core enforces; ``str(exc)`` starts with the
exact summary Terraform would print ("Provider produced invalid plan", ...)
followed by every problem found, each with its attribute path. They derive
from AssertionError so pytest reports them as test failures.

``OperationFailed`` is not a provider bug: the provider answered with ERROR
diagnostics (Terraform would stop and show them). It carries the diagnostics
and, for apply, the (partial) state the provider returned.
"""

from . import cty


def path_from_proto(ap):
    """An AttributePath message as a list of ("attr", name) / ("index", key)
    steps (a step with no selector is ("invalid", None))."""
    out = []
    for s in ap.steps:
        which = s.WhichOneof("selector")
        if which == "attribute_name":
            out.append(("attr", s.attribute_name))
        elif which in ("element_key_string", "element_key_int"):
            out.append(("index", getattr(s, which)))
        else:
            out.append(("invalid", None))
    return out


class Diagnostic:
    """One diagnostic: severity 'error'|'warning', summary, detail, ``path``
    (list of steps, or None) and ``attribute`` (the path as a string such as
    'approval_rule[0].approve_after_days', '' for none)."""

    def __init__(self, severity, summary, detail="", path=None):
        self.severity = severity
        self.summary = summary
        self.detail = detail
        self.path = path
        self.attribute = cty.format_path(path, leading_dot=False) if path else ""

    @classmethod
    def from_proto(cls, d):
        sev = {1: "error", 2: "warning"}.get(d.severity, "invalid(%d)" % d.severity)
        path = path_from_proto(d.attribute) if d.HasField("attribute") and d.attribute.steps else None
        return cls(sev, d.summary, d.detail, path)

    @property
    def is_error(self):
        return self.severity == "error"

    def __repr__(self):
        at = " at %s" % self.attribute if self.attribute else ""
        return "<%s%s: %s%s>" % (self.severity.upper(), at, self.summary,
                                 (" -- " + self.detail) if self.detail else "")


def errors_of(diags):
    return [d for d in diags if d.is_error]


class HarnessError(Exception):
    """Misuse of the harness or an environment problem."""


class ProtocolError(AssertionError):
    """The provider broke the go-plugin / gRPC protocol (handshake, wire)."""


class ProviderBug(AssertionError):
    """An answer Terraform core would reject. ``summary`` is Terraform's
    error summary, ``problems`` a list of (path, message)."""

    summary = "Provider produced an invalid answer"

    def __init__(self, what, problems=None, detail=""):
        self.what = what
        self.problems = list(problems or [])
        self.detail = detail
        lines = ["%s: %s" % (self.summary, what)]
        for p, msg in self.problems:
            lines.append("  - %s: %s" % (cty.format_path(p) or "(root)", msg))
        if detail:
            lines.append("  " + detail)
        super().__init__("\n".join(lines))


def _bug(name, summary):
    """A ProviderBug subclass named after a Terraform error, with its summary."""
    return type(name, (ProviderBug,), {"summary": summary, "__module__": __name__,
                                       "__doc__": "Terraform's \"%s\"." % summary})


InvalidPlan = _bug("InvalidPlan", "Provider produced invalid plan")
InconsistentResult = _bug("InconsistentResult", "Provider produced inconsistent result after apply")
InvalidResultObject = _bug("InvalidResultObject", "Provider returned invalid result object after apply")
InconsistentFinalPlan = _bug("InconsistentFinalPlan", "Provider produced inconsistent final plan")
InvalidObject = _bug("InvalidObject", "Provider produced invalid object")
InvalidUpgrade = _bug("InvalidUpgrade", "Invalid resource state upgrade")


class ImportFailed(ProviderBug):
    """Import answers Terraform rejects; ``summary`` set per instance."""

    def __init__(self, summary, what, problems=None, detail=""):
        self.summary = summary
        super().__init__(what, problems, detail)


class OperationFailed(Exception):
    """The provider returned ERROR diagnostics. ``diagnostics`` is the whole
    list, ``state`` the object returned alongside (apply: partial state)."""

    def __init__(self, operation, diagnostics, state=None):
        self.operation = operation
        self.diagnostics = list(diagnostics)
        self.state = state
        super().__init__("%s failed: %s" % (operation, "; ".join(repr(d) for d in errors_of(self.diagnostics))))

"""tfcli.py - the one runner for real Terraform and OpenTofu CLIs in tests.

Every test that drives a real `terraform` or `tofu` goes through this module:

- discovery: ``clients()`` finds the CLIs present - ``$TERRAFORM`` (else
  `terraform` on PATH), ``$TOFU`` (else `tofu` on PATH), and the pinned
  clients ``terraform-0.13.7``, ``terraform-1.14.8`` and ``tofu-1.6.0`` from a
  ``shared/clients`` directory (``$SSMPATCH_CLIENTS_DIR``, else the nearest
  ``shared/clients`` above the repository: ``../shared/clients`` for a clone
  next to it). Each ``Client`` knows its kind, version, the plugin protocols
  it speaks (Terraform before 0.15: 5 only) and the registry host its
  shorthand sources mean (OpenTofu reads ``ssmpatch/ssmpatch`` as
  ``registry.opentofu.org/ssmpatch/ssmpatch``);
- parametrisation: ``client_params()`` and ``protocol_params()`` give pytest
  parameters for every known client slot, present or not; an absent client,
  one too old for the test, or one left out of the selected set is a skip
  with a message saying why and how to run it;
- ``Workdir``: one working directory with a private CLI configuration whose
  filesystem mirror holds the provider under both registry hosts (so the
  same configuration installs with Terraform and OpenTofu), the plugin
  protocol pinned through SSMPATCH_PROTOCOL_VERSIONS, and every command's
  TF_LOG written to one file (``log_path``), quoted when a command fails.

Which clients run (``SSMPATCH_TF_CLIENTS``):

- unset or ``default`` (CI): every present client; the primary terraform
  (``$TERRAFORM`` or PATH) with every protocol it speaks, every other client
  with its newest protocol only;
- ``all``: every present client with every protocol it speaks;
- a comma list of slot names (``terraform,tofu-1.6.0``): those, every protocol.

See tests/harness/README.md ("Real CLIs") for examples.
"""

import functools
import json
import os
import pathlib
import platform as _platform
import re
import shutil
import subprocess
import textwrap

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(TESTS)

NAMESPACE_TYPE = "ssmpatch/ssmpatch"
HOSTS = ("registry.terraform.io", "registry.opentofu.org")
SOURCES = tuple("%s/%s" % (h, NAMESPACE_TYPE) for h in HOSTS)

# The pinned clients looked for in shared/clients, by file name.
SHARED_CLIENTS = ("terraform-0.13.7", "terraform-1.14.8", "tofu-1.6.0")
# Every slot a parameter list covers, in order; the first is the primary terraform.
SLOTS = ("terraform", "tofu") + SHARED_CLIENTS
ENV_SELECT = "SSMPATCH_TF_CLIENTS"


def provider_version():
    """The provider's version, from the project() line of CMakeLists.txt."""
    with open(os.path.join(REPO, "CMakeLists.txt")) as f:
        m = re.search(r"project\(terraform-provider-ssmpatch VERSION ([0-9.]+)", f.read())
    return m.group(1)


def host_platform():
    """Terraform's name for this machine's platform (linux_amd64, linux_arm64)."""
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
    machine = _platform.machine().lower()
    return "%s_%s" % (_platform.system().lower(), arch.get(machine, machine))


def provider_binary():
    """The provider under test: $SSMPATCH_PROVIDER or build/terraform-provider-ssmpatch."""
    p = os.environ.get("SSMPATCH_PROVIDER") or os.path.join(REPO, "build", "terraform-provider-ssmpatch")
    return os.path.abspath(p)


# ---- clients --------------------------------------------------------------------------------


class Client:
    """One real CLI: ``name`` (its slot), ``path``, ``kind`` ("terraform" or
    "tofu"), ``version`` (tuple of ints), ``origin`` (where it was found)."""

    def __init__(self, name, path, kind, version, origin):
        self.name = name
        self.path = path
        self.kind = kind
        self.version = version
        self.origin = origin

    @property
    def protocols(self):
        """Plugin protocol versions this client speaks, oldest first."""
        if self.kind == "terraform" and self.version < (0, 15):
            return (5,)
        return (5, 6)

    @property
    def host(self):
        """The registry host a shorthand source such as ssmpatch/ssmpatch means."""
        return "registry.opentofu.org" if self.kind == "tofu" else "registry.terraform.io"

    @property
    def source(self):
        """The provider's full source address as this client reads the shorthand."""
        return "%s/%s" % (self.host, NAMESPACE_TYPE)

    def at_least(self, *version):
        return self.version >= tuple(version)

    @property
    def version_text(self):
        return ".".join(str(v) for v in self.version)

    def __repr__(self):
        return "<%s %s %s (%s)>" % (self.name, self.kind, self.version_text, self.path)


def _quiet_env():
    env = dict(os.environ)
    env.update({"CHECKPOINT_DISABLE": "1", "TF_CLI_CONFIG_FILE": os.devnull})
    env.pop("TF_LOG", None)
    return env


@functools.lru_cache(maxsize=None)
def _identify(path):
    """(kind, version) of the CLI at path, from `version` ("Terraform v1.11.4",
    "OpenTofu v1.6.0"); None if it does not answer like one."""
    try:
        out = subprocess.run([path, "version"], capture_output=True, text=True, timeout=60,
                             env=_quiet_env(), stdin=subprocess.DEVNULL).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"^(Terraform|OpenTofu) v(\d+)\.(\d+)\.(\d+)", out, re.M)
    if not m:
        return None
    kind = "tofu" if m.group(1) == "OpenTofu" else "terraform"
    return kind, tuple(int(x) for x in m.group(2, 3, 4))


def shared_clients_dir():
    """$SSMPATCH_CLIENTS_DIR, else the nearest shared/clients above the repository."""
    if os.environ.get("SSMPATCH_CLIENTS_DIR"):
        return os.environ["SSMPATCH_CLIENTS_DIR"]
    d = os.path.dirname(REPO)
    while True:
        cand = os.path.join(d, "shared", "clients")
        if os.path.isdir(cand):
            return cand
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _slot_path(slot):
    """(path or None, origin, how to provide it) of a slot."""
    if slot in ("terraform", "tofu"):
        var = slot.upper()
        if os.environ.get(var):
            return os.environ[var], "$" + var, "set %s=/path" % var
        return shutil.which(slot), "PATH", "put %s on PATH or set %s=/path" % (slot, var)
    d = shared_clients_dir()
    hint = "not in a shared/clients directory above the repository (or $SSMPATCH_CLIENTS_DIR)"
    return (os.path.join(d, slot) if d else None), "shared clients", hint


@functools.lru_cache(maxsize=None)
def _discover():
    """{slot: Client or str (why absent)}; a binary met twice counts once."""
    found, seen = {}, {}
    for slot in SLOTS:
        path, origin, hint = _slot_path(slot)
        if not path or not os.path.isfile(path) or not os.access(path, os.X_OK):
            found[slot] = "%s not found: %s" % (slot, hint)
            continue
        real = os.path.realpath(path)
        if real in seen:
            found[slot] = "%s is the same binary as %s (%s)" % (slot, seen[real], path)
            continue
        ident = _identify(real)
        if ident is None:
            found[slot] = "%s (%s) does not answer `version` like Terraform or OpenTofu" % (slot, path)
            continue
        seen[real] = slot
        found[slot] = Client(slot, os.path.abspath(path), ident[0], ident[1], origin)
    return found


def clients():
    """Every client present, primary terraform first."""
    return [c for c in _discover().values() if isinstance(c, Client)]


def client(name):
    """The Client of slot `name`, or None when absent."""
    c = _discover().get(name)
    return c if isinstance(c, Client) else None


def primary():
    """The primary terraform ($TERRAFORM or PATH), or None."""
    return client("terraform")


def first(kind=None, min_version=None):
    """The first present client of a kind ("terraform", "tofu", None = any)
    at least min_version, or None."""
    for c in clients():
        if (kind is None or c.kind == kind) and (min_version is None or c.at_least(*min_version)):
            return c
    return None


def _selection():
    sel = (os.environ.get(ENV_SELECT) or "default").strip()
    if sel in ("default", "all"):
        return sel, None
    names = {s.strip() for s in sel.split(",") if s.strip()}
    unknown = names - set(SLOTS)
    if unknown:
        raise ValueError("%s names unknown clients %s (known: %s)" % (ENV_SELECT, sorted(unknown), ", ".join(SLOTS)))
    return "names", names


def _why_not(slot, kinds, min_version):
    """(Client, None) when the slot's client may run, else (None, reason)."""
    c = _discover()[slot]
    if not isinstance(c, Client):
        return None, c
    mode, names = _selection()
    if mode == "names" and slot not in names:
        return None, "%s not selected (%s=%s)" % (slot, ENV_SELECT, os.environ.get(ENV_SELECT))
    if kinds is not None and c.kind not in kinds:
        return None, "%s is %s; this test needs %s" % (slot, c.kind, " or ".join(kinds))
    if min_version is not None and not c.at_least(*min_version):
        return None, "%s is %s %s; this test needs %s" % (
            slot, c.kind, c.version_text, ".".join(str(v) for v in min_version) + "+")
    return c, None


def client_params(kinds=None, min_version=None):
    """pytest parameters, one per client slot (id = slot name): the Client,
    or a skip saying why (absent, wrong kind, too old, not selected).

        @pytest.mark.parametrize("cli", tfcli.client_params(min_version=(1, 6)))
        def test_x(cli, tmp_path): ...
    """
    import pytest
    out = []
    for slot in SLOTS:
        c, why = _why_not(slot, kinds, min_version)
        out.append(pytest.param(c, id=slot, marks=() if c else pytest.mark.skip(reason=why)))
    return out


def protocol_params(kinds=None, min_version=None, protocols=(5, 6)):
    """pytest parameters (Client, protocol), one per client slot and protocol
    (id = "slot-p5"). A protocol the client does not speak is left out; in
    the default selection only the primary terraform runs every protocol,
    the others their newest one (the rest is a skip naming
    SSMPATCH_TF_CLIENTS=all).

        @pytest.mark.parametrize("cli,protocol", tfcli.protocol_params())
        def test_x(cli, protocol, tmp_path): ...
    """
    import pytest
    mode, _ = _selection()
    out = []
    for slot in SLOTS:
        c, why = _why_not(slot, kinds, min_version)
        offered = c.protocols if c else protocols
        for p in protocols:
            pid = "%s-p%d" % (slot, p)
            if c is None:
                out.append(pytest.param(None, p, id=pid, marks=pytest.mark.skip(reason=why)))
                continue
            if p not in offered:
                continue
            if mode == "default" and slot != SLOTS[0] and p != max(set(offered) & set(protocols)):
                reason = "%s over protocol %d runs in the full matrix only (%s=all)" % (slot, p, ENV_SELECT)
                out.append(pytest.param(c, p, id=pid, marks=pytest.mark.skip(reason=reason)))
                continue
            out.append(pytest.param(c, p, id=pid))
    return out


def require(kinds=None, min_version=None):
    """The first selected client matching, or pytest.skip saying what is missing."""
    import pytest
    reasons = []
    for slot in SLOTS:
        c, why = _why_not(slot, kinds, min_version)
        if c:
            return c
        reasons.append(why)
    pytest.skip("no suitable CLI: " + "; ".join(reasons))


# ---- CLI configuration and the filesystem mirror ----------------------------------------------


def write_filesystem_mirror(mirror, binary=None, version=None, platform=None, hosts=HOSTS):
    """Put the provider binary into an unpacked filesystem mirror at `mirror`
    under every host: <mirror>/<host>/ssmpatch/ssmpatch/<version>/<platform>/
    terraform-provider-ssmpatch_v<version>. Returns the mirror path."""
    binary = binary or provider_binary()
    version = version or provider_version()
    platform = platform or host_platform()
    for host in hosts:
        d = os.path.join(str(mirror), host, NAMESPACE_TYPE, version, platform)
        os.makedirs(d, exist_ok=True)
        shutil.copy2(binary, os.path.join(d, "terraform-provider-ssmpatch_v%s" % version))
    return str(mirror)


_shared_mirrors = {}


def shared_mirror():
    """One filesystem mirror of the provider under test per process (made on
    first use in a temporary directory, removed at exit), so working
    directories do not each carry copies of the binary."""
    binary = provider_binary()
    st = os.stat(binary)
    key = (binary, st.st_mtime_ns, st.st_size)
    if key not in _shared_mirrors:
        import atexit
        import tempfile
        d = tempfile.mkdtemp(prefix="ssmpatch-mirror-")
        atexit.register(shutil.rmtree, d, True)
        _shared_mirrors[key] = write_filesystem_mirror(d, binary)
    return _shared_mirrors[key]


def _hcl_list(items):
    return "[%s]" % ", ".join(json.dumps(i) for i in items)


def cli_config_text(filesystem_mirror=None, network_mirror=None, sources=SOURCES):
    """A CLI configuration installing `sources` only from the given mirror
    (a filesystem path, or a network mirror URL ending in "/") and anything
    else directly."""
    blocks = []
    if filesystem_mirror:
        blocks.append('  filesystem_mirror {\n    path    = %s\n    include = %s\n  }'
                      % (json.dumps(str(filesystem_mirror)), _hcl_list(sources)))
    if network_mirror:
        blocks.append('  network_mirror {\n    url     = %s\n    include = %s\n  }'
                      % (json.dumps(network_mirror), _hcl_list(sources)))
    blocks.append('  direct {\n    exclude = %s\n  }' % _hcl_list(sources))
    return "provider_installation {\n%s\n}\n" % "\n".join(blocks)


# ---- working directories ----------------------------------------------------------------------


class CliError(AssertionError):
    """A command exited with an unexpected code: the message has its output and
    the provider's error lines from the TF_LOG file."""

    def __init__(self, message, proc):
        super().__init__(message)
        self.proc = proc


NEGOTIATED_RE = re.compile(r"using plugin: version=(\d+)")


class Workdir:
    """A private working directory for one client.

    Workdir(cli, root, protocol=None, example=None, files=None, env=None,
            home=None, cli_config=None, mirror=True)

    - `root`: an empty directory (pytest's tmp_path); everything lives below it.
      ``root``, ``dir`` (where commands run), ``log_path``, ``cli_config`` and
      ``home`` are pathlib.Paths.
    - `example`: copy examples/ into root/examples and work in examples/<example>;
      `files`: {name: text} written into root/work and work there instead.
    - `protocol`: 5 or 6 pins the plugin protocol (SSMPATCH_PROTOCOL_VERSIONS,
      which Terraform passes through to the provider); None leaves it to the
      client.
    - `mirror`: True installs from a filesystem mirror holding the provider
      (SSMPATCH_PROVIDER) under both registry hosts (``shared_mirror()``); `cli_config` (text) replaces the generated
      CLI configuration (root/cli.tfrc, TF_CLI_CONFIG_FILE); False runs with
      no CLI configuration at all, as a new user does (the implied local
      mirrors under HOME then apply).
    - `home`: True gives the commands a private HOME (root/home), a path uses
      that one; None keeps the caller's.
    - `env`: extra environment for every command.

    ``run(*args, expect=(0,))`` runs the client in ``dir`` and returns the
    CompletedProcess, or raises CliError; ``popen(*args)`` starts it without
    waiting. TF_LOG (default DEBUG, or the caller's TF_LOG) goes to ``log_path``.
    """

    def __init__(self, cli, root, protocol=None, example=None, files=None, env=None,
                 home=None, cli_config=None, mirror=True):
        if protocol is not None and protocol not in cli.protocols:
            raise ValueError("%r does not speak protocol %d" % (cli, protocol))
        self.cli = cli
        self.root = root = pathlib.Path(root)
        root.mkdir(parents=True, exist_ok=True)
        self.protocol = protocol
        self.log_path = root / "tf.log"
        self.mirror = None
        if mirror:
            self.mirror = shared_mirror()
        self.cli_config = None
        if cli_config is not False:
            self.cli_config = root / "cli.tfrc"
            with open(self.cli_config, "w") as f:
                f.write(cli_config if cli_config is not None else cli_config_text(filesystem_mirror=self.mirror))
        if example is not None:
            shutil.copytree(os.path.join(REPO, "examples"), root / "examples",
                            ignore=shutil.ignore_patterns(".terraform*", "terraform.tfstate*"))
            self.dir = root / "examples" / example
        else:
            self.dir = root / "work"
            self.dir.mkdir(parents=True, exist_ok=True)
            for name, text in (files or {}).items():
                (self.dir / name).write_text(textwrap.dedent(text))
        self.env = dict(os.environ)
        self.env.update({
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
            "TF_LOG": os.environ.get("TF_LOG") or "DEBUG",
            "TF_LOG_PATH": str(self.log_path),
        })
        for var in ("TF_CLI_CONFIG_FILE", "TOFU_CLI_CONFIG_FILE", "TF_DATA_DIR", "TF_PLUGIN_CACHE_DIR",
                    "TF_WORKSPACE"):
            self.env.pop(var, None)
        if self.cli_config:
            self.env["TF_CLI_CONFIG_FILE"] = str(self.cli_config)
        if protocol is not None:
            self.env["SSMPATCH_PROTOCOL_VERSIONS"] = str(protocol)
        self.home = None
        if home:
            self.home = pathlib.Path(home if isinstance(home, (str, os.PathLike)) else root / "home")
            self.home.mkdir(parents=True, exist_ok=True)
            self.env["HOME"] = str(self.home)
        self.env.update(env or {})

    # -- commands

    def argv(self, *args):
        return [self.cli.path, *[str(a) for a in args]]

    def run(self, *args, expect=(0,), timeout=300, cwd=None, input=None):
        """Run `<cli> args...` in the working directory; CompletedProcess, or
        CliError when the exit code is not in `expect`."""
        proc = subprocess.run(self.argv(*args), cwd=cwd or self.dir, env=self.env, capture_output=True,
                              text=True, timeout=timeout, input=input,
                              stdin=None if input is not None else subprocess.DEVNULL)
        if expect is not None and proc.returncode not in expect:
            raise CliError("%s %s exited %d (expected %s)\nstdout:\n%s\nstderr:\n%s\nprovider errors in %s:\n%s"
                           % (self.cli.name, " ".join(map(str, args)), proc.returncode, expect,
                              proc.stdout[-6000:], proc.stderr[-6000:], self.log_path,
                              self.provider_errors()), proc)
        return proc

    def popen(self, *args, **kw):
        """Start `<cli> args...` without waiting (subprocess.Popen keywords allowed)."""
        kw.setdefault("cwd", self.dir)
        kw.setdefault("env", self.env)
        kw.setdefault("stdin", subprocess.DEVNULL)
        return subprocess.Popen(self.argv(*args), **kw)

    def init(self, *args):
        return self.run("init", "-input=false", "-no-color", *args)

    def outputs(self):
        """{name: value} of `output -json`."""
        return {k: v["value"] for k, v in json.loads(self.run("output", "-json").stdout).items()}

    def state_list(self):
        return self.run("state", "list").stdout.split()

    def show_json(self):
        return json.loads(self.run("show", "-json").stdout)

    # -- the log

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def provider_errors(self, limit=4000):
        lines = [ln for ln in self.log().splitlines()
                 if "ssmpatch" in ln and ("ERROR" in ln or "error" in ln)]
        return "\n".join(lines)[-limit:]

    def negotiated_protocols(self):
        """Plugin protocol versions go-plugin reported negotiating ("using plugin:
        version=N") in every provider start logged so far."""
        return {int(v) for v in NEGOTIATED_RE.findall(self.log())}

"""Python protobuf modules for the plugin protocol, generated at test time.

The harness is a second, independent implementation of the client side of the
Terraform plugin protocol, so it compiles the repository's own
``proto/tfplugin5.proto`` and ``proto/tfplugin6.proto`` (the wire contract the C
provider is built from) with Debian's ``protoc --python_out`` into a cache
directory, keyed by the hash of the .proto contents, and imports them from
there. Nothing generated is ever written into the source tree and no
grpc_tools stubs are needed: calls go through ``channel.unary_unary`` with the
message classes' own serializers (see plugin.py).

The side services of go-plugin (controller, stdio, health) use the harness's
own small ``tests/harness/proto/ssmpatch_harness_side.proto``.

Where the .proto files come from, first match wins:
  1. env ``SSMPATCH_PROTO_DIR`` (a directory holding tfplugin5.proto/tfplugin6.proto),
  2. ``<repo>/proto``.
"""

import hashlib
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SIDE_PROTO_DIR = os.path.join(HERE, "proto")
PROTOBUF_INCLUDE = "/usr/include"

_lock = threading.Lock()
_loaded = None


class ProtoUnavailable(RuntimeError):
    """The tfplugin .proto files or protoc are missing (tests should skip)."""


def proto_dir():
    """Directory holding tfplugin5.proto and tfplugin6.proto."""
    cand = os.environ.get("SSMPATCH_PROTO_DIR") or os.path.join(REPO_ROOT, "proto")
    if not (os.path.isfile(os.path.join(cand, "tfplugin5.proto"))
            and os.path.isfile(os.path.join(cand, "tfplugin6.proto"))):
        raise ProtoUnavailable(
            "tfplugin5.proto/tfplugin6.proto not found in %s "
            "(set SSMPATCH_PROTO_DIR or merge the rpc branch)" % cand)
    return cand


def _compile(out_dir, include_dirs, files):
    protoc = shutil.which("protoc")
    if not protoc:
        raise ProtoUnavailable("protoc not found: apt-get install protobuf-compiler")
    cmd = [protoc] + ["-I" + d for d in include_dirs] + ["--python_out=" + out_dir] + files
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise ProtoUnavailable("protoc failed: %s\n%s" % (" ".join(cmd), res.stderr))


class Protos:
    """The generated modules: ``v5``, ``v6`` (tfplugin5_pb2, tfplugin6_pb2) and
    ``side`` (controller/stdio/health messages)."""

    def __init__(self, v5, v6, side, out_dir):
        self.v5 = v5
        self.v6 = v6
        self.side = side
        self.out_dir = out_dir

    def for_version(self, version):
        return self.v5 if int(version) == 5 else self.v6


def load():
    """Compile (once per content hash) and import the protocol modules."""
    global _loaded
    with _lock:
        if _loaded is not None:
            return _loaded
        pdir = proto_dir()
        srcs = [os.path.join(pdir, "tfplugin5.proto"), os.path.join(pdir, "tfplugin6.proto"),
                os.path.join(SIDE_PROTO_DIR, "ssmpatch_harness_side.proto")]
        h = hashlib.sha256()
        for s in srcs:
            with open(s, "rb") as f:
                h.update(f.read())
        out = os.path.join(tempfile.gettempdir(), "ssmpatch-harness-pb-%s" % h.hexdigest()[:16])
        marker = os.path.join(out, ".complete")
        if not os.path.exists(marker):
            tmp = tempfile.mkdtemp(prefix="ssmpatch-harness-pb-")
            _compile(tmp, [pdir, PROTOBUF_INCLUDE], srcs[:2])
            _compile(tmp, [SIDE_PROTO_DIR, PROTOBUF_INCLUDE], srcs[2:])
            open(os.path.join(tmp, ".complete"), "w").close()
            try:
                os.rename(tmp, out)
            except OSError:
                shutil.rmtree(tmp, ignore_errors=True)  # another session won the race
        if out not in sys.path:
            sys.path.insert(0, out)
        v5 = importlib.import_module("tfplugin5_pb2")
        v6 = importlib.import_module("tfplugin6_pb2")
        side = importlib.import_module("ssmpatch_harness_side_pb2")
        _loaded = Protos(v5, v6, side, out)
        return _loaded

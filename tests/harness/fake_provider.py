#!/usr/bin/python3
"""A tiny go-plugin provider in Python, for testing the harness itself.

It is NOT a model of the ssmpatch provider: it serves one resource type,
``fake_thing``, kept in a JSON file (env FAKE_PROVIDER_STORE), and speaks the
plugin protocol the way docs/protocol.md describes (cookie check, version
negotiation, unix socket, AutoMTLS, health, controller, stdio, tfplugin5 and
tfplugin6). ``FAKE_PROVIDER_BUG`` injects one misbehaviour so the harness's
checks can be shown to fire:

  plan_changes_config   planned name differs from config
  apply_changes_known   apply returns a different known value (description)
  apply_unknown         apply leaves a computed attribute unknown
  missing_attr          planned object lacks an attribute
  read_unknown          read returns an unknown
  import_two            import returns two objects
  import_wrong_type     import returns another type name
  no_shutdown           Shutdown does not exit the process
  shutdown_fails        Shutdown exits but answers UNAVAILABLE "Broken pipe"
  replace_bad_path      requires_replace names a non-existent attribute
  final_plan_differs    second plan of the same change differs (arn known)

Run it as the provider binary: SSMPATCH_PROVIDER=tests/harness/fake_provider.py
"""

import base64
import datetime
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from concurrent import futures

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import grpc  # noqa: E402

from harness import cty, protos  # noqa: E402
from harness.schema import Block  # noqa: E402

COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
BUG = os.environ.get("FAKE_PROVIDER_BUG", "")
STORE = os.environ.get("FAKE_PROVIDER_STORE", os.path.join(tempfile.gettempdir(), "fake-provider-store.json"))


def log(level, msg, **kw):
    line = {"@level": level, "@message": msg, "@module": "provider",
            "@timestamp": datetime.datetime.now().astimezone().isoformat(timespec="microseconds")}
    line.update(kw)
    sys.stderr.write(json.dumps(line) + "\n")
    sys.stderr.flush()


def build_schema(pb):
    S = pb.Schema

    def attr(name, t, **kw):
        return S.Attribute(name=name, type=json.dumps(t).encode(), **kw)
    filt = S.Block(attributes=[attr("key", "string", required=True),
                               attr("values", ["list", "string"], required=True)])
    rule = S.Block(attributes=[attr("approve_after_days", "number", optional=True),
                               attr("compliance_level", "string", optional=True, computed=True)],
                   block_types=[S.NestedBlock(type_name="filter", block=filt, nesting=S.NestedBlock.LIST,
                                              min_items=1, max_items=10)])
    thing = S.Block(attributes=[
        attr("id", "string", computed=True), attr("arn", "string", computed=True),
        attr("name", "string", required=True), attr("description", "string", optional=True),
        attr("kind", "string", optional=True, computed=True),
        attr("groups", ["set", "string"], optional=True),
        attr("secret", "string", optional=True, sensitive=True),
        attr("tags", ["map", "string"], optional=True), attr("tags_all", ["map", "string"], computed=True)],
        block_types=[S.NestedBlock(type_name="rule", block=rule, nesting=S.NestedBlock.LIST, max_items=10)])
    prov = S.Block(attributes=[attr("region", "string", optional=True),
                               attr("default_tags", ["map", "string"], optional=True)])
    return S(version=0, block=prov), {"fake_thing": S(version=1, block=thing)}


class Impl:
    def __init__(self, pb, version):
        self.pb = pb
        self.version = version
        self.prov_schema, self.res_schemas = build_schema(pb)
        self.block = Block.from_proto(self.res_schemas["fake_thing"].block)
        self.ty = self.block.implied_type()
        self.pty = Block.from_proto(self.prov_schema.block).implied_type()
        self.default_tags = {}

    # helpers
    def dv(self, v, ty=None):
        return self.pb.DynamicValue(msgpack=cty.encode_msgpack(ty or self.ty, v))

    def undv(self, dv, ty=None):
        ty = ty or self.ty
        if dv.msgpack:
            return cty.decode_msgpack(ty, dv.msgpack)
        if dv.json:
            return cty.from_json(ty, dv.json)
        return None

    def diag(self, summary, path=None, detail=""):
        d = self.pb.Diagnostic(severity=self.pb.Diagnostic.ERROR, summary=summary, detail=detail)
        if path:
            for kind, key in path:
                st = d.attribute.steps.add()
                if kind == "attr":
                    st.attribute_name = key
                elif isinstance(key, int):
                    st.element_key_int = key
                else:
                    st.element_key_string = key
        return d

    def load(self):
        try:
            with open(STORE) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def save(self, data):
        with open(STORE, "w") as f:
            json.dump(data, f)

    # RPCs
    def GetSchema(self, req, ctx):
        r = self.pb.GetProviderSchema.Response(provider=self.prov_schema)
        for k, v in self.res_schemas.items():
            r.resource_schemas[k].CopyFrom(v)
        return r

    def ValidateProvider(self, req, ctx):
        self.undv(req.config, self.pty)
        if self.version == 5:
            return self.pb.PrepareProviderConfig.Response(prepared_config=req.config)
        return self.pb.ValidateProviderConfig.Response()

    def Configure(self, req, ctx):
        cfg = self.undv(req.config, self.pty)
        self.default_tags = cfg.get("default_tags") or {}
        return (self.pb.Configure if self.version == 5 else self.pb.ConfigureProvider).Response()

    def ValidateResource(self, req, ctx):
        cfg = self.undv(req.config)
        ds = []
        name = cfg["name"]
        if isinstance(name, str) and len(name) < 3:
            ds.append(self.diag("name too short", [("attr", "name")]))
        for i, r in enumerate(cfg["rule"] if isinstance(cfg["rule"], list) else []):
            d = r["approve_after_days"]
            if isinstance(d, (int, float)) and not 0 <= d <= 360:
                ds.append(self.diag("out of range", [("attr", "rule"), ("index", i), ("attr", "approve_after_days")]))
        cls = self.pb.ValidateResourceTypeConfig if self.version == 5 else self.pb.ValidateResourceConfig
        return cls.Response(diagnostics=ds)

    def UpgradeResourceState(self, req, ctx):
        v = cty.from_json(self.ty, req.raw_state.json)
        return self.pb.UpgradeResourceState.Response(upgraded_state=self.dv(v))

    def PlanResourceChange(self, req, ctx):
        prior = self.undv(req.prior_state)
        prop = self.undv(req.proposed_new_state)
        if prop is None:
            return self.pb.PlanResourceChange.Response(planned_state=req.proposed_new_state)
        p = dict(prop)
        if p["kind"] is None:
            p["kind"] = "default"
        for r in p["rule"]:
            if r["compliance_level"] is None:
                r["compliance_level"] = "UNSPECIFIED"
        tags = dict(self.default_tags)
        tags.update(p["tags"] or {}) if not cty.is_unknown(p["tags"]) else None
        p["tags_all"] = cty.UNKNOWN if cty.is_unknown(p["tags"]) else tags
        rr = []
        if prior is None:
            p["id"] = cty.UNKNOWN
            p["arn"] = cty.UNKNOWN
        else:
            if prior["kind"] != p["kind"]:
                rr.append(self.pb.AttributePath(steps=[self.pb.AttributePath.Step(attribute_name="kind")]))
        if BUG == "plan_changes_config":
            p["name"] = str(p["name"]) + "-x"
        if BUG == "missing_attr":
            del p["description"]
            return self.pb.PlanResourceChange.Response(planned_state=self.pb.DynamicValue(
                msgpack=cty.encode_msgpack(cty.Object({k: self.ty.attrs[k] for k in p}), p)))
        if BUG == "replace_bad_path" and prior is not None:
            rr.append(self.pb.AttributePath(steps=[self.pb.AttributePath.Step(attribute_name="nope")]))
        if BUG == "final_plan_differs" and prior is None:
            n = int(os.environ.get("FAKE_COUNT", "0"))
            os.environ["FAKE_COUNT"] = str(n + 1)
            if n % 2 == 0:
                p["arn"] = "arn:fake:known"
        return self.pb.PlanResourceChange.Response(planned_state=self.dv(p), requires_replace=rr,
                                                   planned_private=b"pp")

    def ApplyResourceChange(self, req, ctx):
        prior = self.undv(req.prior_state)
        planned = self.undv(req.planned_state)
        data = self.load()
        if planned is None:
            data.pop(prior["id"], None)
            self.save(data)
            return self.pb.ApplyResourceChange.Response()
        new = dict(planned)
        if prior is None:
            new["id"] = "ft-" + uuid.uuid4().hex[:8]
        else:
            new["id"] = prior["id"]
        new["arn"] = "arn:fake:thing/" + new["id"] if BUG != "apply_unknown" else cty.UNKNOWN
        if BUG == "apply_changes_known":
            new["description"] = "changed"
        if BUG == "apply_unknown":
            return self.pb.ApplyResourceChange.Response(new_state=self.dv(new))
        data[new["id"]] = json.loads(cty.to_json(self.ty, new))
        self.save(data)
        return self.pb.ApplyResourceChange.Response(new_state=self.dv(new), private=b"priv")

    def ReadResource(self, req, ctx):
        cur = self.undv(req.current_state)
        delay = float(os.environ.get("FAKE_READ_DELAY", "0"))
        if delay:
            time.sleep(delay)
        data = self.load()
        if cur["id"] not in data:
            return self.pb.ReadResource.Response()
        v = cty.from_json(self.ty, json.dumps(data[cur["id"]]))
        if BUG == "read_unknown":
            v["arn"] = cty.UNKNOWN
        return self.pb.ReadResource.Response(new_state=self.dv(v), private=req.private)

    def ImportResourceState(self, req, ctx):
        if not req.id.startswith("ft-"):
            return self.pb.ImportResourceState.Response(diagnostics=[
                self.diag("Invalid import ID", detail="expected ft-<hex>, got %r" % req.id)])
        v = self.block.empty_value()
        v["id"] = req.id
        tn = "other_thing" if BUG == "import_wrong_type" else req.type_name
        ir = self.pb.ImportResourceState.ImportedResource(type_name=tn, state=self.dv(v))
        r = self.pb.ImportResourceState.Response(imported_resources=[ir])
        if BUG == "import_two":
            r.imported_resources.add().CopyFrom(ir)
        return r

    def Stop(self, req, ctx):
        return (self.pb.Stop if self.version == 5 else self.pb.StopProvider).Response()


def main():
    if os.environ.get("TF_PLUGIN_MAGIC_COOKIE") != COOKIE:
        sys.stderr.write("This binary is a plugin. These are not meant to be executed directly.\n")
        sys.exit(1)
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pbs = protos.load()
    versions = sorted((int(x) for x in os.environ.get("PLUGIN_PROTOCOL_VERSIONS", "").split(",")
                       if x.strip().isdigit()), reverse=True)
    version = next((v for v in versions if v in (5, 6)), 5)
    pb = pbs.for_version(version)
    side = pbs.side
    impl = Impl(pb, version)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    names = {5: ("GetSchema", "PrepareProviderConfig", "ValidateResourceTypeConfig", "Configure", "Stop"),
             6: ("GetProviderSchema", "ValidateProviderConfig", "ValidateResourceConfig", "ConfigureProvider",
                 "StopProvider")}[version]
    msgs = {5: ("GetProviderSchema", "PrepareProviderConfig", "ValidateResourceTypeConfig", "Configure", "Stop"),
            6: ("GetProviderSchema", "ValidateProviderConfig", "ValidateResourceConfig", "ConfigureProvider",
                "StopProvider")}[version]
    fns = (impl.GetSchema, impl.ValidateProvider, impl.ValidateResource, impl.Configure, impl.Stop)
    handlers = {}
    for n, m, f in zip(names, msgs, fns):
        c = getattr(pb, m)
        handlers[n] = grpc.unary_unary_rpc_method_handler(f, c.Request.FromString, c.Response.SerializeToString)
    for n in ("UpgradeResourceState", "PlanResourceChange", "ApplyResourceChange", "ReadResource",
              "ImportResourceState"):
        c = getattr(pb, n)
        handlers[n] = grpc.unary_unary_rpc_method_handler(getattr(impl, n), c.Request.FromString,
                                                          c.Response.SerializeToString)
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler("tfplugin%d.Provider" % version,
                                                                          handlers)])
    done = threading.Event()

    def shutdown(req, ctx):
        if BUG != "no_shutdown":
            done.set()
        if BUG == "shutdown_fails":
            ctx.abort(grpc.StatusCode.UNAVAILABLE, "Broken pipe")
        return side.ControllerEmpty()

    def health(req, ctx):
        st = side.HealthCheckResponse.SERVING if req.service in ("", "plugin") else \
            side.HealthCheckResponse.SERVICE_UNKNOWN
        return side.HealthCheckResponse(status=st)

    def stdio(req, ctx):
        while not done.is_set() and ctx.is_active():
            time.sleep(0.05)
        return iter(())

    from google.protobuf import empty_pb2
    server.add_generic_rpc_handlers([
        grpc.method_handlers_generic_handler("plugin.GRPCController", {
            "Shutdown": grpc.unary_unary_rpc_method_handler(shutdown, side.ControllerEmpty.FromString,
                                                            side.ControllerEmpty.SerializeToString)}),
        grpc.method_handlers_generic_handler("grpc.health.v1.Health", {
            "Check": grpc.unary_unary_rpc_method_handler(health, side.HealthCheckRequest.FromString,
                                                         side.HealthCheckResponse.SerializeToString)}),
        grpc.method_handlers_generic_handler("plugin.GRPCStdio", {
            "StreamStdio": grpc.unary_stream_rpc_method_handler(stdio, empty_pb2.Empty.FromString,
                                                                side.StdioData.SerializeToString)}),
    ])
    sockdir = os.environ.get("PLUGIN_UNIX_SOCKET_DIR") or tempfile.gettempdir()
    path = os.path.join(sockdir, "plugin%d" % int(time.time() * 1e6 % 1e9))
    cert_field = ""
    client_pem = os.environ.get("PLUGIN_CLIENT_CERT")
    if client_pem:
        from harness.plugin import generate_cert
        c = generate_cert()
        creds = grpc.ssl_server_credentials([(c.key_pem, c.cert_pem)], root_certificates=client_pem.encode(),
                                            require_client_auth=True)
        server.add_secure_port("unix:" + path, creds)
        cert_field = base64.b64encode(c.der).decode().rstrip("=")
    else:
        server.add_insecure_port("unix:" + path)
    server.start()
    sys.stdout.write("1|%d|unix|%s|grpc|%s\n" % (version, path, cert_field))
    sys.stdout.flush()
    log("info", "fake provider serving", version=version)
    done.wait()
    server.stop(0.5).wait()
    try:
        os.unlink(path)
    except OSError:
        pass
    os._exit(0)


if __name__ == "__main__":
    main()

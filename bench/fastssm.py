#!/usr/bin/python3
"""fastssm.py - a minimal SSM endpoint for bench.py's refresh measurement.

The emulator (tests/emulator) validates every request against botocore's model
and runs one Python thread per connection, so at 10 requests in flight its
per-request CPU time, serialized by the GIL, is what a refresh waits for. This
server answers only DescribeMaintenanceWindowTargets (WindowId + a
WindowTargetId filter, as the provider's read sends it) from a JSON file of
targets, after a fixed latency, with asyncio: its per-request cost is tiny, so
the refresh measures the provider. Anything else gets a 400.

    fastssm.py --data targets.json --latency-ms 50

targets.json: {"<WindowTargetId>": {DescribeMaintenanceWindowTargets element}}.
It prints "listening on 127.0.0.1:PORT" once it accepts connections and serves
until killed.
"""

import argparse
import asyncio
import json
import sys


def answer(targets, body):
    try:
        req = json.loads(body)
        wid = req["WindowId"]
        want = [v for f in req.get("Filters", []) if f.get("Key") == "WindowTargetId" for v in f["Values"]]
    except (ValueError, KeyError, TypeError):
        return 400, {"__type": "SerializationException", "message": "bad request"}
    found = [targets[t] for t in want if t in targets and targets[t]["WindowId"] == wid]
    return 200, {"Targets": found}


async def handle(reader, writer, targets, latency):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = {}
            for ln in lines[1:]:
                k, _, v = ln.partition(":")
                headers[k.strip().lower()] = v.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            if latency:
                await asyncio.sleep(latency)
            if headers.get("x-amz-target") == "AmazonSSM.DescribeMaintenanceWindowTargets":
                status, obj = answer(targets, body)
            else:
                status, obj = 400, {"__type": "UnknownOperationException", "message": "fastssm"}
            data = json.dumps(obj).encode()
            writer.write(b"HTTP/1.1 %d %s\r\nContent-Type: application/x-amz-json-1.1\r\n"
                         b"x-amzn-RequestId: 00000000-0000-0000-0000-000000000000\r\n"
                         b"Content-Length: %d\r\n\r\n" % (status, b"OK" if status == 200 else b"Bad Request",
                                                          len(data)) + data)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main(args):
    with open(args.data) as f:
        targets = json.load(f)
    latency = args.latency_ms / 1000.0
    srv = await asyncio.start_server(lambda r, w: handle(r, w, targets, latency), "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    print("listening on 127.0.0.1:%d" % port, flush=True)
    async with srv:
        await srv.serve_forever()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--latency-ms", type=int, default=0)
    try:
        asyncio.run(main(ap.parse_args()))
    except KeyboardInterrupt:
        sys.exit(0)

"""Relaying an AI stream: the stand-in upstream -> ``streamwright serve`` -> a client, against the client reading the upstream itself.

Prints figures, asserts nothing. Three measurements, each with its baseline
from the same run:

1. throughput, tokens/s: an upstream sending as fast as it can, read directly
   with httpx-sse vs relayed by an AI chat completion in send mode (goal >= 0.9x),
   with each process's CPU per token (``/proc/<pid>/stat``; the client's own ``process_time``):
   on a busy machine the relay's share of the cores, not its speed, sets the ratio;
2. added latency per token at 100 tokens/s: each token carries the
   ``time.monotonic()`` it was sent at (system-wide on Linux), so the client
   measures send -> receive directly and through serve (goal: p99 added < 2 ms);
3. coalescing: an upstream at about 1,000 tokens/s relayed through a Send
   streaming response with Coalesce 20 ms: messages/s reaching the client
   (goal <= 60 in any second) and whether all the text arrived.

    .venv/bin/python tests/perf/bench_relay.py [--tokens 20000] [--paced 300]

``--paced`` is how many tokens the latency measurement sends at 100 tokens/s:
the default's p99 is its third-worst token, so one late wake-up of a process
moves it; a few thousand give a steadier p99.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sys
import tempfile
import time
from pathlib import Path

import httpx
from httpx_sse import aconnect_sse

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.perf._serve_procs import cpu_s, percentile, server_process  # noqa: E402


def project_document() -> dict:
    relay = {"id": "ask", "type": "ai.chat", "params": {"model": "m", "prompt": "x", "eachDelta": "send"}, "slots": {"body": []}}
    send = {"id": "send_text", "type": "stream.send", "params": {"eventData": {"status": "chunk", "text": {"$formula": "delta.text"}}, "coalesceMs": 20}}
    coalesced = {"id": "ask", "type": "ai.chat", "params": {"model": "m", "prompt": "x"}, "slots": {"body": [send]}}
    return {
        "$schema": "https://streamwright.dev/schema/project-v1.json", "formatVersion": 1, "name": "bench-relay", "description": "",
        "endpoints": [
            {"name": "relay", "method": "POST", "path": "/relay", "description": "", "inputs": [], "workflow": [relay]},
            {"name": "coalesced", "method": "POST", "path": "/coalesced", "description": "", "inputs": [], "workflow": [coalesced]},
        ],
    }  # fmt: skip


async def direct(client: httpx.AsyncClient, base: str) -> list[tuple[float, str]]:
    """(receive time, content) of each content delta, read from the upstream itself."""
    body = {"model": "m", "messages": [{"role": "user", "content": "x"}], "stream": True, "stream_options": {"include_usage": True}}
    received: list[tuple[float, str]] = []
    async with aconnect_sse(client, "POST", f"{base}/chat/completions", json=body) as source:
        async for event in source.aiter_sse():
            if event.data == "[DONE]":
                break
            choices = json.loads(event.data).get("choices") or []
            content = choices[0]["delta"].get("content") if choices else None
            if content:
                received.append((time.monotonic(), content))
    return received


async def relayed(client: httpx.AsyncClient, url: str, token: str) -> list[tuple[float, str]]:
    """(receive time, text) of each chunk message from serve."""
    received: list[tuple[float, str]] = []
    async with aconnect_sse(client, "POST", url, headers={"Authorization": f"Bearer {token}"}) as source:
        async for event in source.aiter_sse():
            if event.event != "message":
                break
            data = json.loads(event.data)
            if data.get("status") == "chunk":
                received.append((time.monotonic(), data["text"]))
    return received


def rate(received: list[tuple[float, str]]) -> float:
    return (len(received) - 1) / (received[-1][0] - received[0][0]) if len(received) > 1 else float("nan")


def latencies_ms(received: list[tuple[float, str]]) -> list[float]:
    return [(at - float(text)) * 1000 for at, text in received]


async def main_async(tokens: int, paced_tokens: int) -> None:
    token = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory() as folder, server_process(["-m", "tests.support.openai_upstream"]) as upstream:
        project = Path(folder) / "bench.streamwright.json"
        project.write_text(json.dumps(project_document()), encoding="utf-8")
        fast = f"{upstream.url}/o/tokens={tokens}/v1"
        env = {"STREAMWRIGHT_TOKEN": token, "OPENAI_BASE_URL": fast}
        serve = ["-m", "app", "serve", str(project), "--port", "0", "--output", str(Path(folder) / "out")]
        async with httpx.AsyncClient(timeout=None, trust_env=False) as client:
            with server_process(serve, env) as sw:
                await relayed(client, f"{sw.url}/relay", token)  # warm-up
                up_cpu, own_cpu = cpu_s(upstream.pid), time.process_time()
                base_rate = rate(await direct(client, fast))
                direct_cpu = ((cpu_s(upstream.pid) - up_cpu) / tokens * 1e6, (time.process_time() - own_cpu) / tokens * 1e6)
                up_cpu, sw_cpu, own_cpu = cpu_s(upstream.pid), cpu_s(sw.pid), time.process_time()
                relay_rate = rate(await relayed(client, f"{sw.url}/relay", token))
                relay_cpu = ((cpu_s(upstream.pid) - up_cpu) / tokens * 1e6, (cpu_s(sw.pid) - sw_cpu) / tokens * 1e6, (time.process_time() - own_cpu) / tokens * 1e6)
                print(f"1. throughput, {tokens:,} tokens: direct {base_rate:,.0f} tokens/s, through serve {relay_rate:,.0f} tokens/s: {relay_rate / base_rate:.2f}x (goal >= 0.9x)")
                print(
                    f"   CPU per token: direct: upstream {direct_cpu[0]:.1f} µs, client {direct_cpu[1]:.1f} µs; "
                    f"through serve: upstream {relay_cpu[0]:.1f} µs, serve {relay_cpu[1]:.1f} µs, client {relay_cpu[2]:.1f} µs"
                )
            paced = f"{upstream.url}/o/tokens={paced_tokens},delay=10,stamp=1/v1"
            with server_process(serve, {**env, "OPENAI_BASE_URL": paced}) as sw:
                base = latencies_ms(await direct(client, paced))
                through = latencies_ms(await relayed(client, f"{sw.url}/relay", token))
                b50, b99, t50, t99 = percentile(base, 50), percentile(base, 99), percentile(through, 50), percentile(through, 99)
                print(
                    f"2. latency at 100 tokens/s ({paced_tokens} tokens), sent -> received: direct p50 {b50:.2f} ms p99 {b99:.2f} ms; through serve p50 {t50:.2f} ms p99 {t99:.2f} ms; "
                    f"added p50 {t50 - b50:.2f} ms, p99 {t99 - b99:.2f} ms (goal p99 < 2 ms)"
                )
            quick = f"{upstream.url}/o/tokens=3000,delay=1/v1"
            with server_process(serve, {**env, "OPENAI_BASE_URL": quick}) as sw:
                upstream_rate = rate(await direct(client, quick))
                messages = await relayed(client, f"{sw.url}/coalesced", token)
                start = messages[0][0]
                per_second: dict[int, int] = {}
                for at, _ in messages:
                    per_second[int(at - start)] = per_second.get(int(at - start), 0) + 1
                text = "".join(t for _, t in messages)
                complete = text == "".join(f"t{i} " for i in range(3000))
                print(
                    f"3. coalescing 20 ms: upstream {upstream_rate:,.0f} tokens/s -> {len(messages)} messages, {rate(messages):.1f} messages/s, "
                    f"busiest second {max(per_second.values())} (goal <= 60); all text arrived: {complete}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--paced", type=int, default=300, help="tokens sent at 100 tokens/s for the latency measurement")
    args = parser.parse_args()
    asyncio.run(main_async(args.tokens, args.paced))


if __name__ == "__main__":
    main()

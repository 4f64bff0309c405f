"""The example's ask-ai endpoint from the command line, against the OpenAI-compatible stand-in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, ROOT
from tests.support.openai_upstream import OpenAIUpstream, serve_upstream

PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture(scope="module")
def upstream() -> Iterator[OpenAIUpstream]:
    with serve_upstream() as server:
        yield server


def environment(base_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in PROXIES and not key.startswith("OPENAI_")}
    return {**env, "PYTHONUNBUFFERED": "1", "OPENAI_BASE_URL": base_url, "OPENAI_MODEL": "stand-in-model"}


def test_ask_ai_prints_the_text_as_it_arrives(upstream: OpenAIUpstream, tmp_path: Path):
    """The stand-in sends two tokens and then waits: the first is printed while the run is still waiting."""
    closed_before = len(upstream.state.closed_at)
    command = [sys.executable, "-m", "app", "run", str(EXAMPLE), "ask-ai", "-i", "prompt=Tell me about streams", "--format", "ndjson", "--output", str(tmp_path)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=environment(upstream.base(mode="gate")))
    try:
        assert process.stdout is not None
        first = json.loads(process.stdout.readline())
        second = json.loads(process.stdout.readline())
        assert (first["data"], second["data"]) == ({"status": "starting"}, {"status": "chunk", "text": "Tell"})
        assert process.poll() is None and len(upstream.state.closed_at) == closed_before, "printed while the upstream is still streaming"
        upstream.state.release()
        rest = [json.loads(line) for line in process.stdout.read().splitlines() if line.strip()]
    finally:
        upstream.state.release()
        process.wait(timeout=60)
    messages = [second["data"]] + [e["data"] for e in rest if e["kind"] == "message"]
    assert "".join(m.get("text", "") for m in messages if m["status"] == "chunk") == "Tell me about streams"
    assert messages[-1] == {"status": "done", "finishReason": "stop", "usage": {"prompt_tokens": 4, "completion_tokens": 4, "total_tokens": 8}}
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""


def test_ask_ai_against_a_failing_server_exits_1_naming_the_action(upstream: OpenAIUpstream, tmp_path: Path):
    base = upstream.base(mode="status", code=429)
    command = [sys.executable, "-m", "app", "run", str(EXAMPLE), "ask-ai", "--format", "ndjson", "--output", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=environment(base), timeout=120)
    assert result.returncode == 1
    error = [json.loads(line) for line in result.stdout.splitlines() if line.strip()][-1]
    assert error["kind"] == "error" and error["action_id"] == "ask_model"
    assert error["message"] == f"POST {base}/chat/completions answered 429 Too Many Requests: Rate limit reached for requests"
    assert "Traceback" not in result.stderr


def test_ask_ai_over_tls_trusts_what_ssl_cert_file_names_and_refuses_an_unknown_certificate(tmp_path: Path):
    """A company CA given by SSL_CERT_FILE is trusted by the streamed request; without it the run fails naming the reason."""
    import certifi
    import trustme

    ca = trustme.CA()
    server_pem, ca_pem = tmp_path / "server.pem", tmp_path / "ca.pem"
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(server_pem))
    ca.cert_pem.write_to_path(str(ca_pem))
    command = [sys.executable, "-m", "app", "run", str(EXAMPLE), "ask-ai", "-i", "prompt=over TLS", "--format", "ndjson", "--output", str(tmp_path / "out")]
    with serve_upstream(str(server_pem)) as upstream:
        base = upstream.base()
        tls_env = {key: value for key, value in environment(base).items() if key != "SSL_CERT_DIR"}  # trust comes from SSL_CERT_FILE alone
        assert base.startswith("https://127.0.0.1:")
        trusted = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env={**tls_env, "SSL_CERT_FILE": str(ca_pem)}, timeout=120)
        unknown = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env={**tls_env, "SSL_CERT_FILE": certifi.where()}, timeout=120)
        missing = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env={**tls_env, "SSL_CERT_FILE": str(tmp_path / "none.pem")}, timeout=120)
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr
    events = [json.loads(line) for line in trusted.stdout.splitlines() if line.strip()]
    assert "".join(e["data"].get("text", "") for e in events if e["kind"] == "message" and e["data"]["status"] == "chunk") == "over TLS"
    assert unknown.returncode == 1
    error = [json.loads(line) for line in unknown.stdout.splitlines() if line.strip()][-1]
    assert error["kind"] == "error" and error["action_id"] == "ask_model"
    assert error["message"].startswith(f"POST {base}/chat/completions failed: ") and "CERTIFICATE_VERIFY_FAILED" in error["message"], error["message"]
    error = [json.loads(line) for line in missing.stdout.splitlines() if line.strip()][-1]
    assert missing.returncode == 1 and error["action_id"] == "ask_model"
    assert error["message"] == f"the TLS certificates could not be read (SSL_CERT_FILE={tmp_path / 'none.pem'}): No such file or directory"

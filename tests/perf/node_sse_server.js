// The baseline for bench_cpu_per_message.py: a hand-written Node `http` SSE server.
//
// Run as its own process (`node tests/perf/node_sse_server.js`); it prints
// `Serving node on http://127.0.0.1:PORT` once listening. `GET /stream?n=N`
// sends the messages a Streamwright Loop x Send with the same Event Data sends:
// `id: <i>` and `data: {"status":"progress","done":i,"total":N,"label":"Step i"}`,
// one write per message, waiting for 'drain' when the socket is full.
"use strict";
const http = require("http");

async function stream(req, res, count) {
  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no" });
  for (let i = 1; i <= count; i++) {
    const data = JSON.stringify({ status: "progress", done: i, total: count, label: "Step " + i });
    if (!res.write(`id: ${i}\ndata: ${data}\n\n`)) {
      await new Promise((resolve) => res.once("drain", resolve));
    }
  }
  res.end();
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  if (url.pathname !== "/stream") {
    res.writeHead(404).end();
    return;
  }
  stream(req, res, Number(url.searchParams.get("n") || "1000"));
});
server.listen(0, "127.0.0.1", () => {
  console.log(`Serving node on http://127.0.0.1:${server.address().port}`);
});
process.on("SIGTERM", () => process.exit(0));

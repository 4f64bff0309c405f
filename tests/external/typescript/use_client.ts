// Reads the example's report stream through the generated client, using the message types as a frontend would.
// Prints one line per message, then the end; the test compares them with the stream it expects.
import { StreamwrightClient, StreamwrightError, type GenerateReportMessage } from "./client.js";

declare const process: { argv: string[]; exit(code: number): never }; // the little of Node used here, without @types/node

function describe(message: GenerateReportMessage): string {
  switch (message.status) {
    case "starting":
      return `starting ${message.label} ${message.done}/${message.total}`;
    case "progress":
      return `progress ${message.label} ${Math.round((message.done / message.total) * 100)}%`;
    case "done": {
      const url = typeof message.downloadUrl === "string" ? new URL(message.downloadUrl).pathname : "(no link)";
      return `done ${message.label} ${message.done}/${message.total} ${url}`;
    }
  }
}

async function main(): Promise<void> {
  const [baseUrl, token, format] = process.argv.slice(2);
  const client = new StreamwrightClient({ baseUrl, token });
  const call = client.generateReport({ stepDelayMs: 1, since: "2026-01-01" }, { format: format === "ndjson" ? "ndjson" : "sse" });
  for await (const message of call) {
    console.log(describe(message));
  }
  console.log(`end run=${call.runId !== null} ended=${JSON.stringify(call.ended)}`);

  const words: string[] = [];
  for await (const message of client.typewriter({ text: "one two three", delayMs: 0 })) {
    if (message.status === "chunk") words.push(String(message.text));
  }
  console.log(`typewriter ${JSON.stringify(words.join(""))}`);

  try {
    for await (const _ of client.typewriter({ delayMs: 5000 })) {
      throw new Error("a delay over the maximum was accepted");
    }
  } catch (error) {
    if (!(error instanceof StreamwrightError)) throw error;
    console.log(`refused ${error.status} ${JSON.stringify(error.body)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

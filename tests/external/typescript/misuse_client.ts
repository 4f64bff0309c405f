// Uses the generated types wrongly; `tsc --strict` must reject every marked line.
import { StreamwrightClient, type GenerateReportMessage } from "./client.js";

export function progressLink(message: GenerateReportMessage): unknown {
  if (message.status === "progress") {
    return message.downloadUrl; // error: a progress message has no downloadUrl
  }
  return null;
}

export function wrongStatus(message: GenerateReportMessage): boolean {
  return message.status === "finished"; // error: no message has this status
}

export function wrongInput(client: StreamwrightClient): unknown {
  return client.generateReport({ stepDelayMs: "fast" }); // error: stepDelayMs is a number
}

export function unknownInput(client: StreamwrightClient): unknown {
  return client.typewriter({ txt: "typo" }); // error: typewriter has no input txt
}

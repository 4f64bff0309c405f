// The AI SDK's own client code reading `streamwright serve` as useChat would:
// DefaultChatTransport posts the conversation and parses the UI message stream
// with the SDK's uiMessageChunkSchema; readUIMessageStream assembles the message.
// Usage: node read_ui_message_stream.mjs URL TOKEN PROMPT
// Prints one JSON object: the chunks' types, the transient data parts, error parts, what onError got, the final message.
import { DefaultChatTransport, readUIMessageStream } from "ai";

const [url, token, prompt] = process.argv.slice(2);
const transport = new DefaultChatTransport({ api: url, headers: { Authorization: `Bearer ${token}` }, body: { style: "terse" } });
const messages = [{ id: "u1", role: "user", parts: [{ type: "text", text: prompt }] }];
let chunks;
try {
  chunks = await transport.sendMessages({ chatId: "chat-1", messages, trigger: "submit-message", messageId: undefined, abortSignal: undefined });
} catch (error) {
  console.log(JSON.stringify({ requestError: String(error.message) }));
  process.exit(0);
}
const seen = [];
const transient = [];
const errorParts = [];
const errors = [];
const [forMessage, forLog] = chunks.tee();
const logged = (async () => {
  for await (const chunk of forLog) {
    seen.push(chunk.type);
    if (chunk.transient) transient.push(chunk);
    if (chunk.type === "error") errorParts.push(chunk.errorText);
  }
})();
let last;
for await (const message of readUIMessageStream({ stream: forMessage, onError: (error) => errors.push(String(error.message ?? error)) })) last = message;
await logged;
console.log(JSON.stringify({ seen, transient, errorParts, errors, message: last ?? null }));

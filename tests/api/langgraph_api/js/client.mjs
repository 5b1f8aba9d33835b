// `node client.mjs URL`: the JS langgraph-sdk, written as its docs write it, against the server
// at URL serving the team app (tests/workflows/team_app). It creates a thread, streams the
// `expense` graph to its interrupt, reads the thread's state, resumes with an approval and
// prints one JSON line: {thread_id, events, interrupt, state_interrupts, resumed}.
// Any failure exits 1 with the error on stderr.
import { Client } from "@langchain/langgraph-sdk";

async function main(apiUrl) {
  const client = new Client({ apiUrl });
  const thread = await client.threads.create();
  const threadId = thread.thread_id;

  const chunks = [];
  for await (const chunk of client.runs.stream(threadId, "expense", {
    input: { employee: "ana", amount: 120.5, reason: "train tickets" },
    streamMode: ["values", "updates"],
  })) {
    chunks.push({ event: chunk.event, data: chunk.data });
  }
  const seen = chunks.find((c) => c.data?.__interrupt__);
  const state = await client.threads.getState(threadId);
  const resumed = await client.runs.wait(threadId, "expense", {
    command: { resume: { approved: true } },
  });

  return {
    thread_id: threadId,
    events: chunks.map((c) => c.event),
    interrupt: seen ? seen.data.__interrupt__ : null,
    state_interrupts: state.interrupts,
    resumed,
  };
}

const apiUrl = process.argv[2];
if (!apiUrl) {
  console.error("usage: node client.mjs URL");
  process.exit(2);
}
try {
  console.log(JSON.stringify(await main(apiUrl)));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exit(1);
}

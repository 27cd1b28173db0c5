import type { ObservableQuery } from '@apollo/client';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { client } from './client.js';
import {
  FalLogsPageDocument,
  FalRequestsWithLogsDocument,
  TailFalLogsDocument,
  WorkflowLogsDocument,
} from './generated/graphql.js';

// Defaults: an endpoint of `npm run demo`, and three live lines.
const endpointId = process.env.FAL_ENDPOINT_ID ?? 'acme/flux-studio';
const tailLines = Number(process.env.TAIL_LINES ?? 3);

/** A watched query's result once it has settled: its data, or its error thrown. */
async function settled<TData>(query: ObservableQuery<TData>): Promise<TData> {
  const result = await firstValueFrom(query.pipe(filter((result) => !result.loading)));
  if (result.error) throw result.error;
  return result.data as TData;
}

const line = (node: { timestamp: string; level: string; app: string; message: string }) =>
  `  ${node.timestamp} ${node.level} ${node.app}: ${node.message}`;

// falLogs in three pages of five: fetchMore appends each page to one list (relayStylePagination).
const falLogs = client.watchQuery({ query: FalLogsPageDocument, variables: { first: 5 } });
const watching = falLogs.subscribe(() => undefined); // a query is fetched while it is watched
let logs = (await settled(falLogs)).falLogs;
let pages = 1;
for (; pages < 3 && logs?.pageInfo.hasNextPage; pages += 1) {
  await falLogs.fetchMore({ variables: { after: logs.pageInfo.endCursor } });
  logs = (await settled(falLogs)).falLogs;
}
watching.unsubscribe();
console.log(`falLogs, newest first (${logs?.edges.length} lines in ${pages} pages):`);
for (const { node } of logs?.edges ?? []) console.log(line(node));

// An endpoint's latest requests, each with its newest log lines, in one query.
const { data: requests } = await client.query({
  query: FalRequestsWithLogsDocument,
  variables: { endpointIds: [endpointId] },
});
console.log(`\nfalRequests of ${endpointId}:`);
for (const { node } of requests?.falRequests?.edges ?? []) {
  const took = node.duration === null ? 'still running' : `took ${node.duration} s`;
  console.log(`  ${node.requestId} ${node.status}, ${took}`);
  for (const log of node.logs?.edges ?? []) console.log(`    ${log.node.message}`);
}

// A Dify app's latest workflow runs.
const { data: workflows } = await client.query({ query: WorkflowLogsDocument });
console.log(`\nworkflowLogs (${workflows?.workflowLogs?.totalCount} runs in all), newest first:`);
for (const { node } of workflows?.workflowLogs?.edges ?? []) {
  const run = node.workflowRun;
  console.log(`  ${node.createdAt} ${run ? `${run.runId} ${run.status}` : 'no run'}`);
}

// The live tail, over the graphql-sse link, for a few lines.
console.log(`\nfalLogs live tail (${tailLines} lines):`);
const tail = client.subscribe({ query: TailFalLogsDocument }).pipe(take(tailLines), toArray());
for (const { data, error } of await firstValueFrom(tail)) {
  if (error) throw error;
  if (data) console.log(line(data.falLogs));
}
client.stop();

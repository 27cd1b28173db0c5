import type { GraphQLResolveInfo } from 'graphql';
import { z } from 'zod';
import { requestIdOf } from '../paging/fal-request-logs.js';
import { builder } from './builder.js';
import { badUserInput } from './errors.js';
import { FalLogLineRef } from './fal-logs.js';
import { knownRequest, loadFalRequest } from './fal-request-loader.js';
import { expansionsSelected, FalRequestRef } from './fal-requests.js';
import { rootFieldArguments } from './selection.js';

/** The `owner/name` ids among the root field's `filter.appIds` that name this app. */
function appIdsNaming(appName: string, info: GraphQLResolveInfo): string[] {
  const parsed = z
    .object({ filter: z.object({ appIds: z.array(z.string()).nullish() }).nullish() })
    .safeParse(rootFieldArguments(info));
  const appIds = (parsed.success && parsed.data.filter?.appIds) || [];
  return appIds.filter((appId) => appId.split('/')[1] === appName);
}

builder.objectField(FalLogLineRef, 'request', (t) =>
  t.field({
    type: FalRequestRef,
    nullable: true,
    description:
      'The request that emitted the line (label `fal_request_id`); null for lines outside any request. Log lines name their app without its owner: outside FalRequest.logs, name the app in the root field’s `filter.appIds`. Each distinct request is read once per query.',
    resolve: (line, _args, context, info) => {
      const requestId = requestIdOf(line);
      if (!requestId) return null;
      const known = knownRequest(context, requestId);
      const endpointIds = known ? [known.item.endpoint_id] : appIdsNaming(line.app, info);
      if (endpointIds.length === 0) {
        throw badUserInput(
          'filter.appIds',
          `FalLogLine.request needs the owner of app '${line.app}': list it as '<owner>/${line.app}'`,
        );
      }
      return loadFalRequest(context, {
        endpointIds,
        requestId,
        expansions: expansionsSelected(info),
      });
    },
  }),
);

import type { RequestListener } from 'node:http';
import { sendNodeResponse } from '@whatwg-node/server';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { GatewayContext } from './context.js';
import { EventStreamResponses, type NodeExchange } from './plugins/event-stream-frames.js';

type Yoga = Pick<
  YogaServerInstance<Record<string, unknown>, GatewayContext>,
  'handleNodeRequestAndResponse' | 'fetchAPI'
>;

/**
 * Node's request listener for the gateway: graphql-yoga handles every request as under its own
 * listener, and whatwg-node sends each answer, except the event streams that the gateway writes
 * straight to Node's response (`EventStreamResponses`), so that an open subscription keeps no
 * Fetch-API response, body stream or pipe. A request whose handling throws (a defect: Yoga
 * answers errors itself) is logged and answered 500, without the error's text.
 */
export function gatewayRequestListener(yoga: Yoga, logger: Logger): RequestListener {
  const eventStreams = new EventStreamResponses();
  const failed = (error: unknown) => {
    logger.error({ err: error }, 'a request failed outside graphql-yoga');
    return new yoga.fetchAPI.Response(null, { status: 500 });
  };
  return (req, res) => {
    const exchange: NodeExchange & Record<string, unknown> = { req, res, eventStreams };
    Promise.resolve()
      .then(() => yoga.handleNodeRequestAndResponse(req, res, exchange))
      .catch(failed)
      .then((response) => eventStreams.send(response) || sendNodeResponse(response, res, req, true))
      .catch((error: unknown) => logger.error({ err: error }, 'could not send a response'));
  };
}

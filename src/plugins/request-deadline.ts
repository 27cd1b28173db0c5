import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';

/**
 * Queries and mutations must be answered within `deadlineMs`, upstream retries included;
 * subscriptions are long-lived and have none (each upstream call keeps its own timeouts).
 */
export function useRequestDeadline(deadlineMs: number): Plugin<Partial<GatewayContext>> {
  return {
    onExecute({ args }) {
      const call = args.contextValue.call;
      if (call) call.deadline = Date.now() + deadlineMs;
    },
  };
}

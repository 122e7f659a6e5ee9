/**
 * An operator's own handler module, as the configuration file names it
 * (`"handler": "./examples/my-handler.ts"`): boots are accepted with a 5-minute heartbeat,
 * idTokens starting with "BLOCK" are blocked, and every transaction event is logged through the
 * handler's own state. Everything else is declined with NotSupported by `defineHandler`.
 */
import { defineHandler, nowRfc3339 } from '../handlers/behaviour';
import { acknowledgements } from '../handlers/accept-all';

interface State {
  readonly site: string;
  transactions: number;
}

export default defineHandler<State, { site?: string }>({
  init: (args, context) => {
    if (context.crash) process.stderr.write(`handler for ${context.stationId} reinstalled after: ${context.crash.reason}\n`);
    return { site: args?.site ?? 'default', transactions: 0 };
  },
  actions: {
    ...acknowledgements<State>(),
    BootNotification: () => ({ reply: { status: 'Accepted', currentTime: nowRfc3339(), interval: 300 } }),
    Authorize: (request) => ({
      reply: { idTokenInfo: { status: request.idToken.idToken.startsWith('BLOCK') ? 'Blocked' : 'Accepted' } },
    }),
    TransactionEvent: (request, state) => ({
      reply: {},
      state: { ...state, transactions: state.transactions + (request.eventType === 'Started' ? 1 : 0) },
    }),
  },
  handleInfo: (event, state) => {
    if (event.type === 'report_received') process.stderr.write(`[${state.site}] report ${event.requestId} complete\n`);
  },
});

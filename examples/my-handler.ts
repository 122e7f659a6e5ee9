/**
 * An operator's own handler module, as a configuration file in `config/` names it
 * (`"handler": "../examples/my-handler.ts"`: paths are relative to the configuration file) and as
 * examples/embedding.ts uses it: boots are accepted with a 5-minute heartbeat, idTokens starting
 * with "BLOCK" are blocked, transactions are counted in the handler's own state, and the station
 * notifications that decide nothing are acknowledged as the shipped handlers do
 * (`acknowledgements()`). Any other action is declined with NotSupported by `defineHandler`.
 *
 * Init arguments: `{ site?: string }` (default "default"); anything else is refused at start.
 */
import { checkArgsObject, defineHandler, nowRfc3339 } from '../handlers/behaviour';
import { acknowledgements } from '../handlers/accept-all';

interface State {
  readonly site: string;
  transactions: number;
}

export default defineHandler<State, { site?: string }>({
  checkArgs: (args) => {
    const problem = checkArgsObject(args, ['site']);
    if (problem) return problem;
    const site = (args as { site?: unknown }).site;
    return site === undefined || typeof site === 'string' ? undefined : { field: 'site', value: site, allowed: 'a string' };
  },
  init: (args, context) => {
    if (context.crash) process.stderr.write(`handler for ${context.stationId} reinstalled after: ${context.crash.reason}\n`);
    return { site: args.site ?? 'default', transactions: 0 };
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

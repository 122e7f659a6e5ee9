/**
 * The allow-list authorization handler: accepts every boot, and authorises an idToken only when
 * it is on the list given in the configuration; every other idToken is `Invalid` (OCPP 2.0.1
 * C01: an identifier the CSMS does not accept). Notifications are acknowledged as the demo does.
 *
 * Init arguments: `{ idTokens: string[], heartbeatInterval?: number }`. idTokens are compared
 * case-insensitively, as OCPP 2.0.1 defines IdToken (identifierString, case-insensitive, C01).
 */
import { defineHandler } from './behaviour';
import { acceptBoot, acknowledgements, heartbeatIntervalOf, transactionEventReply } from './accept-all';

export interface AllowListArgs {
  idTokens: readonly string[];
  heartbeatInterval?: number;
}

interface AllowListState {
  allowed: ReadonlySet<string>;
  heartbeatInterval: number;
}

const allowList = defineHandler<AllowListState, AllowListArgs>({
  init: (args) => {
    const tokens = Array.isArray(args?.idTokens) ? args.idTokens : [];
    return {
      allowed: new Set(tokens.filter((t): t is string => typeof t === 'string').map((t) => t.toLowerCase())),
      heartbeatInterval: heartbeatIntervalOf(args),
    };
  },
  actions: {
    ...acknowledgements<AllowListState>(),
    BootNotification: (_request, state) => ({ reply: acceptBoot(state.heartbeatInterval) }),
    Authorize: (request, state) => ({
      reply: { idTokenInfo: { status: state.allowed.has(request.idToken.idToken.toLowerCase()) ? 'Accepted' : 'Invalid' } },
    }),
    TransactionEvent: (request, state) =>
      transactionEventReply(request, (token) => (state.allowed.has(token.toLowerCase()) ? 'Accepted' : 'Invalid')),
  },
});

export default allowList;

/**
 * The allow-list authorization handler: accepts every boot, and authorises an idToken only when
 * it is on the list given in the configuration; every other idToken is `Invalid` (OCPP 2.0.1
 * C01: an identifier the CSMS does not accept). Notifications are acknowledged as the demo does.
 *
 * Init arguments: `{ idTokens: string[], heartbeatInterval?: number }`; `idTokens` is required
 * (an empty list is allowed and refuses everyone), a misspelled or missing field is a
 * configuration error naming it. idTokens are compared case-insensitively, as OCPP 2.0.1
 * defines IdToken (identifierString, case-insensitive, C01).
 */
import { checkArgsObject, defineHandler, type HandlerArgsProblem } from './behaviour';
import { acceptBoot, acknowledgements, checkHeartbeatInterval, heartbeatIntervalOf, transactionEventReply } from './accept-all';

export interface AllowListArgs {
  idTokens: readonly string[];
  heartbeatInterval?: number;
}

interface AllowListState {
  allowed: ReadonlySet<string>;
  heartbeatInterval: number;
}

/** IdTokenType.idToken: at most 36 characters (OCPP 2.0.1 Part 2, IdTokenType). */
const MAX_ID_TOKEN_LENGTH = 36;

function checkAllowListArgs(args: unknown): HandlerArgsProblem | undefined {
  const problem = checkArgsObject(args, ['idTokens', 'heartbeatInterval']);
  if (problem) return problem;
  const fields = args as Record<string, unknown>;
  const tokens = fields.idTokens;
  if (tokens === undefined) return { field: 'idTokens', value: undefined, allowed: 'required: the list of idTokens to authorise' };
  if (!Array.isArray(tokens)) return { field: 'idTokens', value: tokens, allowed: 'a list of idToken strings' };
  for (const [index, token] of tokens.entries()) {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_ID_TOKEN_LENGTH) {
      return { field: `idTokens[${index}]`, value: token, allowed: `an idToken string of 1 to ${MAX_ID_TOKEN_LENGTH} characters` };
    }
  }
  return checkHeartbeatInterval(fields);
}

const allowList = defineHandler<AllowListState, AllowListArgs>({
  checkArgs: checkAllowListArgs,
  init: (args) => ({
    allowed: new Set(args.idTokens.map((t) => t.toLowerCase())),
    heartbeatInterval: heartbeatIntervalOf(args),
  }),
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

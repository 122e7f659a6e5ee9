/**
 * How the CSMS answers an idToken (OCPP 2.0.1 C01–C16), as one pure function of the stored token
 * and the situation, so every rule is tested without a database:
 *
 * - `NoAuthorization` (free vend, C03) is Accepted unless the operator says otherwise.
 * - A token the CSMS does not know is `Unknown` (or `Invalid`, configurable).
 * - A stored token answers its status; an Accepted token whose expiry has passed is `Expired`,
 *   and an Accepted one carries its expiry as `cacheExpiryDateTime` so the station's cache and
 *   local list do not outlive it (C10).
 * - `groupIdToken` is always given when the token has one: the station lets another token of the
 *   same group stop the transaction (C09), and a token of the master pass group stop any (C16).
 * - The master pass may stop transactions, never start one (C16): a start is answered `Invalid`.
 * - A token limited to some EVSEs carries them as `evseId` (the station enforces them on
 *   Authorize); a transaction started on another EVSE is answered `NotAllowedTypeEVSE`.
 */
import type { IdTokenInfoType, IdTokenType } from '../../../schemas/types.generated';
import type { StandardCsmsConfig } from '../config';
import type { StoredToken } from './token-service';

/** What the token is used for: Authorize, starting a transaction, an update of one, stopping one. */
export type AuthorizationPurpose = 'authorize' | 'start' | 'update' | 'stop';

export interface AuthorizationSituation {
  readonly idToken: IdTokenType;
  readonly token: StoredToken | undefined;
  readonly now: number;
  readonly purpose: AuthorizationPurpose;
  /** The EVSE of the transaction, when known. */
  readonly evseId?: number;
  /** The station's master pass group id, when it has one. */
  readonly masterPassGroupId?: string;
  readonly settings: StandardCsmsConfig['authorization'];
}

export function decideAuthorization(s: AuthorizationSituation): IdTokenInfoType {
  if (s.idToken.type === 'NoAuthorization') return { status: s.settings.acceptNoAuthorization ? 'Accepted' : 'Invalid' };
  const token = s.token;
  if (!token) return { status: s.settings.unknownTokenStatus };
  let status = token.status;
  const expired = token.expiresAt !== undefined && Date.parse(token.expiresAt) <= s.now;
  if (status === 'Accepted' && expired) status = 'Expired';
  const masterPass = s.masterPassGroupId !== undefined && token.groupIdToken?.idToken === s.masterPassGroupId;
  if (status === 'Accepted' && masterPass && s.purpose === 'start') status = 'Invalid';
  if (status === 'Accepted' && s.purpose === 'start' && s.evseId !== undefined && token.evseIds && !token.evseIds.includes(s.evseId)) {
    status = 'NotAllowedTypeEVSE';
  }
  return {
    status,
    ...(status === 'Accepted' && token.expiresAt !== undefined ? { cacheExpiryDateTime: token.expiresAt } : {}),
    ...(token.groupIdToken ? { groupIdToken: { idToken: token.groupIdToken.idToken, type: token.groupIdToken.type } } : {}),
    ...(token.language1 !== undefined ? { language1: token.language1 } : {}),
    ...(token.language1 !== undefined && token.language2 !== undefined ? { language2: token.language2 } : {}),
    ...(token.personalMessage ? { personalMessage: { ...token.personalMessage } } : {}),
    ...(token.evseIds ? { evseId: [...token.evseIds] } : {}),
  };
}

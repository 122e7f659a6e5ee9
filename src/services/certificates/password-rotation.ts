/**
 * Basic-auth password rotation (OCPP 2.0.1 A01; TC_A_09_CSMS, TC_A_10_CSMS): the CSMS draws a
 * new password, sets `SecurityCtrlr.BasicAuthPassword` on the station through its normal call
 * API, and the stored hash follows only when the station answered Accepted. That switch is the
 * core's own (`Csms.followPassword`, run on every SetVariables of BasicAuthPassword before the
 * caller hears the answer); this module only waits for it to be stored (`persisted`). Rejected,
 * or no answer: the old password stays valid.
 *
 * The new password is returned to the caller once (the admin API's answer) and never logged;
 * debug frame logs redact it (src/connection/frame-log.ts).
 */
import { randomInt } from 'node:crypto';
import type { RequestOf, ResponseOf } from '../../../schemas/actions';
import { InvalidInputError } from '../../errors';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../server/credentials';
import type { SecurityEventService } from './security-events';

/** passwordString (TC_A_01_CS): letters, digits and `* - _ = + | @ .`. */
const PASSWORD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-_=+|@.';
/** 32 characters of 72 symbols: about 197 bits, far past errata §2.17.3's "sufficiently high entropy". */
export const DEFAULT_ROTATED_PASSWORD_LENGTH = 32;

/** A random BasicAuthPassword (uniform over passwordString: `randomInt` draws without modulo bias). */
export function generatePassword(length = DEFAULT_ROTATED_PASSWORD_LENGTH): string {
  if (!Number.isInteger(length) || length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    throw new InvalidInputError('length', `an integer from ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH}`);
  }
  let password = '';
  for (let i = 0; i < length; i++) password += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return password;
}

/** What rotation needs of the core (`Csms`): the station's SetVariables and its registration. */
export interface PasswordRotationPort {
  setVariables(id: string, request: RequestOf<'SetVariables'>, options?: { timeout?: number }): Promise<ResponseOf<'SetVariables'>>;
  /** Resolves when the station's last registration change (the new hash) is stored. */
  persisted(id: string): Promise<void>;
}

export type RotationOutcome =
  /** The station took the password; the CSMS stored its hash. `password` is shown once. */
  | { readonly status: 'Accepted'; readonly password: string }
  /** The station refused it (its SetVariables attributeStatus): the old password stays. */
  | { readonly status: 'Rejected' | 'UnknownComponent' | 'UnknownVariable' | 'NotSupportedAttributeType' | 'RebootRequired' | 'NoResult' };

/**
 * Rotate a station's password. Rejects with the call's error (offline, timeout, CALLERROR) when
 * the station did not answer: then nothing changed either.
 */
export async function rotatePassword(
  core: PasswordRotationPort,
  stationId: string,
  options: { readonly length?: number; readonly timeout?: number; readonly securityEvents?: SecurityEventService } = {},
): Promise<RotationOutcome> {
  const password = generatePassword(options.length);
  const answer = await core.setVariables(
    stationId,
    { setVariableData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, attributeValue: password }] },
    options.timeout !== undefined ? { timeout: options.timeout } : {},
  );
  const result = answer.setVariableResult.find(
    // Names compared as the core compares them (followPassword): case-insensitively.
    (r) => r.component.name.toLowerCase() === 'securityctrlr' && r.variable.name.toLowerCase() === 'basicauthpassword' && (r.attributeType ?? 'Actual') === 'Actual',
  );
  const status = result?.attributeStatus ?? 'NoResult';
  if (status !== 'Accepted') {
    await options.securityEvents?.recordCsms(stationId, 'BasicAuthPasswordRotationRejected', `the station answered ${status}; the old password stays`).promise;
    return { status };
  }
  // The core switched the stored hash before `setVariables` resolved; wait until it is stored.
  await core.persisted(stationId);
  await options.securityEvents?.recordCsms(stationId, 'BasicAuthPasswordRotated', 'the new password applies from the next connection').promise;
  return { status: 'Accepted', password };
}

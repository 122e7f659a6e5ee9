/**
 * Which stations a server starts with, when it has a durable registry (DESIGN.md §7): the
 * configuration file's stations and the ones added at run time (admin API, embedding API,
 * first contact under allowUnknownStations) in an earlier run.
 *
 * The rule, also in the README ("Which registration wins"):
 * - A station the configuration names is provisioned into the store the first time it appears,
 *   and again whenever its entry in the file changes (the hash of the resolved entry differs from
 *   the one stored): the file wins over what was stored. While the entry stays the same, the
 *   stored registration wins, so a change made at run time (a password rotated through the admin
 *   API or by SetVariables) is not undone by a restart. A plain `password` in the file is hashed
 *   with a new salt at every start, so such a station takes the file's password at every start.
 * - A station provisioned from the file and no longer in it is removed (its history stays).
 * - A station added at run time and not in the file is started from the store; one whose
 *   handler the server no longer knows is skipped with an error in the log.
 */
import { createHash } from 'node:crypto';
import type { OcppHandler } from '../handlers/behaviour';
import { storedRegistrationOf, type StationRegistration, type StoredRegistration } from './csms';
import { describeCause } from './errors';
import { loggerFor } from './log';
import type { Store, StoredStation, Ticket } from './store';
import type { EvseConfig } from './station/model/evse';
import type { SecurityProfile, ValidationPolicy } from './station/station-context';

const log = loggerFor('store');

export interface ProvisionedStation {
  readonly id: string;
  readonly registration: StationRegistration;
}

/** The registry's port for `Csms` (its `registry` option). */
export function registryPort(store: Store): { save(id: string, registration: StoredRegistration): Promise<void>; remove(id: string): Promise<void> } {
  return {
    save: (id, registration) => store.registry.saveRegistration(id, registration as unknown as Record<string, unknown>).promise,
    remove: (id) => store.registry.delete(id).promise,
  };
}

/** The hash that says whether a configuration entry changed since it was last provisioned. */
export function configHash(registration: StoredRegistration): string {
  return createHash('sha256').update(canonicalJson(registration)).digest('hex');
}

export async function provisionStations(
  store: Store,
  fromConfig: readonly ProvisionedStation[],
  resolveHandler: (name: string) => OcppHandler,
): Promise<ProvisionedStation[]> {
  const stored = new Map((await store.registry.list()).map((s) => [s.id, s]));
  const result: ProvisionedStation[] = [];
  const writes: Ticket[] = [];
  const inConfig = new Set<string>();
  for (const entry of fromConfig) {
    inConfig.add(entry.id);
    const registration = storedRegistrationOf({ id: entry.id, ...entry.registration, evse: entry.registration.evse ?? 1, securityProfile: entry.registration.securityProfile ?? 0 });
    const previous = stored.get(entry.id);
    if (!registration) {
      result.push(entry);
      continue;
    }
    const hash = configHash(registration);
    if (previous?.source === 'config' && previous.configHash === hash) {
      const kept = decode(previous, resolveHandler);
      result.push(kept ?? entry);
      continue;
    }
    writes.push(store.registry.put({ id: entry.id, source: 'config', configHash: hash, registration: registration as unknown as Record<string, unknown> }));
    if (previous) log.info('station provisioned from the configuration file (its entry changed)', { station: entry.id });
    result.push(entry);
  }
  for (const previous of stored.values()) {
    if (inConfig.has(previous.id)) continue;
    if (previous.source === 'config') {
      writes.push(store.registry.delete(previous.id));
      log.info('station removed: it was provisioned from the configuration file and is no longer in it', { station: previous.id });
      continue;
    }
    const kept = decode(previous, resolveHandler);
    if (kept) result.push(kept);
  }
  await Promise.all(writes.map((t) => t.promise));
  return result;
}

function decode(stored: StoredStation, resolveHandler: (name: string) => OcppHandler): ProvisionedStation | undefined {
  const r = stored.registration as Partial<Record<keyof StoredRegistration, unknown>>;
  const handlerName = typeof r.handler === 'string' ? r.handler : undefined;
  if (handlerName === undefined) {
    log.error('stored station skipped: its registration names no handler', { station: stored.id });
    return undefined;
  }
  let handler: OcppHandler;
  try {
    handler = resolveHandler(handlerName);
  } catch (error) {
    log.error('stored station skipped: its handler is not one this server knows', { station: stored.id, handler: handlerName, reason: describeCause(error) });
    return undefined;
  }
  return { id: stored.id, registration: registrationFromStore(stored, handler, handlerName) };
}

/** A stored registration as `addStation` takes it, its handler resolved by the caller. */
export function registrationFromStore(stored: StoredStation, handler: OcppHandler, handlerName: string): StationRegistration {
  const r = stored.registration as Partial<Record<keyof StoredRegistration, unknown>>;
  return {
    handler,
    handlerName,
    handlerArgs: r.handlerArgs,
    evse: (r.evse as EvseConfig | undefined) ?? 1,
    securityProfile: (r.securityProfile as SecurityProfile | undefined) ?? 0,
    passwordHash: typeof r.passwordHash === 'string' ? r.passwordHash : undefined,
    validation: r.validation as ValidationPolicy | undefined,
  };
}

/** JSON with object keys sorted, so equal values hash equal. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

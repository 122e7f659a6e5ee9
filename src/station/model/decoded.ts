/**
 * The result of decoding untrusted data (a snapshot read back from a store): the value, or the
 * reason it was refused. Decoding returns this instead of throwing, so the caller decides
 * whether a corrupt snapshot means "start from an empty model" or "fail the restart".
 */
export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export function decoded<T>(value: T): Decoded<T> {
  return { ok: true, value };
}

export function refused<T>(error: string): Decoded<T> {
  return { ok: false, error };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

export function isOptionalString(value: unknown): value is string | undefined {
  return value === undefined || typeof value === 'string';
}

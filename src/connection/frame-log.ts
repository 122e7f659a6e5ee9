/**
 * A frame as a log line shows it: at most 512 characters, and never a secret. Secrets never reach
 * a log (DESIGN.md §4 makes every frame observable at debug level, so this is the one place that
 * decides what of a frame a log line may show).
 *
 * What is a secret, whatever the frame's direction or message type (a CALLRESULT names no action,
 * so the payload's shape decides, not the action):
 * - every value of a secret variable (SecurityCtrlr.BasicAuthPassword, use case A01, as the device
 *   model decides with `isSecretVariable`): `attributeValue` of SetVariables requests and
 *   GetVariables results, `value` of a NotifyReport's variable attributes;
 * - the `value` of every variable attribute reported WriteOnly (NotifyReport, B07/B08: a station
 *   should not report it, a misbehaving one may);
 * - SetNetworkProfile's credentials (B09): every string property whose name ends in "password"
 *   (the VPN's `password`, the APN's `apnPassword`), the APN's `simPin` and the VPN's shared `key`.
 * A SetVariables request or GetVariables result does not say whether a vendor variable is
 * WriteOnly; only the names above are known secrets there.
 */
import { isSecretVariable } from '../station/model/device-model';

export const REDACTED = '[redacted]';
const MAX_LOGGED_CHARS = 512;

/** Cheap first look: a frame none of whose text can name a secret is logged as it came. */
const MAY_HOLD_SECRET = /password|writeonly|simpin|"vpn"|\\u/i;

export function forLog(text: string): string {
  const shown = MAY_HOLD_SECRET.test(text) ? redacted(text) : text;
  return shown.length > MAX_LOGGED_CHARS ? shown.slice(0, MAX_LOGGED_CHARS) + '…' : shown;
}

function redacted(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (a bad frame): its structure cannot be read, so every value that could be a
    // secret's goes, by the property names that carry one.
    return text.replace(/("(?:attributeValue|value|[A-Za-z]*password|simPin|key)"\s*:\s*)(?:"(?:[^"\\]|\\.)*"?|-?[\d.eE+-]+)/gi, `$1"${REDACTED}"`);
  }
  const walk = { changed: false };
  const copy = redactNode(parsed, walk);
  return walk.changed ? JSON.stringify(copy) : text;
}

type Json = unknown;

function redactNode(node: Json, walk: { changed: boolean }, parentKey?: string): Json {
  if (Array.isArray(node)) return node.map((item) => redactNode(item, walk));
  if (!isRecord(node)) return node;
  const secretVariable = namesSecretVariable(node);
  const copy: Record<string, Json> = {};
  for (const [key, value] of Object.entries(node)) {
    if ((typeof value === 'string' || typeof value === 'number') && (isSecretProperty(key, parentKey) || (secretVariable && key === 'attributeValue'))) {
      copy[key] = REDACTED;
      walk.changed = true;
    } else if (key === 'variableAttribute' && Array.isArray(value)) {
      copy[key] = value.map((attribute) => redactAttribute(attribute, secretVariable, walk));
    } else {
      copy[key] = redactNode(value, walk, key);
    }
  }
  return copy;
}

/** A NotifyReport's variable attribute: its value is a secret's, or a WriteOnly one's. */
function redactAttribute(attribute: Json, secretVariable: boolean, walk: { changed: boolean }): Json {
  if (!isRecord(attribute)) return redactNode(attribute, walk);
  const writeOnly = typeof attribute.mutability === 'string' && attribute.mutability.toLowerCase() === 'writeonly';
  const copy = redactNode(attribute, walk) as Record<string, Json>;
  if ((secretVariable || writeOnly) && attribute.value !== undefined) {
    copy.value = REDACTED;
    walk.changed = true;
  }
  return copy;
}

function isSecretProperty(key: string, parentKey: string | undefined): boolean {
  return /password$/i.test(key) || key === 'simPin' || (key === 'key' && parentKey === 'vpn');
}

/** `{ component: { name }, variable: { name } }` naming a secret variable. */
function namesSecretVariable(node: Record<string, Json>): boolean {
  const { component, variable } = node;
  return isRecord(component) && isRecord(variable) && typeof component.name === 'string' && typeof variable.name === 'string' && isSecretVariable(component.name, variable.name);
}

function isRecord(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Presence (DESIGN.md §6, §10): which node holds each station's socket, under which connection
 * epoch, kept in Redis.
 *
 * - `<prefix>epoch:<station>`: the station's last epoch. A claim takes the next one: one more
 *   than the last, and at least Redis's clock in milliseconds, so epochs keep growing even after
 *   a Redis restart that lost every key (a counter incremented per claim, floored by time).
 * - `<prefix>presence:<station>`: `"<node> <epoch>"`, with a lease (PX) the holding node renews
 *   while the socket lives. A node that dies stops renewing; its stations' keys expire.
 * - `<prefix>claims`: every claim is published (`"<station> <epoch> <node>"`): a node that holds
 *   the station under an older epoch closes its socket (4000) at once. The renewal is the
 *   backstop for a missed message: it finds the key holding another epoch.
 * - `<prefix>node:<node>`: a node's liveness, with the same lease.
 *
 * Each step is one Lua script, so a claim and its announcement, or a renewal and its check,
 * are atomic. Redis restarted without its data: the renewal puts back the keys of the stations a
 * node still holds (when no newer claim exists), so the nodes recover without a restart.
 */
import type { Redis } from 'ioredis';

const CLAIM = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local epoch = last + 1
if epoch < now then epoch = now end
local text = string.format('%.0f', epoch)
redis.call('SET', KEYS[1], text)
local previous = redis.call('GET', KEYS[2])
redis.call('SET', KEYS[2], ARGV[1] .. ' ' .. text, 'PX', ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4] .. ' ' .. text .. ' ' .. ARGV[1])
return {text, previous, string.format('%.0f', last)}
`;

/** KEYS: presence and epoch key per station, in pairs; ARGV: node, lease, then each station's epoch. Returns the 1-based indexes lost. */
const RENEW = `
local lost = {}
local n = #KEYS / 2
for i = 1, n do
  local presence = KEYS[2 * i - 1]
  local counter = KEYS[2 * i]
  local epoch = ARGV[2 + i]
  local mine = ARGV[1] .. ' ' .. epoch
  local value = redis.call('GET', presence)
  if value == mine then
    redis.call('PEXPIRE', presence, ARGV[2])
  elseif not value and tonumber(redis.call('GET', counter) or '0') <= tonumber(epoch) then
    redis.call('SET', counter, epoch)
    redis.call('SET', presence, mine, 'PX', ARGV[2])
  else
    lost[#lost + 1] = i
  end
end
return lost
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;

/** Who holds a station, as presence says. */
export interface Holder {
  readonly node: string;
  readonly epoch: number;
}

/** A claim's outcome: the new epoch, the one before it (0: never claimed), who held the station before (if the lease still ran). */
export interface Claim {
  readonly epoch: number;
  readonly last: number;
  readonly previous?: Holder;
}

export function parseHolder(value: string | null | undefined): Holder | undefined {
  if (!value) return undefined;
  const space = value.lastIndexOf(' ');
  const epoch = Number(value.slice(space + 1));
  if (space <= 0 || !Number.isSafeInteger(epoch)) return undefined;
  return { node: value.slice(0, space), epoch };
}

/** A claim announcement on the claims channel. */
export function parseClaimMessage(text: string): { station: string; epoch: number; node: string } | undefined {
  // The station identity has no space (Part 4 §3.1.1), unless the operator allows one: split from the end.
  const last = text.lastIndexOf(' ');
  const middle = last > 0 ? text.lastIndexOf(' ', last - 1) : -1;
  if (middle <= 0) return undefined;
  const epoch = Number(text.slice(middle + 1, last));
  if (!Number.isSafeInteger(epoch)) return undefined;
  return { station: text.slice(0, middle), epoch, node: text.slice(last + 1) };
}

/** The Redis side of presence: keys, scripts, nothing about sockets. */
export class PresenceKeys {
  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
    readonly nodeId: string,
    readonly leaseMs: number,
  ) {}

  get claimsChannel(): string {
    return `${this.prefix}claims`;
  }

  presenceKey(station: string): string {
    return `${this.prefix}presence:${station}`;
  }

  epochKey(station: string): string {
    return `${this.prefix}epoch:${station}`;
  }

  nodeKey(node: string): string {
    return `${this.prefix}node:${node}`;
  }

  get nodesKey(): string {
    return `${this.prefix}nodes`;
  }

  async claim(station: string): Promise<Claim> {
    const [epoch, previous, last] = (await this.redis.eval(
      CLAIM,
      2,
      this.epochKey(station),
      this.presenceKey(station),
      this.nodeId,
      String(this.leaseMs),
      this.claimsChannel,
      station,
    )) as [string, string | null, string];
    return { epoch: Number(epoch), last: Number(last), previous: parseHolder(previous) };
  }

  /** Renew the leases of the stations held here; returns the ones another claim took. */
  async renew(held: readonly { readonly station: string; readonly epoch: number }[]): Promise<string[]> {
    if (held.length === 0) return [];
    const keys = held.flatMap(({ station }) => [this.presenceKey(station), this.epochKey(station)]);
    const lost = (await this.redis.eval(RENEW, keys.length, ...keys, this.nodeId, String(this.leaseMs), ...held.map((h) => String(h.epoch)))) as number[];
    return lost.map((index) => held[index - 1]!.station);
  }

  /** Drop the station's presence if this node still holds it under `epoch` (its socket closed). */
  async release(station: string, epoch: number): Promise<boolean> {
    return (await this.redis.eval(RELEASE, 1, this.presenceKey(station), `${this.nodeId} ${epoch}`)) === 1;
  }

  async holder(station: string): Promise<Holder | undefined> {
    return parseHolder(await this.redis.get(this.presenceKey(station)));
  }

  async holders(stations: readonly string[]): Promise<Map<string, Holder>> {
    const result = new Map<string, Holder>();
    for (let i = 0; i < stations.length; i += 1000) {
      const slice = stations.slice(i, i + 1000);
      const values = await this.redis.mget(slice.map((s) => this.presenceKey(s)));
      slice.forEach((station, j) => {
        const holder = parseHolder(values[j]);
        if (holder) result.set(station, holder);
      });
    }
    return result;
  }

  /** Say this node is alive for another lease. */
  async heartbeat(info: Record<string, unknown>): Promise<void> {
    await this.redis.multi().set(this.nodeKey(this.nodeId), JSON.stringify(info), 'PX', this.leaseMs).sadd(this.nodesKey, this.nodeId).exec();
  }

  /** The nodes whose liveness lease runs. */
  async liveNodes(): Promise<string[]> {
    const nodes = await this.redis.smembers(this.nodesKey);
    if (nodes.length === 0) return [];
    const values = await this.redis.mget(nodes.map((n) => this.nodeKey(n)));
    return nodes.filter((_, i) => values[i] !== null).sort();
  }

  async nodeAlive(node: string): Promise<boolean> {
    return (await this.redis.exists(this.nodeKey(node))) === 1;
  }

  async leave(): Promise<void> {
    await this.redis.multi().del(this.nodeKey(this.nodeId)).srem(this.nodesKey, this.nodeId).exec();
  }
}

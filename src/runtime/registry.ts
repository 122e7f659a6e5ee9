/**
 * Names → actor refs, the role gproc plays in the Erlang original. A name belongs to one
 * live incarnation; it is released automatically when that incarnation stops (before its
 * supervisor hears of the exit), so a restarted child can take the same name again, from
 * its `init` (`ctx.register(name)`) or its child spec (`worker(b, args, { register })`).
 *
 * A caller that kept the old ref gets `ActorStoppedError` from it; `whereis` again to
 * reach the new incarnation.
 *
 *     const STATIONS = actorName<SupervisorMsg<StationArgs, StationSupMsg>>('stations');
 *     const ref = registry.whereis(STATIONS);          // ActorRef<...> | undefined
 */
import { ActorStoppedError, NameTakenError } from '../errors';
import { cellOf, labelOf } from './cell';
import type { ActorName, ActorRef } from './types';

/** A typed registry name. Names are plain strings at run time. */
export function actorName<M>(key: string): ActorName<M> {
  return { key };
}

export class Registry {
  private readonly entries = new Map<string, ActorRef<never>>();

  /**
   * Bind `name` to `ref`. Throws `NameTakenError` if a live incarnation holds it, and
   * `ActorStoppedError` if `ref` has stopped. Registering the same ref twice is harmless.
   */
  register<M>(name: ActorName<M>, ref: ActorRef<M>): void {
    const cell = cellOf(ref);
    if (!cell.alive) throw new ActorStoppedError(labelOf(ref));
    const holder = this.entries.get(name.key);
    if (holder === ref) return;
    if (holder && cellOf(holder).alive) throw new NameTakenError(name.key, labelOf(holder));
    this.entries.set(name.key, ref);
    cell.addName(name.key);
  }

  /** The live incarnation registered under `name`, if any. */
  whereis<M>(name: ActorName<M>): ActorRef<M> | undefined {
    const ref = this.entries.get(name.key);
    return ref && cellOf(ref).alive ? (ref as ActorRef<M>) : undefined;
  }

  /** Release `name`; true if it was bound. */
  unregister<M>(name: ActorName<M>): boolean {
    const ref = this.entries.get(name.key);
    if (!ref) return false;
    this.entries.delete(name.key);
    cellOf(ref).removeName(name.key);
    return true;
  }

  /** Every bound name, in registration order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  get size(): number {
    return this.entries.size;
  }

  /** Called by the runtime when `ref` stops: drop `key` if `ref` still holds it. */
  releaseFor(key: string, ref: ActorRef<never>): void {
    if (this.entries.get(key) === ref) this.entries.delete(key);
  }
}

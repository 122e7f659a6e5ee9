/**
 * The listener as a supervised child of the application supervisor (DESIGN.md §2): a worker
 * whose `init` binds the ports and whose `terminate` closes them and every socket with 1001.
 * It is started after the stations supervisor and, stopping in reverse order, stops first:
 * no station is taken down while its charger can still send.
 *
 *     const csms = await startCsms({ children: [listenerChild({ options, directory: () => bound })] });
 */
import { actorName, type Behaviour, type ReplyTo } from '../src/runtime';
import { worker, type ChildSpec } from './index';
import { LISTENER_DEFAULTS, OcppListener, type ListenerAddress, type ListenerOptions, type StationDirectory } from '../src/server/listener';

export type ListenerMsg =
  | { readonly type: 'addresses'; readonly replyTo: ReplyTo<readonly ListenerAddress[]> }
  | { readonly type: 'connections'; readonly replyTo: ReplyTo<number> }
  /** A station's password changed or it was removed: forget its verified credentials. */
  | { readonly type: 'invalidate_credentials'; readonly stationId: string };

export const LISTENER = actorName<ListenerMsg>('listener');

export interface ListenerArgs {
  readonly options: ListenerOptions;
  /** The CSMS, once it is ready to take stations; upgrades are answered 503 before. */
  readonly directory: () => StationDirectory | undefined;
  /** Told the bound addresses each time an incarnation has started listening. */
  readonly onListening?: (addresses: readonly ListenerAddress[]) => void;
}

export const listenerBehaviour: Behaviour<ListenerMsg, OcppListener, ListenerArgs> = {
  async init(args) {
    const listener = new OcppListener(args.options, args.directory);
    const addresses = await listener.listen();
    args.onListening?.(addresses);
    return listener;
  },
  receive(listener, msg) {
    switch (msg.type) {
      case 'addresses':
        msg.replyTo(listener.addresses);
        return listener;
      case 'connections':
        msg.replyTo(listener.connections);
        return listener;
      case 'invalidate_credentials':
        listener.invalidateCredentials(msg.stationId);
        return listener;
      default:
        return assertNever(msg);
    }
  },
  async terminate(listener) {
    await listener.close();
  },
};

/** The child spec: permanent, with a shutdown long enough for every close handshake. */
export function listenerChild(args: ListenerArgs): ChildSpec<ListenerMsg> {
  const closeTimeoutMs = args.options.closeTimeoutMs ?? LISTENER_DEFAULTS.closeTimeoutMs;
  return {
    id: 'listener',
    start: worker(listenerBehaviour, args, { register: LISTENER }),
    shutdown: closeTimeoutMs + 2_000,
  };
}

function assertNever(value: never): never {
  throw new TypeError(`unexpected listener message ${JSON.stringify(value)}`);
}

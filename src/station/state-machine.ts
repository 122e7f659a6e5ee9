/**
 * The OCPP station state machine (DESIGN.md §3), as a pure module: each input returns the next
 * status and the effects to carry out, so the station actor only executes effects and the rules
 * are tested without actors or sockets.
 *
 * Naming rule (from the Erlang original): an `rpccall` arrives from the station; a `call` is
 * sent to it by the CSMS.
 */
import type { CsmsAction, RequestOf, ResponseOf, StationAction } from '../../schemas/actions';
import type { OcppErrorCode } from '../errors';

export const STATION_STATUSES = [
  'disconnected',
  'connected',
  'booting',
  'boot_pending',
  'provisioning',
  'idle',
  'offline',
  'reconnecting',
  'resetting',
] as const;
export type StationStatus = (typeof STATION_STATUSES)[number];

export type RegistrationStatus = ResponseOf<'BootNotification'>['status'];

/** The part of a station's standing the state machine owns (persisted with the models). */
export interface MachineState {
  status: StationStatus;
  /** The answer to the last BootNotification, if any. */
  bootStatus?: RegistrationStatus;
  /** The last boot request (vendor, model, firmware ...). */
  boot?: RequestOf<'BootNotification'>;
  /** Message id of the BootNotification being answered by the handler. */
  pendingBootId?: string;
  /**
   * Messages the CSMS triggered while the boot is Pending: each accepted TriggerMessage lets
   * the station send one such message (OCPP 2.0.1 B02.FR.02, F06).
   */
  triggered: StationAction[];
  /** When (RFC 3339) the station accepted the reset it is `resetting` for. */
  resettingSince?: string;
}

export function initialMachineState(): MachineState {
  return { status: 'disconnected', triggered: [] };
}

/** What the station actor does after an input. */
export type Effect =
  | { readonly type: 'forward'; readonly messageId: string; readonly action: StationAction; readonly payload: unknown }
  | { readonly type: 'auto'; readonly messageId: string; readonly action: AutoAction; readonly payload: unknown }
  | {
      readonly type: 'refuse';
      readonly messageId: string;
      readonly code: OcppErrorCode;
      readonly description: string;
    }
  | { readonly type: 'ready' }
  /** The station left `resetting` without rebooting; `reason` says what showed it runs normally (for the log). */
  | { readonly type: 'reset_abandoned'; readonly reason: string };

/** Station messages the core answers itself, without the handler (DESIGN.md §3). */
export const AUTO_ACTIONS = ['Heartbeat', 'StatusNotification', 'NotifyReport'] as const;
export type AutoAction = (typeof AUTO_ACTIONS)[number];

function isAuto(action: StationAction): action is AutoAction {
  return (AUTO_ACTIONS as readonly string[]).includes(action);
}

/** Boot gating: CSMS calls allowed while the boot is Pending (B02.FR.01 and the original). */
export const CALLS_WHILE_PENDING: readonly CsmsAction[] = [
  'GetVariables',
  'SetVariables',
  'GetBaseReport',
  'GetReport',
  'TriggerMessage',
];

/** TriggerMessage's MessageTriggerEnumType → the action the station then sends. */
export const TRIGGERED_ACTION: Readonly<Record<RequestOf<'TriggerMessage'>['requestedMessage'], StationAction>> = {
  BootNotification: 'BootNotification',
  LogStatusNotification: 'LogStatusNotification',
  FirmwareStatusNotification: 'FirmwareStatusNotification',
  Heartbeat: 'Heartbeat',
  MeterValues: 'MeterValues',
  SignChargingStationCertificate: 'SignCertificate',
  SignV2GCertificate: 'SignCertificate',
  StatusNotification: 'StatusNotification',
  SignCombinedCertificate: 'SignCertificate',
  PublishFirmwareStatusNotification: 'PublishFirmwareStatusNotification',
  TransactionEvent: 'TransactionEvent',
};

const NOT_ACCEPTED =
  'the station has not been accepted: until its BootNotification is Accepted it may only send a ' +
  'BootNotification (OCPP 2.0.1 B01/B02), or a message the CSMS triggered';

/** A socket was attached to the station. */
export function attach(state: MachineState): { reconnect: boolean } {
  const accepted = state.bootStatus === 'Accepted';
  state.resettingSince = undefined;
  // A charger that reconnects without rebooting is served (OCPP-J Part 4 §5.3): it was
  // accepted before, so it resumes; anything else must boot.
  state.status = accepted ? 'reconnecting' : 'connected';
  state.pendingBootId = undefined;
  return { reconnect: accepted };
}

/** The socket went away. */
export function detach(state: MachineState): void {
  state.pendingBootId = undefined;
  state.resettingSince = undefined;
  state.status = state.bootStatus === 'Accepted' ? 'offline' : 'disconnected';
}

/**
 * A CALL from the station. A NotifyReport goes to the automatic handler in every state where
 * reports may arrive; whether its requestId belongs to a requested report (else SecurityError,
 * scenarios 8 and 11) is the report assembler's decision.
 */
export function rpccall(state: MachineState, messageId: string, action: StationAction, payload: unknown): Effect[] {
  switch (state.status) {
    case 'disconnected':
    case 'offline':
      // No socket: nothing can arrive. A frame racing the close is refused, not processed.
      return [refuse(messageId, 'SecurityError', 'the station is not connected')];
    case 'connected':
      if (action === 'BootNotification') return startBoot(state, messageId, payload);
      return [refuse(messageId, 'SecurityError', NOT_ACCEPTED)];
    case 'booting':
      return [
        refuse(
          messageId,
          'SecurityError',
          action === 'BootNotification'
            ? 'a BootNotification is already being processed; wait for its answer'
            : NOT_ACCEPTED,
        ),
      ];
    case 'boot_pending':
      return whilePending(state, messageId, action, payload);
    case 'reconnecting':
      if (action === 'BootNotification') return startBoot(state, messageId, payload);
      // Any other message resumes the session (Heartbeat and StatusNotification as the
      // original; also the TransactionEvents a charger queued while offline, E04).
      state.status = 'provisioning';
      return accepted(state, messageId, action, payload);
    case 'provisioning':
    case 'idle':
      if (action === 'BootNotification') return startBoot(state, messageId, payload);
      return accepted(state, messageId, action, payload);
    case 'resetting':
      if (action === 'BootNotification') return startBoot(state, messageId, payload);
      if (action === 'TransactionEvent' && (payload as { eventType?: unknown } | null)?.eventType === 'Started') {
        // A station that starts a new transaction is not rebooting (B11/B12: it stops its
        // transactions before an accepted reset); it kept running, so the reset did not happen.
        const over = leaveResetting(state, 'a new transaction started');
        return [over, ...accepted(state, messageId, action, payload)];
      }
      return accepted(state, messageId, action, payload);
  }
}

/**
 * A station still `resetting` `timeoutMs` after it accepted the reset, without rebooting or losing
 * its socket, runs normally: it leaves `resetting` (the effect says why, for the log).
 */
export function resetTimedOut(state: MachineState, now: number, timeoutMs: number): ResetAbandoned | undefined {
  if (state.status !== 'resetting') return undefined;
  const since = state.resettingSince === undefined ? Number.NaN : Date.parse(state.resettingSince);
  // No time on record (a standing from before it was kept): it has been resetting long enough.
  if (Number.isFinite(since) && now - since < timeoutMs) return undefined;
  return leaveResetting(state, `no reboot within ${timeoutMs} ms of the accepted reset`);
}

type ResetAbandoned = Extract<Effect, { type: 'reset_abandoned' }>;

function leaveResetting(state: MachineState, reason: string): ResetAbandoned {
  state.status = 'idle';
  state.resettingSince = undefined;
  return { type: 'reset_abandoned', reason };
}

function whilePending(state: MachineState, messageId: string, action: StationAction, payload: unknown): Effect[] {
  // A BootNotification is always accepted for processing (B02.FR.06: the station keeps booting).
  if (action === 'BootNotification') return startBoot(state, messageId, payload);
  // B02.FR.03: reports the CSMS requested may be sent while Pending (the assembler checks the requestId).
  if (action === 'NotifyReport') return [{ type: 'auto', messageId, action, payload }];
  const slot = state.triggered.indexOf(action);
  if (slot >= 0) {
    // B02.FR.02: a message the CSMS triggered is allowed, once per accepted trigger.
    state.triggered.splice(slot, 1);
    return [isAuto(action) ? { type: 'auto', messageId, action, payload } : { type: 'forward', messageId, action, payload }];
  }
  return [refuse(messageId, 'SecurityError', NOT_ACCEPTED)];
}

function accepted(state: MachineState, messageId: string, action: StationAction, payload: unknown): Effect[] {
  if (action === 'NotifyReport') return [{ type: 'auto', messageId, action, payload }];
  if (isAuto(action)) {
    // The first Heartbeat or StatusNotification after acceptance ends provisioning.
    if (state.status === 'provisioning') state.status = 'idle';
    return [{ type: 'auto', messageId, action, payload }];
  }
  return [{ type: 'forward', messageId, action, payload }];
}

function startBoot(state: MachineState, messageId: string, payload: unknown): Effect[] {
  state.status = 'booting';
  state.resettingSince = undefined;
  state.pendingBootId = messageId;
  state.triggered = [];
  return [{ type: 'forward', messageId, action: 'BootNotification', payload }];
}

/**
 * The handler answered the pending BootNotification (or failed to: `response` undefined).
 * Returns `ready` when the station was accepted.
 */
export function bootAnswered(
  state: MachineState,
  messageId: string,
  request: RequestOf<'BootNotification'>,
  response: ResponseOf<'BootNotification'> | undefined,
): Effect[] {
  if (state.status !== 'booting' || state.pendingBootId !== messageId) return [];
  state.pendingBootId = undefined;
  if (!response) {
    state.status = 'connected';
    return [];
  }
  state.bootStatus = response.status;
  state.boot = request;
  switch (response.status) {
    case 'Accepted':
      state.status = 'provisioning';
      return [{ type: 'ready' }];
    case 'Pending':
      state.status = 'boot_pending';
      return [];
    case 'Rejected':
      state.status = 'connected';
      return [];
  }
}

/**
 * Whether the CSMS may send `action` now. Returns the reason it may not, or undefined.
 */
export function callRefusal(state: MachineState, action: CsmsAction): 'offline' | 'not_allowed' | undefined {
  switch (state.status) {
    case 'disconnected':
    case 'offline':
      return 'offline';
    case 'connected':
    case 'booting':
      return 'not_allowed';
    case 'boot_pending':
      return CALLS_WHILE_PENDING.includes(action) ? undefined : 'not_allowed';
    case 'reconnecting':
    case 'provisioning':
    case 'idle':
    case 'resetting':
      return undefined;
  }
}

/**
 * A CSMS call was answered by the station: the state-machine side of it. `now` (ms since the
 * epoch) dates an accepted reset.
 */
export function callAnswered<A extends CsmsAction>(
  state: MachineState,
  action: A,
  request: RequestOf<A>,
  response: ResponseOf<A>,
  now: number = Date.now(),
): void {
  if (action === 'TriggerMessage') {
    const status = (response as ResponseOf<'TriggerMessage'>).status;
    const requested = (request as RequestOf<'TriggerMessage'>).requestedMessage;
    if (status === 'Accepted' && state.status === 'boot_pending') state.triggered.push(TRIGGERED_ACTION[requested]);
  } else if (action === 'Reset') {
    // `resetting` means the station is about to reboot: it answered Accepted (B11/B12: an
    // Immediate reset, or OnIdle while nothing runs, which Part 6 TC_B_20_CS shows rebooting at
    // once). `Scheduled` (OnIdle during a transaction) reboots only once the transactions end,
    // which may be hours away: the station runs normally meanwhile. A reset of one EVSE
    // (`evseId`) does not reboot the station.
    const status = (response as ResponseOf<'Reset'>).status;
    const wholeStation = (request as RequestOf<'Reset'>).evseId === undefined;
    if (status === 'Accepted' && wholeStation && RUNNING.includes(state.status)) {
      state.status = 'resetting';
      state.resettingSince = new Date(now).toISOString();
    }
  }
}

/** The states of an accepted station whose socket is up: where a reset can be accepted. */
const RUNNING: readonly StationStatus[] = ['reconnecting', 'provisioning', 'idle', 'resetting'];

function refuse(messageId: string, code: OcppErrorCode, description: string): Effect {
  return { type: 'refuse', messageId, code, description };
}

/**
 * Answers to the calls a CSMS sends a simulated station. Payloads reaching these functions
 * already passed their request schema (connection.ts). What the answer sets in motion
 * (a triggered message, the parts of a report) runs in `after`, once the CALLRESULT is on the
 * wire, so the CSMS always sees the answer before the messages it announced.
 */
import { OcppError } from '../errors';
import type { IncomingReply } from './connection';
import type { DeviceModel, GetVariableData, SetVariableData } from './device-model';
import type { BootReason, IdToken, StoppedReason } from './payloads';
import type { RegistrationStatus } from './boot';
import type { Transaction } from './transaction';
import type { ChargingProfileType, StationChargingProfiles } from './charging-profiles';
import type { ClearChargingProfileRequest } from '../../schemas/types.generated';

/** What the answers need from the station. */
export interface IncomingSurface {
  readonly deviceModel: DeviceModel;
  readonly evseCount: number;
  readonly bootStatus: RegistrationStatus | undefined;
  readonly reportItemsPerMessage: number;
  transactionOn(evseId: number): Transaction | undefined;
  transactionById(transactionId: string): Transaction | undefined;
  /** True while a charging session (own or remote) runs or is about to. */
  readonly sessionBusy: boolean;
  /** Fire-and-forget CALLs: failures are reported by the station, not to the CSMS. */
  send(action: string, payload: object): void;
  triggerBoot(reason: BootReason): void;
  sendStatus(evseId: number): void;
  sendTransactionUpdate(transaction: Transaction): void;
  sendMeterValues(evseId: number): void;
  /** Set an EVSE (or, with undefined, every EVSE) operative or not; returns the EVSEs whose status changed. */
  setOperative(evseId: number | undefined, operative: boolean): number[];
  scheduleOperative(evseId: number | undefined, operative: boolean): void;
  /** Reserves the station for a remote-started session; `start` runs it (after the answer is sent). */
  reserveRemoteSession(request: { evseId: number; idToken: IdToken; remoteStartId: number }): { transaction: Transaction; start: () => void };
  stopTransaction(transaction: Transaction, reason: StoppedReason): void;
  heartbeatIntervalChanged(): void;
  /** B11/B12: end the transactions, drop the connection, boot again with `reason`. */
  reboot(reason: BootReason): void;
  /** B12: reboot once the last transaction has ended. */
  scheduleReboot(): void;
  /** The charging profiles the station holds (K01, K08, K10). */
  readonly chargingProfiles: StationChargingProfiles;
  /** The limit of EVSE `evseId` (0: every EVSE) may have changed: report the transactions' new rate. */
  chargingRateChanged(evseId: number): void;
}

type Payload = Record<string, unknown>;
type Answer = (station: IncomingSurface, payload: Payload) => IncomingReply;

function ok(payload: Payload, after?: () => void): IncomingReply {
  return after ? { payload, after } : { payload };
}

const getVariables: Answer = (station, payload) =>
  ok({ getVariableResult: (payload.getVariableData as GetVariableData[]).map((item) => station.deviceModel.get(item)) });

const setVariables: Answer = (station, payload) => {
  const results = (payload.setVariableData as SetVariableData[]).map((item) => station.deviceModel.set(item));
  const heartbeatChanged = results.some(
    (r) => r.attributeStatus === 'Accepted' && (r.variable as { name: string }).name === 'HeartbeatInterval',
  );
  return ok({ setVariableResult: results }, heartbeatChanged ? () => station.heartbeatIntervalChanged() : undefined);
};

/** F06: the CSMS asks for a station-initiated message; answer first, then send it. */
const triggerMessage: Answer = (station, payload) => {
  const requested = payload.requestedMessage as string;
  const evse = payload.evse as { id: number; connectorId?: number } | undefined;
  if (evse && (evse.id < 1 || evse.id > station.evseCount || (evse.connectorId ?? 1) !== 1)) {
    return ok({ status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } });
  }
  const evses = evse ? [evse.id] : Array.from({ length: station.evseCount }, (_, i) => i + 1);
  switch (requested) {
    case 'BootNotification':
      // F06.FR.17 (TC_F_26_CS): once a boot was Accepted, a triggered boot is Rejected.
      if (station.bootStatus === 'Accepted') return ok({ status: 'Rejected' });
      return ok({ status: 'Accepted' }, () => station.triggerBoot('Triggered'));
    case 'Heartbeat':
      return ok({ status: 'Accepted' }, () => station.send('Heartbeat', {}));
    case 'StatusNotification':
      return ok({ status: 'Accepted' }, () => evses.forEach((id) => station.sendStatus(id)));
    case 'MeterValues':
      return ok({ status: 'Accepted' }, () => evses.forEach((id) => station.sendMeterValues(id)));
    case 'TransactionEvent': {
      const transactions = evses.map((id) => station.transactionOn(id)).filter((t): t is Transaction => t !== undefined);
      if (transactions.length === 0) return ok({ status: 'Rejected', statusInfo: { reasonCode: 'NoTransaction' } });
      return ok({ status: 'Accepted' }, () => transactions.forEach((t) => station.sendTransactionUpdate(t)));
    }
    default:
      return ok({ status: 'NotImplemented' });
  }
};

/** B07: the report goes out as NotifyReport parts, `tbc` true on all but the last. */
const getBaseReport: Answer = (station, payload) => {
  const requestId = payload.requestId as number;
  const data = station.deviceModel.report(payload.reportBase as 'ConfigurationInventory' | 'FullInventory' | 'SummaryInventory');
  if (data.length === 0) return ok({ status: 'EmptyResultSet' });
  return ok({ status: 'Accepted' }, () => {
    const generatedAt = new Date().toISOString();
    const size = Math.max(1, station.reportItemsPerMessage);
    const parts = Math.ceil(data.length / size);
    for (let seqNo = 0; seqNo < parts; seqNo++) {
      station.send('NotifyReport', {
        requestId,
        generatedAt,
        seqNo,
        tbc: seqNo < parts - 1,
        reportData: data.slice(seqNo * size, (seqNo + 1) * size),
      });
    }
  });
};

/**
 * B11/B12: a reset of the station. Immediate (or OnIdle with nothing running) is Accepted and the
 * station reboots once the answer is out, ending its transactions first (stoppedReason
 * ImmediateReset); OnIdle during a transaction is Scheduled, and the reboot (ScheduledReset)
 * follows the end of the last one. A reset of one EVSE is not simulated: Rejected.
 */
const reset: Answer = (station, payload) => {
  if (payload.evseId !== undefined) return ok({ status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedRequest' } });
  const busy = Array.from({ length: station.evseCount }, (_, i) => station.transactionOn(i + 1)).some(Boolean);
  if (payload.type === 'OnIdle' && busy) return ok({ status: 'Scheduled' }, () => station.scheduleReboot());
  return ok({ status: 'Accepted' }, () => station.reboot('RemoteReset'));
};

/** G03/G04: changing an EVSE (or the station) with a running transaction to Inoperative is Scheduled. */
const changeAvailability: Answer = (station, payload) => {
  const evse = payload.evse as { id: number; connectorId?: number } | undefined;
  const target = evse && evse.id > 0 ? evse.id : undefined;
  if (target !== undefined && (target > station.evseCount || (evse?.connectorId ?? 1) !== 1)) {
    return ok({ status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } });
  }
  const operative = payload.operationalStatus === 'Operative';
  const evses = target !== undefined ? [target] : Array.from({ length: station.evseCount }, (_, i) => i + 1);
  if (!operative && evses.some((id) => station.transactionOn(id))) {
    station.scheduleOperative(target, operative);
    return ok({ status: 'Scheduled' });
  }
  return ok({ status: 'Accepted' }, () => station.setOperative(target, operative).forEach((id) => station.sendStatus(id)));
};

/** F01: accepted when the station is free; the answer carries the transactionId it will use. */
const requestStartTransaction: Answer = (station, payload) => {
  const evseId = (payload.evseId as number | undefined) ?? 1;
  if (evseId < 1 || evseId > station.evseCount || station.sessionBusy || station.bootStatus !== 'Accepted') {
    return ok({ status: 'Rejected' });
  }
  const request = { evseId, idToken: payload.idToken as IdToken, remoteStartId: payload.remoteStartId as number };
  const { transaction, start } = station.reserveRemoteSession(request);
  return ok({ status: 'Accepted', transactionId: transaction.transactionId }, start);
};

/** F03: stop the named transaction if it runs here. */
const requestStopTransaction: Answer = (station, payload) => {
  const transaction = station.transactionById(payload.transactionId as string);
  if (!transaction) return ok({ status: 'Rejected' });
  return ok({ status: 'Accepted' }, () => station.stopTransaction(transaction, 'Remote'));
};

/**
 * K01: kept when it fits the station (its EVSE exists, a TxProfile names the transaction running
 * there); the power of the transactions it limits follows at once, reported with triggerReason
 * ChargingRateChanged.
 */
const setChargingProfile: Answer = (station, payload) => {
  const evseId = payload.evseId as number;
  const answer = station.chargingProfiles.set(evseId, payload.chargingProfile as ChargingProfileType);
  return ok(answer, answer.status === 'Accepted' ? () => station.chargingRateChanged(evseId) : undefined);
};

/** K10: Accepted when profiles matched and were dropped, Unknown when none did. */
const clearChargingProfile: Answer = (station, payload) => {
  const answer = station.chargingProfiles.clear(payload as ClearChargingProfileRequest);
  const evseId = (payload as ClearChargingProfileRequest).chargingProfileCriteria?.evseId ?? 0;
  return ok(answer, answer.status === 'Accepted' ? () => station.chargingRateChanged(evseId) : undefined);
};

/** K08: the limit the held profiles make from now on, for one EVSE or (0) the station. */
const getCompositeSchedule: Answer = (station, payload) => {
  const evseId = payload.evseId as number;
  if (evseId < 0 || evseId > station.evseCount) return ok({ status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } });
  const unit = payload.chargingRateUnit as 'A' | 'W' | undefined;
  return ok({ status: 'Accepted', schedule: { evseId, ...station.chargingProfiles.compositeSchedule(evseId, payload.duration as number, unit) } });
};

const ANSWERS: Record<string, Answer> = {
  SetChargingProfile: setChargingProfile,
  ClearChargingProfile: clearChargingProfile,
  GetCompositeSchedule: getCompositeSchedule,
  GetVariables: getVariables,
  SetVariables: setVariables,
  TriggerMessage: triggerMessage,
  GetBaseReport: getBaseReport,
  Reset: reset,
  ChangeAvailability: changeAvailability,
  RequestStartTransaction: requestStartTransaction,
  RequestStopTransaction: requestStopTransaction,
};

export const SUPPORTED_CSMS_CALLS: readonly string[] = Object.keys(ANSWERS);

/**
 * The answer to one CSMS call. An OCPP 2.0.1 action the simulator does not handle is
 * NotSupported (OCPP-J Part 4 §4.3: recognised but not supported); unknown actions never get
 * here (the connection answers NotImplemented).
 */
export function answerCsmsCall(station: IncomingSurface, action: string, payload: Payload): IncomingReply {
  const answer = Object.hasOwn(ANSWERS, action) ? ANSWERS[action] : undefined;
  if (!answer) return { error: new OcppError('NotSupported', `the simulator does not support ${action}`) };
  return answer(station, payload);
}

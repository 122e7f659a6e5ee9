/**
 * The station-to-CSMS payloads the simulator sends, built from small typed functions so the
 * session script reads as the sequence of messages and nothing else. Field names and enum
 * values follow the official OCPP 2.0.1 JSON schemas in `schemas/`.
 */

import { currentOf } from './charging-profiles';

export type IdTokenEnum = 'Central' | 'eMAID' | 'ISO14443' | 'ISO15693' | 'KeyCode' | 'Local' | 'MacAddress' | 'NoAuthorization';
export const ID_TOKEN_TYPES: readonly IdTokenEnum[] = ['Central', 'eMAID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization'];

export type StoppedReason =
  | 'DeAuthorized' | 'EmergencyStop' | 'EnergyLimitReached' | 'EVDisconnected' | 'GroundFault' | 'ImmediateReset'
  | 'Local' | 'LocalOutOfCredit' | 'MasterPass' | 'Other' | 'OvercurrentFault' | 'PowerLoss' | 'PowerQuality'
  | 'Reboot' | 'Remote' | 'SOCLimitReached' | 'StoppedByEV' | 'TimeLimitReached' | 'Timeout';
export const STOPPED_REASONS: readonly StoppedReason[] = [
  'DeAuthorized', 'EmergencyStop', 'EnergyLimitReached', 'EVDisconnected', 'GroundFault', 'ImmediateReset',
  'Local', 'LocalOutOfCredit', 'MasterPass', 'Other', 'OvercurrentFault', 'PowerLoss', 'PowerQuality',
  'Reboot', 'Remote', 'SOCLimitReached', 'StoppedByEV', 'TimeLimitReached', 'Timeout',
];

/** BootReasonEnumType values the simulator uses: power-up, a CSMS trigger (F06), a reset the CSMS asked for (B11/B12). */
export type BootReason = 'PowerUp' | 'Triggered' | 'RemoteReset' | 'ScheduledReset';
export type ConnectorStatus = 'Available' | 'Occupied' | 'Reserved' | 'Unavailable' | 'Faulted';
export type TriggerReason =
  | 'Authorized' | 'CablePluggedIn' | 'MeterValuePeriodic' | 'StopAuthorized' | 'RemoteStart' | 'RemoteStop'
  | 'Deauthorized' | 'EVCommunicationLost' | 'AbnormalCondition' | 'Trigger' | 'ResetCommand' | 'ChargingRateChanged';
export type ReadingContext = 'Transaction.Begin' | 'Sample.Periodic' | 'Transaction.End' | 'Trigger';

export interface IdToken {
  idToken: string;
  type: IdTokenEnum;
}

export interface Evse {
  id: number;
  connectorId?: number;
}

export interface MeterValue {
  timestamp: string;
  sampledValue: Array<{ value: number; measurand: string; context: ReadingContext; unitOfMeasure: { unit: string } }>;
}

export interface TransactionEventRequest {
  eventType: 'Started' | 'Updated' | 'Ended';
  timestamp: string;
  triggerReason: TriggerReason;
  seqNo: number;
  transactionInfo: {
    transactionId: string;
    chargingState?: 'Charging' | 'EVConnected' | 'SuspendedEV' | 'SuspendedEVSE' | 'Idle';
    stoppedReason?: StoppedReason;
    remoteStartId?: number;
  };
  evse?: Evse;
  idToken?: IdToken;
  meterValue?: MeterValue[];
}

/** Fixed identification of a simulated station; `serialNumber` is at most 25 characters. */
export function bootNotificationRequest(identity: string, reason: BootReason): Record<string, unknown> {
  return {
    reason,
    chargingStation: {
      model: 'SimCharger',
      vendorName: 'ocpp-csms simulator',
      serialNumber: identity.slice(-25),
      firmwareVersion: '0.1.0',
    },
  };
}

export function statusNotificationRequest(evseId: number, connectorId: number, connectorStatus: ConnectorStatus): Record<string, unknown> {
  return { timestamp: now(), connectorStatus, evseId, connectorId };
}

export function authorizeRequest(idToken: IdToken): Record<string, unknown> {
  return { idToken };
}

/**
 * One meter sample: the energy register (Wh, monotonic), the instantaneous power (W) and the
 * current per phase it makes (A; three-phase at 230 V, charging-profiles.ts), which a CSMS
 * keeping a site under a limit in A reads.
 */
export function meterValue(energyWh: number, powerW: number, context: ReadingContext): MeterValue {
  return {
    timestamp: now(),
    sampledValue: [
      { value: energyWh, measurand: 'Energy.Active.Import.Register', context, unitOfMeasure: { unit: 'Wh' } },
      { value: powerW, measurand: 'Power.Active.Import', context, unitOfMeasure: { unit: 'W' } },
      { value: currentOf(powerW), measurand: 'Current.Import', context, unitOfMeasure: { unit: 'A' } },
    ],
  };
}

/**
 * The triggerReason that goes with how a transaction ended: a local stop is the driver
 * presenting the token again, a remote one the CSMS's RequestStopTransaction.
 */
export function endTriggerFor(reason: StoppedReason): TriggerReason {
  switch (reason) {
    case 'Local':
      return 'StopAuthorized';
    case 'Remote':
      return 'RemoteStop';
    case 'DeAuthorized':
      return 'Deauthorized';
    case 'EVDisconnected':
      return 'EVCommunicationLost';
    case 'ImmediateReset':
      // B12: a transaction ended by an Immediate reset reports the reset command as its trigger.
      return 'ResetCommand';
    default:
      return 'AbnormalCondition';
  }
}

export function now(): string {
  return new Date().toISOString();
}

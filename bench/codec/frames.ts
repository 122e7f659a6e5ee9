/**
 * The realistic frame mix of the codec benchmark: what a busy station sends most (Heartbeat,
 * StatusNotification, TransactionEvent with meter values) and one large NotifyReport.
 */
import type { RequestOf } from '../../schemas';

const NOW = '2024-05-01T10:00:00.000Z';

export const heartbeat: RequestOf<'Heartbeat'> = {};

export const statusNotification: RequestOf<'StatusNotification'> = {
  timestamp: NOW,
  connectorStatus: 'Occupied',
  evseId: 1,
  connectorId: 1,
};

export const transactionEvent: RequestOf<'TransactionEvent'> = {
  eventType: 'Updated',
  timestamp: NOW,
  triggerReason: 'MeterValuePeriodic',
  seqNo: 42,
  transactionInfo: { transactionId: 'f1c5b6a2-2a57-4c3e-9b8a-0d3c6c1b2e11', chargingState: 'Charging' },
  evse: { id: 1, connectorId: 1 },
  meterValue: [
    {
      timestamp: NOW,
      sampledValue: [
        { value: 12345.6, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' }, context: 'Sample.Periodic' },
        { value: 7200, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' }, context: 'Sample.Periodic' },
        { value: 31.2, measurand: 'Current.Import', phase: 'L1', unitOfMeasure: { unit: 'A' } },
        { value: 31.0, measurand: 'Current.Import', phase: 'L2', unitOfMeasure: { unit: 'A' } },
        { value: 30.9, measurand: 'Current.Import', phase: 'L3', unitOfMeasure: { unit: 'A' } },
        { value: 230.1, measurand: 'Voltage', phase: 'L1-N', unitOfMeasure: { unit: 'V' } },
        { value: 64, measurand: 'SoC', location: 'EV', unitOfMeasure: { unit: 'Percent' } },
      ],
    },
  ],
};

export const notifyReport: RequestOf<'NotifyReport'> = {
  requestId: 7,
  generatedAt: NOW,
  tbc: true,
  seqNo: 0,
  reportData: Array.from({ length: 50 }, (_, i) => ({
    component: { name: i % 2 === 0 ? 'EVSE' : 'Connector', evse: { id: 1 + (i % 2), connectorId: 1 } },
    variable: { name: `Variable${i}`, instance: i % 3 === 0 ? 'Main' : undefined },
    variableAttribute: [{ type: 'Actual' as const, value: String(i * 10), mutability: 'ReadOnly' as const, persistent: true }],
    variableCharacteristics: { dataType: 'integer' as const, supportsMonitoring: i % 4 === 0, unit: 'A' },
  })).map((entry) => JSON.parse(JSON.stringify(entry)) as typeof entry),
};

/** [action, payload, weight in the mix] */
export const MIX = [
  ['Heartbeat', heartbeat, 30],
  ['StatusNotification', statusNotification, 30],
  ['TransactionEvent', transactionEvent, 35],
  ['NotifyReport', notifyReport, 5],
] as const;

/**
 * The charging session script (use cases C01 Authorize, E01–E07 transactions, G01 status):
 * Authorize → StatusNotification Occupied → TransactionEvent Started → Updated with meter
 * values every interval → Ended → StatusNotification Available.
 *
 * A token the CSMS does not accept is a refused session, not an error: the station simply
 * does not charge (C01). The same goes for a token the CSMS deauthorizes in its answer to
 * TransactionEvent Started (E05): the transaction is ended with stoppedReason DeAuthorized.
 */
import { authorizeRequest, endTriggerFor, type ConnectorStatus, type StoppedReason, type TriggerReason } from './payloads';
import type { Transaction } from './transaction';

export interface SessionSurface {
  call(action: string, payload: object): Promise<Record<string, unknown>>;
  setConnectorStatus(evseId: number, status: ConnectorStatus): Promise<void>;
  /** The transaction becomes visible to CSMS calls (RequestStopTransaction, TriggerMessage). */
  beginTransaction(transaction: Transaction): void;
  endTransaction(transaction: Transaction): void;
}

export interface SessionPlan {
  transaction: Transaction;
  /** Authorize the token first (local start; remote start only when AuthorizeRemoteStart). */
  authorize: boolean;
  startTrigger: Extract<TriggerReason, 'Authorized' | 'RemoteStart'>;
  meterIntervalMs: number;
  meterUpdates: number;
  stoppedReason: StoppedReason;
}

function authorizationStatus(response: Record<string, unknown>): string | undefined {
  const info = response.idTokenInfo;
  return typeof info === 'object' && info !== null ? String((info as Record<string, unknown>).status) : undefined;
}

export async function runChargingSession(station: SessionSurface, plan: SessionPlan): Promise<'completed' | 'refused'> {
  const tx = plan.transaction;
  if (plan.authorize) {
    const answer = await station.call('Authorize', authorizeRequest(tx.idToken));
    if (authorizationStatus(answer) !== 'Accepted') return 'refused';
  }
  await station.setConnectorStatus(tx.evseId, 'Occupied');
  station.beginTransaction(tx);
  try {
    const started = await station.call('TransactionEvent', tx.started(plan.startTrigger));
    const status = authorizationStatus(started);
    if (status !== undefined && status !== 'Accepted') tx.requestStop('DeAuthorized');
    for (let i = 0; i < plan.meterUpdates && !tx.stopRequested; i++) {
      await tx.pause(plan.meterIntervalMs);
      if (tx.stopRequested) break;
      await station.call('TransactionEvent', tx.updated('MeterValuePeriodic'));
    }
    const reason = tx.stopRequested ?? plan.stoppedReason;
    await station.call('TransactionEvent', tx.ended(reason, endTriggerFor(reason)));
  } finally {
    station.endTransaction(tx);
  }
  await station.setConnectorStatus(tx.evseId, 'Available');
  return tx.stopRequested === 'DeAuthorized' ? 'refused' : 'completed';
}

/**
 * The station state machine as a pure module: every state of DESIGN.md §3, its boot gating
 * and the calls the CSMS may send in it.
 */
import { CSMS_ACTIONS, STATION_ACTIONS, type StationAction } from '../../schemas/actions';
import * as machine from '../../src/station/state-machine';
import type { MachineState, StationStatus } from '../../src/station/state-machine';

const BOOT = { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } } as const;
const answer = (status: 'Accepted' | 'Pending' | 'Rejected') => ({ status, interval: 10, currentTime: new Date().toISOString() });

function inState(status: StationStatus, extra: Partial<MachineState> = {}): MachineState {
  return { ...machine.initialMachineState(), status, ...extra };
}

function booted(status: 'Accepted' | 'Pending' | 'Rejected'): MachineState {
  const s = machine.initialMachineState();
  machine.attach(s);
  machine.rpccall(s, 'b', 'BootNotification', BOOT);
  machine.bootAnswered(s, 'b', BOOT, answer(status));
  return s;
}

describe('attach and detach', () => {
  it('should enter connected when a station that was never accepted attaches', () => {
    const s = machine.initialMachineState();
    expect(machine.attach(s)).toEqual({ reconnect: false });
    expect(s.status).toBe('connected');
  });

  it('should enter reconnecting when an accepted station attaches again (OCPP-J Part 4 §5.3)', () => {
    const s = booted('Accepted');
    machine.detach(s);
    expect(s.status).toBe('offline');
    expect(machine.attach(s)).toEqual({ reconnect: true });
    expect(s.status).toBe('reconnecting');
  });

  it('should go back to disconnected, not offline, when an unaccepted station drops', () => {
    const s = booted('Pending');
    machine.detach(s);
    expect(s.status).toBe('disconnected');
  });
});

describe('boot gating of station messages', () => {
  const others = STATION_ACTIONS.filter((a) => a !== 'BootNotification');

  it.each(others)('should refuse %s with SecurityError before the station booted', (action) => {
    const s = inState('connected');
    expect(machine.rpccall(s, 'x', action, {})).toEqual([expect.objectContaining({ type: 'refuse', code: 'SecurityError', messageId: 'x' })]);
    expect(s.status).toBe('connected');
  });

  it('should forward a BootNotification to the handler and enter booting', () => {
    const s = inState('connected');
    expect(machine.rpccall(s, 'b', 'BootNotification', BOOT)).toEqual([
      { type: 'forward', messageId: 'b', action: 'BootNotification', payload: BOOT },
    ]);
    expect(s.status).toBe('booting');
  });

  it('should refuse a second BootNotification while the first is being answered', () => {
    const s = inState('connected');
    machine.rpccall(s, 'b1', 'BootNotification', BOOT);
    expect(machine.rpccall(s, 'b2', 'BootNotification', BOOT)).toEqual([expect.objectContaining({ type: 'refuse', code: 'SecurityError' })]);
  });

  it.each([
    ['Accepted', 'provisioning'],
    ['Pending', 'boot_pending'],
    ['Rejected', 'connected'],
  ] as const)('should move to the right state when the boot is answered %s', (status, next) => {
    const s = booted(status);
    expect(s.status).toBe(next);
    expect(s.bootStatus).toBe(status);
  });

  it('should announce ready only when the boot is accepted', () => {
    const s = inState('connected');
    machine.rpccall(s, 'b', 'BootNotification', BOOT);
    expect(machine.bootAnswered(s, 'b', BOOT, answer('Accepted'))).toEqual([{ type: 'ready' }]);
  });

  it('should ignore a boot answer for another message id', () => {
    const s = inState('connected');
    machine.rpccall(s, 'b', 'BootNotification', BOOT);
    expect(machine.bootAnswered(s, 'other', BOOT, answer('Accepted'))).toEqual([]);
    expect(s.status).toBe('booting');
  });

  it('should return to connected when the handler failed to answer the boot', () => {
    const s = inState('connected');
    machine.rpccall(s, 'b', 'BootNotification', BOOT);
    machine.bootAnswered(s, 'b', BOOT, undefined);
    expect(s.status).toBe('connected');
  });

  it('should let a triggered message through once while pending, and refuse untriggered ones', () => {
    const s = booted('Pending');
    machine.callAnswered(s, 'TriggerMessage', { requestedMessage: 'StatusNotification' }, { status: 'Accepted' });
    expect(machine.rpccall(s, 'h', 'Heartbeat', {})).toEqual([expect.objectContaining({ type: 'refuse' })]);
    expect(machine.rpccall(s, 's1', 'StatusNotification', {})).toEqual([expect.objectContaining({ type: 'auto', action: 'StatusNotification' })]);
    expect(machine.rpccall(s, 's2', 'StatusNotification', {})).toEqual([expect.objectContaining({ type: 'refuse' })]);
  });

  it('should not open a trigger slot when the station rejected the TriggerMessage', () => {
    const s = booted('Pending');
    machine.callAnswered(s, 'TriggerMessage', { requestedMessage: 'Heartbeat' }, { status: 'Rejected' });
    expect(machine.rpccall(s, 'h', 'Heartbeat', {})).toEqual([expect.objectContaining({ type: 'refuse' })]);
  });

  it('should map a triggered SignChargingStationCertificate to the SignCertificate message', () => {
    const s = booted('Pending');
    machine.callAnswered(s, 'TriggerMessage', { requestedMessage: 'SignChargingStationCertificate' }, { status: 'Accepted' });
    expect(machine.rpccall(s, 'c', 'SignCertificate', {})).toEqual([expect.objectContaining({ type: 'forward', action: 'SignCertificate' })]);
  });

  it('should hand NotifyReport to the report assembler while pending (it checks the requestId)', () => {
    const s = booted('Pending');
    expect(machine.rpccall(s, 'r', 'NotifyReport', { requestId: 1 })).toEqual([expect.objectContaining({ type: 'auto', action: 'NotifyReport' })]);
  });
});

describe('accepted stations', () => {
  it('should move from provisioning to idle on the first Heartbeat', () => {
    const s = booted('Accepted');
    expect(machine.rpccall(s, 'h', 'Heartbeat', {})).toEqual([{ type: 'auto', messageId: 'h', action: 'Heartbeat', payload: {} }]);
    expect(s.status).toBe('idle');
  });

  it.each(['Authorize', 'TransactionEvent', 'MeterValues', 'DataTransfer'] as StationAction[])('should forward %s to the handler', (action) => {
    const s = booted('Accepted');
    expect(machine.rpccall(s, 'm', action, {})).toEqual([{ type: 'forward', messageId: 'm', action, payload: {} }]);
  });

  it('should resume a reconnecting station on any message, including queued transaction events', () => {
    const s = booted('Accepted');
    machine.detach(s);
    machine.attach(s);
    expect(machine.rpccall(s, 't', 'TransactionEvent', {})).toEqual([expect.objectContaining({ type: 'forward' })]);
    expect(s.status).toBe('provisioning');
    machine.rpccall(s, 'h', 'Heartbeat', {});
    expect(s.status).toBe('idle');
  });

  it('should restart the boot when a reconnecting station sends BootNotification', () => {
    const s = booted('Accepted');
    machine.detach(s);
    machine.attach(s);
    machine.rpccall(s, 'b', 'BootNotification', BOOT);
    expect(s.status).toBe('booting');
  });

  it('should enter resetting when the station accepts an Immediate Reset, and boot again from there', () => {
    const s = booted('Accepted');
    machine.callAnswered(s, 'Reset', { type: 'Immediate' }, { status: 'Accepted' }, Date.parse('2026-01-01T10:00:00Z'));
    expect(s.status).toBe('resetting');
    expect(s.resettingSince).toBe('2026-01-01T10:00:00.000Z');
    expect(machine.rpccall(s, 'h', 'Heartbeat', {})).toEqual([expect.objectContaining({ type: 'auto' })]);
    expect(s.status).toBe('resetting');
    machine.rpccall(s, 'b', 'BootNotification', BOOT);
    expect(s.status).toBe('booting');
    expect(s.resettingSince).toBeUndefined();
  });

  it('should enter resetting when an OnIdle Reset is Accepted, which a station without transactions does at once (TC_B_20_CS)', () => {
    const s = booted('Accepted');
    machine.callAnswered(s, 'Reset', { type: 'OnIdle' }, { status: 'Accepted' });
    expect(s.status).toBe('resetting');
  });

  it('should not enter resetting when a Reset OnIdle is answered Scheduled: the station runs on until its transactions end (regression, issue 16)', () => {
    const s = booted('Accepted');
    machine.rpccall(s, 'h', 'Heartbeat', {});
    machine.callAnswered(s, 'Reset', { type: 'OnIdle' }, { status: 'Scheduled' });
    expect(s.status).toBe('idle');
    expect(s.resettingSince).toBeUndefined();
  });

  it('should not enter resetting when only one EVSE is reset', () => {
    const s = booted('Accepted');
    machine.callAnswered(s, 'Reset', { type: 'Immediate', evseId: 1 }, { status: 'Accepted' });
    expect(s.status).toBe('provisioning');
  });

  it('should leave resetting when the station starts a new transaction instead of rebooting, saying why (regression, issue 16)', () => {
    const s = booted('Accepted');
    machine.callAnswered(s, 'Reset', { type: 'Immediate' }, { status: 'Accepted' });
    // Updates of a transaction that runs down before the reboot do not end it ...
    expect(machine.rpccall(s, 'u', 'TransactionEvent', { eventType: 'Updated' })).toEqual([expect.objectContaining({ type: 'forward' })]);
    expect(s.status).toBe('resetting');
    // ... a new one does.
    const effects = machine.rpccall(s, 't', 'TransactionEvent', { eventType: 'Started' });
    expect(effects).toEqual([
      { type: 'reset_abandoned', reason: 'a new transaction started' },
      expect.objectContaining({ type: 'forward', action: 'TransactionEvent' }),
    ]);
    expect(s.status).toBe('idle');
    expect(s.resettingSince).toBeUndefined();
  });

  it('should leave resetting once resetTimeoutMs passed without a reboot, and not before (regression, issue 16)', () => {
    const s = booted('Accepted');
    const acceptedAt = Date.parse('2026-01-01T10:00:00Z');
    machine.callAnswered(s, 'Reset', { type: 'Immediate' }, { status: 'Accepted' }, acceptedAt);
    expect(machine.resetTimedOut(s, acceptedAt + 59_999, 60_000)).toBeUndefined();
    expect(s.status).toBe('resetting');
    expect(machine.resetTimedOut(s, acceptedAt + 60_000, 60_000)).toEqual({ type: 'reset_abandoned', reason: 'no reboot within 60000 ms of the accepted reset' });
    expect(s.status).toBe('idle');
    expect(machine.resetTimedOut(s, acceptedAt + 120_000, 60_000)).toBeUndefined();
  });

  it('should end resetting when the socket goes: the station is offline, then reconnecting or booting', () => {
    const s = booted('Accepted');
    machine.callAnswered(s, 'Reset', { type: 'Immediate' }, { status: 'Accepted' });
    machine.detach(s);
    expect(s.status).toBe('offline');
    expect(s.resettingSince).toBeUndefined();
  });

  it('should stay put when the station rejects a Reset', () => {
    const s = booted('Accepted');
    machine.callAnswered(s, 'Reset', { type: 'Immediate' }, { status: 'Rejected' });
    expect(s.status).toBe('provisioning');
  });
});

describe('calls the CSMS may send', () => {
  it.each(['disconnected', 'offline'] as StationStatus[])('should refuse every call as offline in %s', (status) => {
    for (const action of CSMS_ACTIONS) expect(machine.callRefusal(inState(status), action)).toBe('offline');
  });

  it.each(['connected', 'booting'] as StationStatus[])('should refuse every call as not allowed in %s', (status) => {
    for (const action of CSMS_ACTIONS) expect(machine.callRefusal(inState(status), action)).toBe('not_allowed');
  });

  it('should allow only configuration, reports and triggers while the boot is pending', () => {
    const allowed = CSMS_ACTIONS.filter((a) => machine.callRefusal(inState('boot_pending'), a) === undefined);
    expect(allowed.sort()).toEqual(['GetBaseReport', 'GetReport', 'GetVariables', 'SetVariables', 'TriggerMessage']);
  });

  it.each(['provisioning', 'idle', 'reconnecting', 'resetting'] as StationStatus[])('should allow every call in %s', (status) => {
    for (const action of CSMS_ACTIONS) expect(machine.callRefusal(inState(status), action)).toBeUndefined();
  });
});

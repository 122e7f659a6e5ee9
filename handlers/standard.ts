/**
 * The standard CSMS handler (DESIGN.md §8): the server's default handler. Thin: each station
 * request is answered by asking the CSMS services the context carries (src/services) —
 * BootNotification by the boot policy (B01–B03), Authorize by the token store (C01–C16),
 * TransactionEvent by the transactions service (E01–E15, F01–F03, I01–I02: idTokenInfo,
 * remote-start matching, cost, GetTransactionStatus follow-up), the smart-charging messages by the
 * charging services (K09 reports, K12–K13 external limits, K15–K17 ISO 15118 needs and schedules).
 * Notifications that carry no decision are acknowledged as accept-all does.
 *
 * The services and the station's call API come from the context (`init`'s InitContext); an
 * embedder may bind its own with `createStandardHandler({ services, callsFor })`.
 *
 * Init arguments: none (`{}`); the settings live in the configuration's standard-CSMS sections.
 */
import type { HandlerServices, StationCalls, StationEvent } from './behaviour';
import { checkArgsObject, defineHandler, type OcppHandler } from './behaviour';
import { acknowledgements } from './accept-all';
import { HandlerModuleError, describeCause } from '../src/errors';
import { loggerFor } from '../src/log';

const log = loggerFor('standard-handler');

interface StandardState {
  readonly stationId: string;
  readonly services: HandlerServices;
  readonly station: StationCalls;
}

export interface StandardBinding {
  readonly services: HandlerServices;
  readonly callsFor: (stationId: string) => StationCalls;
}

/** Run `work` after the current answer went out; failures are logged, never thrown at the station. */
function later(stationId: string, what: string, work: () => Promise<unknown>): void {
  setImmediate(() => {
    work().catch((error: unknown) => log.warn(`${what} failed`, { station: stationId, reason: describeCause(error) }));
  });
}

/** The standard handler, with the services from the context, or from `binding` when given. */
export function createStandardHandler(binding?: StandardBinding): OcppHandler<StandardState, Record<string, never>> {
  return defineHandler<StandardState, Record<string, never>>({
    checkArgs: (args) => checkArgsObject(args, []),
    init(_args, ctx) {
      const services = binding?.services ?? ctx.services;
      const station = binding?.callsFor(ctx.stationId) ?? ctx.station;
      if (!services || !('tokens' in services) || !station) {
        throw new HandlerModuleError('standard', 'the standard handler needs the CSMS services and the station call API in its context (the server provides them)');
      }
      return { stationId: ctx.stationId, services, station };
    },
    actions: {
      ...acknowledgements<StandardState>(),
      async BootNotification(request, state) {
        const { response, provision } = await state.services.bootPolicy.decide(state.stationId, request);
        if (provision) later(state.stationId, 'provisioning', () => state.services.bootPolicy.runProvisioning(state.stationId, state.station));
        return { reply: response };
      },
      // C01–C16 by the token service; C07: with a contract certificate or its hash data, OCSP too
      // (asked at the same time; bounded by certificates.ocsp.timeoutMs).
      async Authorize(request, state) {
        const [idTokenInfo, check] = await Promise.all([
          state.services.tokens.authorize(state.stationId, request.idToken, { purpose: 'authorize' }),
          request.certificate !== undefined || request.iso15118CertificateHashData ? state.services.ocsp.checkAuthorize(request) : undefined,
        ]);
        if (check && check.certificateStatus !== 'Accepted') log.info('contract certificate not accepted', { station: state.stationId, status: check.certificateStatus, reason: check.reason });
        return { reply: state.services.ocsp.authorizeAnswer(idTokenInfo, check) };
      },
      // M06: the OCSP answer for a certificate the station holds (e.g. for the EV, ISO 15118).
      async GetCertificateStatus(request, state) {
        return { reply: await state.services.ocsp.getCertificateStatus(request) };
      },
      // M01–M02: the EV's EXI request to the contract-certificate provider and back.
      async Get15118EVCertificate(request, state) {
        return { reply: await state.services.evCertificates.getEvCertificate(state.stationId, request) };
      },
      async TransactionEvent(request, state) {
        return { reply: await state.services.transactions.onEvent(state.stationId, request, state.station) };
      },
      // A02/A03: checked and answered here; the signed chain follows with CertificateSigned.
      async SignCertificate(request, state) {
        return { reply: await state.services.certificates.onSignCertificate(state.stationId, request, state.station) };
      },
      // A04: kept (committed before the acknowledgement) and listed through the admin API.
      async SecurityEventNotification(request, state) {
        await state.services.securityEvents.recordStation(state.stationId, request).promise;
        return { reply: {} };
      },
      // K15: the needs are kept and answered; the CSMS's TxProfile for them follows the answer.
      async NotifyEVChargingNeeds(request, state) {
        const response = await state.services.evCharging.onChargingNeeds(state.stationId, request);
        if (response.status === 'Accepted') later(state.stationId, 'charging schedule for EV charging needs', () => state.services.evCharging.grant(state.stationId, request.evseId, state.station));
        return { reply: response };
      },
      // K17: a schedule asking more than was granted is refused, and a corrected TxProfile follows.
      async NotifyEVChargingSchedule(request, state) {
        const { response, correct } = await state.services.evCharging.onEvSchedule(state.stationId, request);
        if (correct) later(state.stationId, 'corrected charging schedule', () => state.services.evCharging.grant(state.stationId, request.evseId, state.station));
        return { reply: response };
      },
      // K12/K13: external limits kept (before the answer) and honoured when planning ISO 15118 schedules.
      async NotifyChargingLimit(request, state) {
        await state.services.chargingProfiles.onChargingLimit(state.stationId, request);
        return { reply: {} };
      },
      async ClearedChargingLimit(request, state) {
        await state.services.chargingProfiles.onChargingLimitCleared(state.stationId, request);
        return { reply: {} };
      },
      // K09: the reports of a GetChargingProfiles reconcile the CSMS's records of the station's profiles.
      async ReportChargingProfiles(request, state) {
        await state.services.chargingProfiles.onReport(state.stationId, request);
        return { reply: {} };
      },
    },
    handleInfo(event: StationEvent, state) {
      // TC_E_29/30_CSMS: a station that comes back may hold queued events of open transactions.
      if (event.type === 'connected' && event.reconnect) {
        later(state.stationId, 'status check after reconnect', () => state.services.transactions.onReconnect(state.stationId, state.station));
      }
      // Site load management: a station of a site gets its TxDefaultProfile (and any limit that
      // failed to reach it) as soon as it is reachable again, not at its next retry.
      if (event.type === 'connected' || event.type === 'ready') state.services.sites.stationOnline(state.stationId);
      return state;
    },
  });
}

const standard = createStandardHandler();

export default standard;

/**
 * Get15118EVCertificate (OCPP 2.0.1 M01 install, M02 update): the station relays an EV's ISO 15118
 * CertificateInstallationReq / CertificateUpdateReq (EXI, base64); the CSMS forwards it to the
 * contract-certificate provider the operator configured (`certificates.contractProvider`, e.g. a
 * mobility operator's or a Plug & Charge ecosystem's endpoint) and hands its EXI answer back.
 *
 * The exchange with the provider, HTTP POST with JSON both ways:
 *
 *     → { "stationId": "CP001", "iso15118SchemaVersion": "urn:iso:15118:2:2013:MsgDef",
 *         "action": "Install", "exiRequest": "<base64 EXI>" }
 *     ← { "status": "Accepted", "exiResponse": "<base64 EXI>" }   (status optional: Accepted when absent)
 *
 * The EXI is passed through as the station sent it; the CSMS does not decode it. Every failure
 * (none configured, unreachable, slow past `timeoutMs`, HTTP error, an answer that is not that
 * JSON or whose exiResponse is not base64 of at most 5600 characters) is a Failed answer with a
 * reason, never a CALLERROR.
 */
import type { RequestOf, ResponseOf } from '../../../schemas/actions';
import { loggerFor } from '../../log';
import type { HttpServiceConfig } from './iso15118-config';
import { postBounded } from './iso15118-http';

const log = loggerFor('iso15118');

/** Get15118EVCertificateResponse.exiResponse's maxLength (OCPP 2.0.1 schema). */
const MAX_EXI_CHARACTERS = 5600;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export class ContractCertificateService {
  constructor(private readonly provider: HttpServiceConfig | undefined) {}

  /** Whether a provider is configured. */
  get configured(): boolean {
    return this.provider !== undefined;
  }

  async getEvCertificate(stationId: string, request: RequestOf<'Get15118EVCertificate'>): Promise<ResponseOf<'Get15118EVCertificate'>> {
    if (!this.provider) return failed('NotConfigured', 'no contract-certificate provider is configured (certificates.contractProvider)');
    const answer = await postBounded({
      url: this.provider.url,
      body: JSON.stringify({ stationId, iso15118SchemaVersion: request.iso15118SchemaVersion, action: request.action, exiRequest: request.exiRequest }),
      contentType: 'application/json',
      accept: 'application/json',
      timeoutMs: this.provider.timeoutMs,
      // The JSON wrapping of at most 5600 base64 characters, with room for the provider's extras.
      maxBytes: 64 * 1024,
      ...(this.provider.authorization !== undefined ? { authorization: this.provider.authorization } : {}),
    });
    if (!answer.ok) {
      log.warn('contract-certificate provider gave no answer', { station: stationId, problem: answer.problem, reason: answer.message });
      return failed(answer.problem === 'timeout' ? 'Timeout' : 'ProviderUnavailable', `the provider ${answer.problem === 'timeout' ? 'timed out' : 'is unavailable'}: ${answer.message}`);
    }
    if (answer.status < 200 || answer.status > 299) {
      log.warn('contract-certificate provider refused', { station: stationId, httpStatus: answer.status });
      return failed('ProviderError', `the provider answered HTTP ${answer.status}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.body.toString('utf8'));
    } catch {
      return failed('InvalidResponse', 'the provider’s answer is not JSON');
    }
    const { status, exiResponse } = (typeof body === 'object' && body !== null ? body : {}) as { status?: unknown; exiResponse?: unknown };
    if (status !== undefined && status !== 'Accepted' && status !== 'Failed') return failed('InvalidResponse', 'the provider’s status is neither Accepted nor Failed');
    if (typeof exiResponse !== 'string' || exiResponse.length > MAX_EXI_CHARACTERS || !BASE64.test(exiResponse) || (status !== 'Failed' && exiResponse === '')) {
      return failed('InvalidResponse', `the provider’s exiResponse is not base64 of at most ${MAX_EXI_CHARACTERS} characters`);
    }
    log.info('15118 EV certificate answered by the provider', { station: stationId, action: request.action, status: status ?? 'Accepted' });
    // A Failed from the provider still carries its EXI answer (an ISO 15118 response code for the EV).
    return status === 'Failed' ? { status: 'Failed', exiResponse, statusInfo: { reasonCode: 'ProviderFailed' } } : { status: 'Accepted', exiResponse };
  }
}

function failed(reasonCode: string, additionalInfo: string): ResponseOf<'Get15118EVCertificate'> {
  // exiResponse is required by the schema even when there is none to give.
  return { status: 'Failed', exiResponse: '', statusInfo: { reasonCode, additionalInfo: additionalInfo.slice(0, 512) } };
}

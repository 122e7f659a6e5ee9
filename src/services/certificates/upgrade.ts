/**
 * Security profile upgrade of a station, from profile 1 or 2 to 3 (OCPP 2.0.1 A05; the CSMS side
 * of TC_A_19_CSMS), run as one admin action (src/admin/profile-upgrade-routes.ts). The steps, in
 * order, each through the station's normal call queue:
 *
 * 1. `root-certificate` (profile 1 only): a station on plain ws:// has never checked the CSMS's
 *    server certificate, so the root it chains to is installed unless the station lists it
 *    already (GetInstalledCertificateIds, InstallCertificate CSMSRootCertificate; A05.FR.02: a
 *    station without it refuses the upgrade). A profile-2 station connects over TLS: it has it.
 * 2. `sign`: TriggerMessage SignChargingStationCertificate; the station's SignCertificate is
 *    signed by the CSMS CA and sent with CertificateSigned (certificate-service.ts), which the
 *    station must answer Accepted (A05.FR.03: no upgrade without a station certificate).
 * 3. `network-profile`: SetNetworkProfile in a free configuration slot with the wss:// URL and
 *    securityProfile 3 (A05.FR.04).
 * 4. `priority`: SetVariables OCPPCommCtrlr.NetworkConfigurationPriority with the new slot first.
 * 5. `reset`: when the station answered RebootRequired, Reset OnIdle.
 * 6. `registry`: the station's registration switches to profile 3 and is stored; from then on
 *    the lower profile is refused (DESIGN.md §4, A05.FR.07), and its current socket is closed so
 *    that it reconnects with its certificate.
 *
 * When a step fails, the steps done before it are undone in reverse order, as far as the protocol
 * allows: the old priority is set again, an installed root deleted (DeleteCertificate), the
 * registration restored. A network profile cannot be deleted in OCPP 2.0.1: its slot stays out of
 * the priority list, so the station never uses it. A certificate the station installed stays
 * installed (it is valid, and the station keeps using the old one on the old profile). The report
 * names every step and what became of it.
 *
 * By default SecurityCtrlr.SecurityProfile is not written: in OCPP 2.0.1 the profile is part of the
 * network connection profile (SetNetworkProfile's connectionData.securityProfile), which is what
 * TC_A_19_CSMS checks. `method: 'securityProfileVariable'` replaces steps 3 and 4 by one
 * `security-profile` step (SetVariables SecurityCtrlr.SecurityProfile = 3) for firmware that works
 * that way.
 */
import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import type { CsmsAction, RequestOf, ResponseOf } from '../../../schemas/actions';
import { CallTimeoutError, InvalidInputError, StationOfflineError, UnknownStationError, describeCause } from '../../errors';
import { loggerFor } from '../../log';
import type { CertificateService } from './certificate-service';

const log = loggerFor('certificates');

export type UpgradeStep = 'check' | 'root-certificate' | 'sign' | 'network-profile' | 'priority' | 'security-profile' | 'reset' | 'registry';

export interface UpgradeStepReport {
  readonly step: UpgradeStep;
  /** `rolled-back` / `rollback-failed`: the step was done, then undone (or could not be) after a later one failed. */
  readonly status: 'done' | 'skipped' | 'failed' | 'rolled-back' | 'rollback-failed';
  readonly detail: string;
}

export interface ProfileUpgradeReport {
  readonly stationId: string;
  readonly from: number;
  readonly to: 3;
  readonly status: 'Upgraded' | 'Failed';
  /** Failed: the step that failed and why. */
  readonly failedStep?: UpgradeStep;
  readonly reason?: string;
  /** Failed: `refused` (the station answered no), `offline`, `timeout`, `error` (anything else). */
  readonly failure?: 'refused' | 'offline' | 'timeout' | 'error';
  readonly steps: readonly UpgradeStepReport[];
  readonly configurationSlot?: number;
  /** The certificate the station installed for profile 3. */
  readonly certificate?: { readonly serial: string; readonly notAfter: string };
}

/** What the upgrade needs of the core (`Csms` fits). */
export interface ProfileUpgradePort {
  registration(id: string): { readonly securityProfile: number; readonly passwordHash?: string } | undefined;
  call<A extends CsmsAction>(id: string, action: A, payload: RequestOf<A>, options?: { timeout?: number }): Promise<ResponseOf<A>>;
  updateCredentials(id: string, change: { readonly passwordHash?: string; readonly securityProfile?: 0 | 1 | 2 | 3 }): unknown;
  /** Resolves when the station's last registration change is stored; rejects when it could not be. */
  persisted(id: string): Promise<void>;
}

export interface ProfileUpgradeOptions {
  /** The wss:// URL (without the identity) of a listener that asks for client certificates. */
  readonly ocppCsmsUrl: string;
  /** Slot of the new network profile. Default: the lowest one not in NetworkConfigurationPriority. */
  readonly configurationSlot?: number;
  /** PEM root of the server certificate, installed on a profile-1 station that lacks it. Default: the CSMS CA. */
  readonly csmsRootCertificate?: string;
  /** How long to wait for the station's SignCertificate and CertificateSigned answer. */
  readonly signTimeoutMs: number;
  /** connectionData.messageTimeout, seconds. */
  readonly messageTimeoutSeconds: number;
  readonly ocppInterface: 'Wired0' | 'Wired1' | 'Wired2' | 'Wired3' | 'Wireless0' | 'Wireless1' | 'Wireless2' | 'Wireless3';
  /** Timeout of each call. Default the core's. */
  readonly callTimeoutMs?: number;
  /**
   * How the station is switched: `networkProfile` (default; OCPP 2.0.1 A05: SetNetworkProfile and
   * NetworkConfigurationPriority) or `securityProfileVariable` (SetVariables
   * SecurityCtrlr.SecurityProfile = 3, for stations whose firmware makes that variable writable and
   * switches its current connection profile by it; undone by setting the old value again).
   */
  readonly method?: 'networkProfile' | 'securityProfileVariable';
}

/** A step that failed: why, and how (for the report's `failure`). */
class StepFailure {
  constructor(
    readonly reason: string,
    readonly failure: 'refused' | 'offline' | 'timeout' | 'error',
  ) {}
}

const running = new Set<string>();

/** True while an upgrade of the station runs (one at a time per station). */
export function isUpgrading(stationId: string): boolean {
  return running.has(stationId);
}

/**
 * Move a station to security profile 3. Resolves with the report in every case but one: a station
 * that is not registered rejects with UnknownStationError.
 */
export async function upgradeProfile(
  core: ProfileUpgradePort,
  certificates: CertificateService,
  stationId: string,
  options: ProfileUpgradeOptions,
): Promise<ProfileUpgradeReport> {
  const registration = core.registration(stationId);
  if (!registration) throw new UnknownStationError(stationId);
  const from = registration.securityProfile;
  const refuse = (reason: string): ProfileUpgradeReport => ({
    stationId,
    from,
    to: 3,
    status: 'Failed',
    failedStep: 'check',
    reason,
    failure: 'refused',
    steps: [{ step: 'check', status: 'failed', detail: reason }],
  });
  if (from !== 1 && from !== 2) return refuse(`the station is at security profile ${from}; only profile 1 or 2 is upgraded to 3`);
  if (!/^wss:\/\/[^/]/.test(options.ocppCsmsUrl)) return refuse(`ocppCsmsUrl ${JSON.stringify(options.ocppCsmsUrl)} is not a wss:// URL (profile 3 is TLS)`);
  if (running.has(stationId)) return refuse('an upgrade of this station is already running');
  running.add(stationId);
  try {
    return await new Upgrade(core, certificates, stationId, from, registration.passwordHash, options).run();
  } finally {
    running.delete(stationId);
  }
}

class Upgrade {
  private readonly steps: UpgradeStepReport[] = [];
  /** Undo actions of the steps done so far, by step. */
  private readonly undo: { step: UpgradeStep; run: () => Promise<string> }[] = [];
  private configurationSlot?: number;
  private certificate?: { serial: string; notAfter: string };
  /** The station's NetworkConfigurationPriority before the upgrade: as slot numbers, and as it was written. */
  private priorityList?: number[];
  private priorityValue?: string;
  /** The station answered RebootRequired to the new priority. */
  private rebootRequired = false;

  constructor(
    private readonly core: ProfileUpgradePort,
    private readonly certificates: CertificateService,
    private readonly stationId: string,
    private readonly from: 1 | 2,
    private readonly passwordHash: string | undefined,
    private readonly options: ProfileUpgradeOptions,
  ) {}

  async run(): Promise<ProfileUpgradeReport> {
    type Step = [UpgradeStep, () => Promise<string | { skipped: string }>];
    const switchSteps: Step[] =
      this.options.method === 'securityProfileVariable'
        ? [['security-profile', () => this.securityProfileVariable()]]
        : [
            ['network-profile', () => this.networkProfile()],
            ['priority', () => this.priority()],
          ];
    const plan: Step[] = [
      ['root-certificate', () => this.rootCertificate()],
      ['sign', () => this.sign()],
      ...switchSteps,
      ['reset', () => this.reset()],
      ['registry', () => this.registry()],
    ];
    log.info('security profile upgrade started', { station: this.stationId, from: this.from, to: 3 });
    for (const [step, work] of plan) {
      let outcome: string | { skipped: string };
      try {
        outcome = await work();
      } catch (error) {
        const failure = error instanceof StepFailure ? error : classify(error);
        this.steps.push({ step, status: 'failed', detail: failure.reason });
        log.warn('security profile upgrade failed; rolling back', { station: this.stationId, step, reason: failure.reason });
        await this.rollBack();
        return this.report({ status: 'Failed', failedStep: step, reason: `${step}: ${failure.reason}`, failure: failure.failure });
      }
      this.steps.push(typeof outcome === 'string' ? { step, status: 'done', detail: outcome } : { step, status: 'skipped', detail: outcome.skipped });
    }
    log.info('security profile upgraded', { station: this.stationId, from: this.from, to: 3, slot: this.configurationSlot, serial: this.certificate?.serial });
    return this.report({ status: 'Upgraded' });
  }

  private report(outcome: Pick<ProfileUpgradeReport, 'status' | 'failedStep' | 'reason' | 'failure'>): ProfileUpgradeReport {
    return {
      stationId: this.stationId,
      from: this.from,
      to: 3,
      ...outcome,
      steps: this.steps,
      ...(this.configurationSlot !== undefined ? { configurationSlot: this.configurationSlot } : {}),
      ...(this.certificate ? { certificate: this.certificate } : {}),
    };
  }

  /** Undo the steps done, newest first; each one's report becomes rolled-back or rollback-failed. */
  private async rollBack(): Promise<void> {
    for (const { step, run } of [...this.undo].reverse()) {
      const index = this.steps.findIndex((s) => s.step === step && s.status === 'done');
      let report: UpgradeStepReport;
      try {
        report = { step, status: 'rolled-back', detail: await run() };
      } catch (error) {
        report = { step, status: 'rollback-failed', detail: (error instanceof StepFailure ? error : classify(error)).reason };
        log.error('security profile upgrade: a step could not be undone', { station: this.stationId, step, reason: report.detail });
      }
      if (index >= 0) this.steps[index] = report;
    }
  }

  private call<A extends CsmsAction>(action: A, payload: RequestOf<A>): Promise<ResponseOf<A>> {
    return this.core.call(this.stationId, action, payload, this.options.callTimeoutMs !== undefined ? { timeout: this.options.callTimeoutMs } : {});
  }

  private async rootCertificate(): Promise<string | { skipped: string }> {
    if (this.from === 2) return { skipped: 'the station connects over TLS already: it trusts the server certificate’s root' };
    // Default: the top of the CSMS CA's chain (its root), for servers whose TLS certificate it issued too.
    const rootPem = firstCertificate(this.options.csmsRootCertificate ?? (await this.caRoot()));
    if (!rootPem) throw new StepFailure('no CSMS root certificate to install (security.profileUpgrade.csmsRootCertificateFile)', 'error');
    const installed = await this.call('GetInstalledCertificateIds', { certificateType: ['CSMSRootCertificate'] });
    const listed = (installed.certificateHashDataChain ?? []).map((c) => c.certificateHashData);
    if (listed.some((hash) => sameCertificate(hash, rootPem))) return { skipped: 'the station lists the CSMS root certificate already' };
    const answer = await this.call('InstallCertificate', { certificateType: 'CSMSRootCertificate', certificate: rootPem });
    if (answer.status !== 'Accepted') throw new StepFailure(`InstallCertificate CSMSRootCertificate answered ${answer.status}${reasonOf(answer.statusInfo)}`, 'refused');
    const hashData = certificateHashData(rootPem, 'SHA256');
    this.undo.push({
      step: 'root-certificate',
      run: async () => {
        const removed = await this.call('DeleteCertificate', { certificateHashData: hashData });
        if (removed.status !== 'Accepted') throw new StepFailure(`DeleteCertificate answered ${removed.status}`, 'refused');
        return 'the installed root was deleted again';
      },
    });
    return 'InstallCertificate CSMSRootCertificate Accepted';
  }

  private async caRoot(): Promise<string> {
    const chain = (await this.certificates.ca()).chain;
    return chain[chain.length - 1]?.toString('pem') ?? '';
  }

  private async sign(): Promise<string> {
    // Waiting before asking: the station may send SignCertificate before its TriggerMessage answer arrives.
    const outcome = this.certificates.nextOutcome(this.stationId, this.options.signTimeoutMs);
    outcome.catch(() => undefined);
    const trigger = await this.call('TriggerMessage', { requestedMessage: 'SignChargingStationCertificate' });
    if (trigger.status !== 'Accepted') throw new StepFailure(`TriggerMessage SignChargingStationCertificate answered ${trigger.status}${reasonOf(trigger.statusInfo)}`, 'refused');
    let result;
    try {
      result = await outcome;
    } catch (error) {
      if (error instanceof CallTimeoutError) throw new StepFailure(`no SignCertificate signed and answered within ${this.options.signTimeoutMs} ms`, 'timeout');
      throw error;
    }
    if (result.error !== undefined) throw new StepFailure(result.error, result.error.startsWith('SignCertificate Rejected') ? 'refused' : 'error');
    if (result.stationStatus !== 'Accepted') throw new StepFailure(`the station answered CertificateSigned ${result.stationStatus ?? 'nothing'}`, 'refused');
    if (result.issued) this.certificate = { serial: result.issued.serial, notAfter: result.issued.notAfter };
    return `certificate ${result.issued?.serial ?? '?'} signed and installed (expires ${result.issued?.notAfter ?? '?'})`;
  }

  private async readPriority(): Promise<number[]> {
    const answer = await this.call('GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NetworkConfigurationPriority' } }] });
    const result = answer.getVariableResult[0];
    if (result?.attributeStatus !== 'Accepted' || result.attributeValue === undefined) {
      throw new StepFailure(`GetVariables OCPPCommCtrlr.NetworkConfigurationPriority answered ${result?.attributeStatus ?? 'nothing'}`, 'refused');
    }
    this.priorityValue = result.attributeValue;
    const slots = result.attributeValue
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map(Number);
    if (slots.some((n) => !Number.isInteger(n))) throw new StepFailure(`NetworkConfigurationPriority ${JSON.stringify(result.attributeValue)} is not a list of slots`, 'error');
    return slots;
  }

  private async networkProfile(): Promise<string> {
    this.priorityList = await this.readPriority();
    const slot = this.options.configurationSlot ?? lowestFree(this.priorityList);
    if (this.options.configurationSlot !== undefined && this.priorityList[0] === slot) {
      throw new StepFailure(`configurationSlot ${slot} is the one the station uses now`, 'error');
    }
    this.configurationSlot = slot;
    const answer = await this.call('SetNetworkProfile', {
      configurationSlot: slot,
      connectionData: {
        ocppVersion: 'OCPP20',
        ocppTransport: 'JSON',
        ocppCsmsUrl: this.options.ocppCsmsUrl,
        messageTimeout: this.options.messageTimeoutSeconds,
        securityProfile: 3,
        ocppInterface: this.options.ocppInterface,
      },
    });
    if (answer.status !== 'Accepted') throw new StepFailure(`SetNetworkProfile (slot ${slot}) answered ${answer.status}${reasonOf(answer.statusInfo)}`, 'refused');
    // OCPP 2.0.1 has no way to delete a network profile: out of the priority list, it is never used.
    this.undo.push({ step: 'network-profile', run: async () => `slot ${slot} left out of NetworkConfigurationPriority: never used` });
    return `SetNetworkProfile slot ${slot} (${this.options.ocppCsmsUrl}, security profile 3) Accepted`;
  }

  private async priority(): Promise<string> {
    const slot = this.configurationSlot!;
    const value = [slot, ...this.priorityList!.filter((s) => s !== slot)].join(',');
    const previous = this.priorityValue!;
    const answer = await this.setPriority(value);
    if (answer !== 'Accepted' && answer !== 'RebootRequired') throw new StepFailure(`SetVariables OCPPCommCtrlr.NetworkConfigurationPriority answered ${answer}`, 'refused');
    this.rebootRequired = answer === 'RebootRequired';
    this.undo.push({
      step: 'priority',
      run: async () => {
        const back = await this.setPriority(previous);
        if (back !== 'Accepted' && back !== 'RebootRequired') throw new StepFailure(`setting NetworkConfigurationPriority back to ${previous} answered ${back}`, 'refused');
        return `NetworkConfigurationPriority set back to ${previous}`;
      },
    });
    return `NetworkConfigurationPriority ${value} ${answer}`;
  }

  private async securityProfileVariable(): Promise<string> {
    const answer = await this.setSecurityProfile('3');
    if (answer !== 'Accepted' && answer !== 'RebootRequired') throw new StepFailure(`SetVariables SecurityCtrlr.SecurityProfile answered ${answer}`, 'refused');
    this.rebootRequired = answer === 'RebootRequired';
    this.undo.push({
      step: 'security-profile',
      run: async () => {
        const back = await this.setSecurityProfile(String(this.from));
        if (back !== 'Accepted' && back !== 'RebootRequired') throw new StepFailure(`setting SecurityCtrlr.SecurityProfile back to ${this.from} answered ${back}`, 'refused');
        return `SecurityCtrlr.SecurityProfile set back to ${this.from}`;
      },
    });
    return `SecurityCtrlr.SecurityProfile 3 ${answer}`;
  }

  private async setSecurityProfile(value: string): Promise<string> {
    const answer = await this.call('SetVariables', {
      setVariableData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'SecurityProfile' }, attributeValue: value }],
    });
    return answer.setVariableResult[0]?.attributeStatus ?? 'NoResult';
  }

  private async setPriority(value: string): Promise<string> {
    const answer = await this.call('SetVariables', {
      setVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NetworkConfigurationPriority' }, attributeValue: value }],
    });
    return answer.setVariableResult[0]?.attributeStatus ?? 'NoResult';
  }

  private async reset(): Promise<string | { skipped: string }> {
    if (!this.rebootRequired) return { skipped: 'the station took the new priority without a reboot' };
    const answer = await this.call('Reset', { type: 'OnIdle' });
    if (answer.status !== 'Accepted' && answer.status !== 'Scheduled') throw new StepFailure(`Reset OnIdle answered ${answer.status}${reasonOf(answer.statusInfo)}`, 'refused');
    return `Reset OnIdle ${answer.status}`;
  }

  private async registry(): Promise<string> {
    const before = { securityProfile: this.from, passwordHash: this.passwordHash };
    // Closes the station's socket (1008): it reconnects, now with its certificate.
    this.core.updateCredentials(this.stationId, { securityProfile: 3 });
    try {
      await this.core.persisted(this.stationId);
    } catch (error) {
      this.core.updateCredentials(this.stationId, before);
      await this.core.persisted(this.stationId).catch(() => undefined);
      throw new StepFailure(`the registration could not be stored (${describeCause(error)}); profile ${this.from} restored`, 'error');
    }
    return `registration switched to security profile 3 and stored; profile ${this.from} is refused from now on`;
  }
}

function classify(error: unknown): StepFailure {
  if (error instanceof StationOfflineError) return new StepFailure(describeCause(error), 'offline');
  if (error instanceof CallTimeoutError) return new StepFailure(describeCause(error), 'timeout');
  return new StepFailure(describeCause(error), 'error');
}

function reasonOf(statusInfo: { reasonCode: string; additionalInfo?: string } | undefined): string {
  return statusInfo ? ` (${statusInfo.reasonCode}${statusInfo.additionalInfo ? `: ${statusInfo.additionalInfo}` : ''})` : '';
}

/** The smallest positive slot not in the list. */
function lowestFree(slots: readonly number[]): number {
  let slot = 1;
  while (slots.includes(slot)) slot += 1;
  return slot;
}

function firstCertificate(pem: string): string | undefined {
  return /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
}

type HashAlgorithm = 'SHA256' | 'SHA384' | 'SHA512';

/**
 * A certificate's CertificateHashDataType (OCPP 2.0.1 Part 2 §2.6): hashes of its issuer's
 * distinguished name (DER) and of its issuer's public key (the subjectPublicKey bits), and its
 * serial number in hexadecimal. For a root, the issuer is itself.
 */
export function certificateHashData(pem: string, hashAlgorithm: HashAlgorithm): { hashAlgorithm: HashAlgorithm; issuerNameHash: string; issuerKeyHash: string; serialNumber: string } {
  const body = pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
  let certificate: Certificate;
  try {
    certificate = AsnConvert.parse(Buffer.from(body, 'base64'), Certificate);
  } catch (error) {
    throw new InvalidInputError('csmsRootCertificate', `a PEM certificate (${describeCause(error)})`);
  }
  const tbs = certificate.tbsCertificate;
  const hash = (data: ArrayBuffer) => createHash(hashAlgorithm.replace('SHA', 'sha')).update(Buffer.from(data)).digest('hex');
  return {
    hashAlgorithm,
    issuerNameHash: hash(AsnConvert.serialize(tbs.issuer)),
    issuerKeyHash: hash(tbs.subjectPublicKeyInfo.subjectPublicKey),
    serialNumber: Buffer.from(tbs.serialNumber).toString('hex').replace(/^0+(?=.)/, ''),
  };
}

/** Whether the station's hash data names this certificate (serial and issuer name, in the station's hash algorithm). */
function sameCertificate(hash: { hashAlgorithm: string; issuerNameHash: string; serialNumber: string }, pem: string): boolean {
  if (hash.hashAlgorithm !== 'SHA256' && hash.hashAlgorithm !== 'SHA384' && hash.hashAlgorithm !== 'SHA512') return false;
  const ours = certificateHashData(pem, hash.hashAlgorithm);
  return hash.serialNumber.toLowerCase().replace(/^0+(?=.)/, '') === ours.serialNumber && hash.issuerNameHash.toLowerCase() === ours.issuerNameHash;
}

/**
 * Security and PKI of the standard CSMS (issue 11; OCPP 2.0.1 functional block A): the CSMS's
 * certificate authority and station certificates (A02–A03), security events (A04, Part 2
 * Appendix 1) and Basic-auth password rotation (A01); ISO 15118 (issue 11 items 1, 5, 6): V2G
 * certificate signing (A03), OCSP (C07, M06), EV contract certificates (M01–M02) and the
 * certificates installed on stations (M03–M05).
 */
export { CertificateAuthority, type IssuedCertificate } from './authority';
export { CertificateService, type SigningOutcome, type StationCertificate } from './certificate-service';
export {
  CERTIFICATES_CONFIG_SCHEMA,
  DEFAULT_CERTIFICATES_CONFIG,
  certificatesConfig,
  resolveCertificatesConfig,
  type CertificatesConfig,
} from './config';
export { checkCsr, type CsrCheck, type CsrProblem } from './csr';
export {
  DEFAULT_ROTATED_PASSWORD_LENGTH,
  generatePassword,
  rotatePassword,
  type PasswordRotationPort,
  type RotationOutcome,
} from './password-rotation';
export {
  MAX_SECURITY_EVENTS_PAGE,
  SecurityEventService,
  type CsmsSecurityEventType,
  type SecurityEvent,
  type SecurityEventFilter,
} from './security-events';
export { OcspService, certificateHashData, ocspUrlOf, withCertificateStatus, type CertificateCheck, type CertificateId, type OcspOutcome } from './ocsp';
export { ContractCertificateService } from './iso15118';
export {
  CERTIFICATE_ID_TYPES,
  INSTALL_CERTIFICATE_TYPES,
  InstalledCertificatesService,
  checkInstallable,
  type CertificateOperation,
  type InstalledCertificate,
  type InstalledCertificatesView,
} from './installed';
export { V2gCertificateSigner, type V2gSubCa } from './v2g';
export {
  DEFAULT_ISO15118_CERTIFICATES_CONFIG,
  DEFAULT_OCSP_CONFIG,
  DEFAULT_V2G_CONFIG,
  type HttpServiceConfig,
  type Iso15118CertificatesConfig,
  type OcspConfig,
  type V2gConfig,
} from './iso15118-config';
export { CertificateRenewal, type CertificateRenewalOptions, type RenewalAttempt } from './renewal';
export {
  isUpgrading,
  upgradeProfile,
  type ProfileUpgradeOptions,
  type ProfileUpgradePort,
  type ProfileUpgradeReport,
  type UpgradeStep,
  type UpgradeStepReport,
} from './upgrade';

/**
 * Security and PKI of the standard CSMS (issue 11; OCPP 2.0.1 functional block A): the CSMS's
 * certificate authority and station certificates (A02–A03), security events (A04, Part 2
 * Appendix 1) and Basic-auth password rotation (A01).
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

/**
 * An operator's CA named by files in the configuration (`certificates.ca`, `certificates.v2g.ca`):
 * the schema of the entry, its type, and its paths resolved against the configuration file.
 */
import { isAbsolute, resolve } from 'node:path';

/** Where an operator's CA lives: its key and certificate files (the certificate's issuers may follow it). */
export interface CaFiles {
  readonly keyFile: string;
  readonly certFile: string;
  readonly passphrase?: string;
}

/** The schema of a CaFiles entry; the descriptions say which CA it is. */
export function caFilesSchema<D extends string, K extends string, C extends string>(description: D, keyFile: K, certFile: C) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['keyFile', 'certFile'],
    description,
    properties: {
      keyFile: { type: 'string', minLength: 1, description: keyFile },
      certFile: { type: 'string', minLength: 1, description: certFile },
      passphrase: { type: 'string', description: 'passphrase of an encrypted keyFile' },
    },
  } as const;
}

/** `ca`'s files resolved against the configuration file's folder (absolute paths stay). */
export function resolveCaFiles(ca: CaFiles, configDir: string): CaFiles {
  const at = (path: string) => (isAbsolute(path) ? path : resolve(configDir, path));
  return { ...ca, keyFile: at(ca.keyFile), certFile: at(ca.certFile) };
}

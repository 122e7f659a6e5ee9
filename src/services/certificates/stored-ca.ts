/**
 * The CAs the CSMS generates itself and keeps in the store's `certificate_authorities` table
 * (migration 3): the CSMS CA (row `embedded`) and the V2G sub-CA under it (`v2g-embedded:<root
 * serial>`). One row per id, written once: the first start (of any node) that stores it wins.
 */
import { createPrivateKey, type webcrypto } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { Store } from '../../store';
import { signingKeyOf, subtle, type SigningKey } from './signing-key';

/** A stored CA: its certificate and its signing key. */
export interface StoredCa {
  readonly certificate: x509.X509Certificate;
  readonly signing: SigningKey;
}

/** The CA stored under `id`, or undefined; `field` names the configuration a bad key is blamed on. */
export async function readStoredCa(store: Store, id: string, field: string): Promise<StoredCa | undefined> {
  const rows = await store.db.query<{ certificate: string; private_key: string }>('SELECT certificate, private_key FROM certificate_authorities WHERE id = $1', [id]);
  const row = rows[0];
  if (!row) return undefined;
  return { certificate: new x509.X509Certificate(row.certificate), signing: await signingKeyOf(createPrivateKey({ key: row.private_key, format: 'pem' }), field) };
}

/**
 * Store a generated CA under `id` unless one is there already: another node (or a concurrent
 * start) may have stored one first, and then that one is kept. Read it back with readStoredCa.
 */
export async function storeGeneratedCa(store: Store, id: string, certificate: x509.X509Certificate, privateKey: webcrypto.CryptoKey, createdAt: Date): Promise<void> {
  const keyPem = x509.PemConverter.encode(Buffer.from(await subtle.exportKey('pkcs8', privateKey)), 'PRIVATE KEY');
  await store.committer.write(undefined, [
    {
      sql: 'INSERT INTO certificate_authorities (id, certificate, private_key, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING',
      params: [id, certificate.toString('pem'), keyPem, createdAt.toISOString()],
    },
  ]).promise;
}

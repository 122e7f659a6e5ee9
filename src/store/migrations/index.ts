/**
 * Every migration, in order. A new one takes the next version number and its own file; a
 * migration that has been released is never edited (a database records what it applied). They
 * are applied in this list's order, which is their version order (6 is unused).
 */
import { coreMigration } from './001-core';
import { standardCsmsMigration } from './002-standard-csms';
import { certificatesMigration } from './003-certificates';
import { chargingProfilesMigration } from './004-charging-profiles';
import { sitesMigration } from './005-sites';
import { installedCertificatesMigration } from './007-installed-certificates';
import { clusterEpochMigration } from './008-cluster-epoch';
import type { Migration } from './types';

export type { Migration };

export const MIGRATIONS: readonly Migration[] = [
  coreMigration,
  standardCsmsMigration,
  certificatesMigration,
  chargingProfilesMigration,
  sitesMigration,
  installedCertificatesMigration,
  clusterEpochMigration,
];

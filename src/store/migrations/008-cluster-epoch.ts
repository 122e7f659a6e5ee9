/**
 * Cluster mode (issue 15, DESIGN.md §6 and §10): a station's standing carries the connection
 * epoch of the node that last wrote it. Presence (src/cluster/presence.ts) issues a new, larger
 * epoch for every claim of a station's socket, anywhere in the cluster; `csms_fence(station,
 * epoch)` runs first in every fenced write of a station's changes: it records the epoch, and
 * raises when the standing already holds a newer one, so the whole commit fails and the stale
 * node's station gets CALLERROR InternalError instead of a CALLRESULT for a change that was not
 * kept (DESIGN.md §7). Epoch 0 is "written by a node outside cluster mode".
 *
 * SQLite is never used in cluster mode (src/config/cluster.ts refuses it): it gets the column,
 * so the table has one shape in both dialects, and no function.
 */
import type { Migration } from './types';

export const clusterEpochMigration: Migration = {
  version: 8,
  name: 'cluster: connection epoch of each station standing, and the epoch fence',
  sql: {
    sqlite: `ALTER TABLE station_standing ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;`,
    postgres: `
ALTER TABLE station_standing ADD COLUMN epoch BIGINT NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION csms_fence(station TEXT, claimed BIGINT) RETURNS BIGINT LANGUAGE plpgsql AS $fence$
DECLARE
  held BIGINT;
BEGIN
  -- The row lock orders this commit with a newer epoch's: whichever commits second sees the first.
  -- Only the first write of a new epoch updates the row; the others read it.
  SELECT epoch INTO held FROM station_standing WHERE station_id = station FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    -- No standing yet: the station's first write (an INSERT carrying the epoch) follows.
    RETURN claimed;
  END IF;
  IF held > claimed THEN
    RAISE EXCEPTION 'stale connection epoch % for station %: epoch % holds it', claimed, station, held
      USING ERRCODE = 'CS001', HINT = 'the station reconnected to another CSMS node';
  END IF;
  IF held < claimed THEN
    UPDATE station_standing SET epoch = claimed WHERE station_id = station;
  END IF;
  RETURN claimed;
END
$fence$;
`,
  },
};

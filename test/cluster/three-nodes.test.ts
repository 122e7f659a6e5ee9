/**
 * Cluster mode end to end (issue 15, DESIGN.md §6): three `ocpp-csms` processes on one Redis
 * and one PostgreSQL, 300 stations (ocpp-rpc clients) spread over them. The tests run in order
 * on the same cluster: the fleet view, calls across nodes and their errors, a station moving to
 * another node, a node killed with SIGKILL, Redis restarted, a node stopped gracefully.
 *
 * CSMS_TEST_CLUSTER_STATIONS sets a smaller fleet while developing (default 300).
 */
import { freshPostgresDatabase } from '../support/postgres';
import { describeCluster, startRedis, type TestRedis } from './support/redis-server';
import { admin, startNode, stopNode, type CsmsNode, type NodeConfig } from './support/nodes';
import { TestStation, eventually, inBatches } from './support/stations';

jest.setTimeout(900_000);

const STATION_COUNT = Number(process.env.CSMS_TEST_CLUSTER_STATIONS ?? 300);
const NODE_IDS = ['csms-1', 'csms-2', 'csms-3'] as const;

describeCluster('three CSMS nodes on one Redis and one PostgreSQL', () => {
  let redis: TestRedis;
  let database: { url: string; drop(): Promise<void> };
  const nodes: CsmsNode[] = [];
  const stations: TestStation[] = [];
  /** The node (index) each station connected to last. */
  const holder = new Map<string, number>();
  const ids = Array.from({ length: STATION_COUNT }, (_, i) => `CL${String(i).padStart(4, '0')}`);
  const config = (nodeId: string): NodeConfig => ({ nodeId, redis: redis.url, postgres: database.url, stations: ids });

  const onNode = (index: number) => stations.filter((s) => holder.get(s.id) === index);

  async function connectTo(station: TestStation, index: number): Promise<void> {
    await station.connect(nodes[index]!.wsUrl);
    holder.set(station.id, index);
  }

  beforeAll(async () => {
    redis = await startRedis();
    database = await freshPostgresDatabase('csms_cluster');
    // The first node migrates the database and provisions the stations; the others find them.
    nodes.push(await startNode(config(NODE_IDS[0])));
    nodes.push(...(await Promise.all([startNode(config(NODE_IDS[1])), startNode(config(NODE_IDS[2]))])));
    for (const id of ids) stations.push(new TestStation(id));
    await inBatches(stations, 30, async (station, i) => {
      await connectTo(station, i % 3);
      expect(await station.boot()).toMatchObject({ status: 'Accepted' });
      await station.status('Available');
    });
  });

  afterAll(async () => {
    await Promise.all(stations.map((s) => s.close()));
    await Promise.all(nodes.map((node) => stopNode(node, 20_000).catch(() => undefined)));
    await redis?.stop();
    await database?.drop().catch(() => undefined);
  });

  it('shows the whole fleet from any node, each station with the node that holds its socket', async () => {
    for (const node of nodes) {
      const { status, body } = await admin(node, 'GET', '/api/stations');
      expect(status).toBe(200);
      expect(body.stations).toHaveLength(STATION_COUNT);
      for (const view of body.stations as { id: string; node?: string; connected: boolean; bootStatus?: string }[]) {
        expect({ id: view.id, node: view.node, bootStatus: view.bootStatus }).toEqual({ id: view.id, node: NODE_IDS[holder.get(view.id)!], bootStatus: 'Accepted' });
      }
    }
  });

  it('follows on every node a station added, changed or removed through one node’s admin API', async () => {
    const added = await admin(nodes[0]!, 'POST', '/api/stations', { id: 'CL-ADDED', securityProfile: 1, password: 'Cluster-Password-01', handler: 'accept-all' });
    expect(added.status).toBe(201);
    await eventually(async () => (await admin(nodes[2]!, 'GET', '/api/stations/CL-ADDED')).status === 200 || undefined, 'node 3 to know the added station');
    const station = new TestStation('CL-ADDED');
    await station.connect(nodes[2]!.wsUrl, 'Cluster-Password-01');
    expect(await station.boot()).toMatchObject({ status: 'Accepted' });
    expect((await admin(nodes[1]!, 'GET', '/api/stations/CL-ADDED')).body).toMatchObject({ node: 'csms-3', connected: true });
    await station.close();

    // A new password set through node 2 applies on node 3 too.
    expect((await admin(nodes[1]!, 'PATCH', '/api/stations/CL-ADDED', { password: 'Cluster-Password-02' })).status).toBe(200);
    await eventually(async () => {
      const again = new TestStation('CL-ADDED');
      try {
        await again.connect(nodes[2]!.wsUrl, 'Cluster-Password-02');
        return true;
      } catch {
        return undefined;
      } finally {
        await again.close();
      }
    }, 'node 3 to take the new password');
    await expect(new TestStation('CL-ADDED').connect(nodes[2]!.wsUrl, 'Cluster-Password-01')).rejects.toThrow(/Unauthorized/);

    expect((await admin(nodes[1]!, 'DELETE', '/api/stations/CL-ADDED')).status).toBe(204);
    await eventually(async () => (await admin(nodes[2]!, 'GET', '/api/stations/CL-ADDED')).status === 404 || undefined, 'node 3 to forget the removed station');
    await expect(new TestStation('CL-ADDED').connect(nodes[0]!.wsUrl, 'Cluster-Password-02')).rejects.toThrow(/Not Found/);
  });

  it('answers admin calls sent to each node for stations held by the other two', async () => {
    for (let n = 0; n < 3; n += 1) {
      for (let other = 0; other < 3; other += 1) {
        if (other === n) continue;
        for (const station of onNode(other).slice(0, 5)) {
          const answer = await admin(nodes[n]!, 'POST', `/api/stations/${station.id}/calls/ClearCache`, {});
          expect({ station: station.id, via: n, ...answer }).toEqual({ station: station.id, via: n, status: 200, body: { status: 'Accepted' } });
          const view = await admin(nodes[n]!, 'GET', `/api/stations/${station.id}`);
          expect(view.body).toMatchObject({ id: station.id, node: NODE_IDS[other], connected: true });
        }
      }
    }
    // A split request (GetVariables by ItemsPerMessage) runs whole on the holding node.
    const remote = onNode(1)[0]!;
    const variables = await admin(nodes[0]!, 'POST', `/api/stations/${remote.id}/calls/GetVariables`, {
      getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
    });
    expect(variables).toMatchObject({ status: 200, body: { getVariableResult: [{ attributeStatus: 'Accepted', attributeValue: 'cluster' }] } });
  });

  it('brings back the typed errors of a remote call: a CALLERROR, a silent station’s timeout, an offline station', async () => {
    const [answering, silent] = onNode(2);
    // ocpp-rpc answers an action it has no handler for with CALLERROR NotImplemented.
    const callError = await admin(nodes[0]!, 'POST', `/api/stations/${answering!.id}/calls/UnlockConnector`, { evseId: 1, connectorId: 1 });
    expect(callError).toMatchObject({ status: 502, body: { error: { code: 'call_error', ocppCode: 'NotImplemented' } } });

    silent!.silent = true;
    const timedOut = await admin(nodes[1]!, 'POST', `/api/stations/${silent!.id}/calls/ClearCache?timeout=1000`, {});
    expect(timedOut).toMatchObject({ status: 504, body: { error: { code: 'timeout', stationId: silent!.id, action: 'ClearCache', timeoutMs: 1000 } } });
    silent!.silent = false;

    // A station no node holds: its presence is released when its socket closes.
    const leaving = onNode(1)[1]!;
    await leaving.close();
    // Its holder wrote it offline (under its last epoch), and every node shows it so, from the store.
    await eventually(async () => (await admin(nodes[0]!, 'GET', `/api/stations/${leaving.id}`)).body.status === 'offline' || undefined, 'the closed station to show offline');
    expect((await admin(nodes[2]!, 'GET', `/api/stations/${leaving.id}`)).body).toMatchObject({ status: 'offline', connected: false, bootStatus: 'Accepted' });
    expect((await admin(nodes[2]!, 'GET', `/api/stations/${leaving.id}`)).body.node).toBeUndefined();
    const offline = await admin(nodes[0]!, 'POST', `/api/stations/${leaving.id}/calls/ClearCache`, {});
    expect(offline).toMatchObject({ status: 409, body: { error: { code: 'offline', stationId: leaving.id } } });
    await connectTo(leaving, 1);
    await leaving.status('Available');
  });

  it('moves a station from node 1 to node 2 when it reconnects there: node 1 closes the old socket with 4000, and no event is applied twice', async () => {
    const moving = onNode(0)[0]!;
    const transactionId = `TX-MOVE-${moving.id}`;
    expect(await moving.transaction('Started', transactionId)).toEqual({ idTokenInfo: { status: 'Accepted' } });
    const old = moving.detachClient()!;
    const oldCloses: { code: number }[] = [];
    old.on('close', (closed: { code: number }) => oldCloses.push(closed));

    const again = new TestStation(moving.id);
    await connectTo(again, 1);
    stations[stations.indexOf(moving)] = again;
    await eventually(() => oldCloses.find((c) => c.code === 4000), 'node 1 to close the old socket with 4000');

    // The old socket is gone: a late message on it never reaches any node.
    await expect(old.call('Heartbeat', {})).rejects.toThrow();
    // The new one resumes without booting again: same transaction, next seqNo.
    again.seqNo = 1;
    expect(await again.transaction('Updated', transactionId)).toEqual({});
    expect(await again.transaction('Ended', transactionId)).toEqual({});

    const view = await admin(nodes[2]!, 'GET', `/api/stations/${moving.id}`);
    expect(view.body).toMatchObject({ node: 'csms-2', connected: true, bootStatus: 'Accepted', openTransactions: [] });
    const history = await admin(nodes[0]!, 'GET', `/api/stations/${moving.id}/transactions/${transactionId}`);
    expect(history.status).toBe(200);
    expect((history.body.events as { seqNo: number; eventType: string }[]).map((e) => [e.seqNo, e.eventType])).toEqual([
      [0, 'Started'],
      [1, 'Updated'],
      [2, 'Ended'],
    ]);
  });

  it('fails at once a call for a station of a node killed with SIGKILL; its stations resume on the other nodes without booting, no acknowledged event lost', async () => {
    const victims = onNode(2);
    const open = victims.slice(0, 20);
    for (const station of open) expect(await station.transaction('Started', `TX-KILL-${station.id}`)).toEqual({ idTokenInfo: { status: 'Accepted' } });

    nodes[2]!.run.child.kill('SIGKILL');
    await nodes[2]!.run.exited;
    await eventually(() => victims.every((s) => !s.connected) || undefined, 'the killed node’s sockets to drop');

    // Its presence still runs until the lease expires, but nobody listens on its inbox.
    const started = Date.now();
    const lost = await admin(nodes[0]!, 'POST', `/api/stations/${victims[0]!.id}/calls/ClearCache`, {});
    expect(lost).toMatchObject({ status: 409, body: { error: { code: 'offline', stationId: victims[0]!.id } } });
    expect(lost.body.error.message).toMatch(/csms-3/);
    expect(Date.now() - started).toBeLessThan(10_000 /* the call timeout: it did not hang */);

    await inBatches(victims, 20, async (station, i) => {
      await connectTo(station, i % 2);
      // No BootNotification: a station with no accepted boot on record would get SecurityError here.
      expect(await station.status('Available')).toEqual({});
    });
    for (const station of open) {
      station.seqNo = 1;
      expect(await station.transaction('Ended', `TX-KILL-${station.id}`)).toEqual({});
    }
    for (const station of open) {
      const history = await admin(nodes[holder.get(station.id) === 0 ? 1 : 0]!, 'GET', `/api/stations/${station.id}/transactions/TX-KILL-${station.id}`);
      expect((history.body.events as { eventType: string }[]).map((e) => e.eventType)).toEqual(['Started', 'Ended']);
    }
    const { body } = await admin(nodes[0]!, 'GET', '/api/stations');
    for (const view of body.stations as { id: string; node?: string; bootStatus?: string }[]) {
      expect({ id: view.id, node: view.node, bootStatus: view.bootStatus }).toEqual({ id: view.id, node: NODE_IDS[holder.get(view.id)!], bootStatus: 'Accepted' });
    }
  });

  it('serves the sockets it holds while Redis is down, refuses new ones with 1013, and recovers when Redis is back without restarting the nodes', async () => {
    const [held, arriving] = onNode(0);
    await arriving!.close();
    await redis.kill();
    // A socket already attached needs only PostgreSQL.
    expect(await held!.status('Occupied')).toEqual({});
    // A new socket cannot be claimed: closed with 1013 (try again later), through any node.
    const refused = new TestStation(arriving!.id);
    await refused.connect(nodes[1]!.wsUrl).catch(() => undefined);
    await eventually(() => refused.closes.find((c) => c.code === 1013), 'the unclaimed socket to be closed with 1013');
    await redis.start();
    await connectTo(arriving!, 0);
    expect(await arriving!.status('Available')).toEqual({});
    // Presence is back (the renewals put it back) and calls cross nodes again.
    const sample = [...onNode(0).slice(0, 3), ...onNode(1).slice(0, 3)];
    await eventually(
      async () => {
        for (const station of sample) {
          const other = holder.get(station.id) === 0 ? 1 : 0;
          const answer = await admin(nodes[other]!, 'POST', `/api/stations/${station.id}/calls/ClearCache`, {});
          if (answer.status !== 200) return undefined;
        }
        return true;
      },
      'calls across nodes after the Redis restart',
      90_000,
    );
    const { body } = await admin(nodes[1]!, 'GET', '/api/stations');
    const nodeOf = new Map((body.stations as { id: string; node?: string }[]).map((v) => [v.id, v.node]));
    for (const station of stations) expect({ id: station.id, node: nodeOf.get(station.id) }).toEqual({ id: station.id, node: NODE_IDS[holder.get(station.id)!] });
    // A new connection claims again.
    const mover = onNode(0)[1]!;
    await mover.close();
    await connectTo(mover, 1);
    expect(await mover.status('Available')).toEqual({});
    expect((await admin(nodes[0]!, 'GET', `/api/stations/${mover.id}`)).body).toMatchObject({ node: 'csms-2', connected: true });
    expect(nodes[0]!.run.child.exitCode).toBeNull();
    expect(nodes[1]!.run.child.exitCode).toBeNull();
  });

  it('hands its stations off with 1001 when a node is stopped gracefully', async () => {
    const leaving = onNode(1);
    expect(await stopNode(nodes[1]!)).toBe(0);
    for (const station of leaving) expect({ id: station.id, close: station.closes.at(-1)?.code }).toEqual({ id: station.id, close: 1001 });
    // They connect to the remaining node and are served there.
    for (const station of leaving.slice(0, 10)) {
      await connectTo(station, 0);
      expect(await station.status('Available')).toEqual({});
    }
    expect((await admin(nodes[0]!, 'GET', `/api/stations/${leaving[0]!.id}`)).body).toMatchObject({ node: 'csms-1', connected: true });
  });
});

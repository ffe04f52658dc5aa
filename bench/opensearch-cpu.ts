// CPU time the OpenSearch node has used so far: from /proc when the node runs on this machine, else from its node stats.
import { readFileSync } from 'node:fs';
import type { Client } from '@opensearch-project/opensearch';

export interface OpenSearchCpu {
  /** Where the figure comes from: `/proc/<pid>/stat` (every thread, 10 ms ticks) or `_nodes/stats`. */
  source: string;
  /** CPU milliseconds used by the node process so far. */
  read(): Promise<number>;
}

/** Linux's USER_HZ: utime and stime in /proc/<pid>/stat count 1/100 s. */
const TICK_MS = 10;

function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/**
 * The node's own process CPU. `_nodes/stats/process` refreshes its figure once a second, too coarse
 * for a 100 ms bulk, so /proc is read when the node's pid is visible here.
 *
 * @example
 * const cpu = await openSearchCpu(client);
 * const before = await cpu.read(); await bulk(); const ms = (await cpu.read()) - before;
 */
export async function openSearchCpu(client: Client): Promise<OpenSearchCpu> {
  const { body } = await client.nodes.info({ metric: ['process'] });
  const nodes = Object.values(
    (body as { nodes: Record<string, { process?: { id?: number } }> }).nodes,
  );
  const pid = nodes.length === 1 ? nodes[0]!.process?.id : undefined;
  if (pid !== undefined) {
    try {
      procCpuMs(pid);
      return { source: `/proc/${pid}/stat`, read: async () => procCpuMs(pid) };
    } catch {
      // Another machine or a container: fall back to what the node says.
    }
  }
  return {
    source: '_nodes/stats/process (refreshed once a second)',
    async read() {
      const { body: stats } = await client.nodes.stats({ metric: ['process'] });
      return Object.values(
        (stats as { nodes: Record<string, { process: { cpu: { total_in_millis: number } } }> })
          .nodes,
      ).reduce((sum, n) => sum + n.process.cpu.total_in_millis, 0);
    },
  };
}

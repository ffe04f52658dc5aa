// `npm run dev [-- --once]`: the local event-source loop, delivering what lands in the deployed local stack to its real handlers.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT, runCli } from './cli.ts';
import {
  awsTarget,
  type DeployedMapping,
  LOCAL_STACK_NAME,
  NotDeployedError,
  readDeployment,
} from './dev/deployed.ts';
import { pollKinesis } from './dev/kinesis-poller.ts';
import { loadFunctions } from './dev/lambda-runtime.ts';
import { type LogsState, watchLogGroups } from './dev/log-groups.ts';
import { pollQueue } from './dev/sqs-poller.ts';
import { LOCAL_DIR } from './local/paths.ts';

const USAGE = `usage: npm run dev [-- --once] [--verbose]

  Delivers what lands in the local stack deployed by \`npm run deploy:local\` to the deployed
  functions' real handlers, run in this process with their deployed environment, as AWS would:
  the Kinesis stream's records to ingestKinesis (the mapping's batch size and window, partial batch
  responses, bisect, retries and record age, then the on-failure queue), the messages of ingestS3's
  queue (S3 notifications of objects put into the source buckets) to ingestS3 (the mapping's batch
  size and window, partial batch responses; what fails comes back after the visibility timeout, and
  SQS moves it to the dead-letter queue after maxReceiveCount receives), the events of log groups
  subscribed with a Lambda destination to that function (the filter pattern applied, gzip + base64,
  a control message for a new filter), and each new log group to subscribeLogGroups. One line per
  delivery; Ctrl-C stops. --once delivers what is there and exits. --verbose shows the functions'
  own logs. Where it stopped is kept in .local/dev/state.json.`;

const STATE_FILE = path.join(LOCAL_DIR, 'dev', 'state.json');
const POLL_MS = 1_000;

interface DevState {
  stackId: string;
  /** Per mapping UUID, per shard: the last sequence number done with. */
  checkpoints: Record<string, Record<string, string>>;
  logs: LogsState;
}

function loadState(stackId: string): DevState {
  try {
    const state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as DevState;
    // A redeployed stack is another stream and other groups: start afresh.
    if (state.stackId === stackId) return state;
  } catch {}
  return { stackId, checkpoints: {}, logs: { groups: [], filters: {} } };
}

function saveState(state: DevState): void {
  mkdirSync(path.dirname(STATE_FILE), { recursive: true });
  writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
}

const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);

runCli({
  name: 'dev',
  usage: USAGE,
  options: { once: { type: 'boolean' }, verbose: { type: 'boolean' } },
  async run(cli) {
    const started = await cli.localStack();
    if (started.length) log(`started ${started.join(', ')} (npm run stack -- down stops them)`);
    const target = awsTarget(cli.env);
    let deployment: Awaited<ReturnType<typeof readDeployment>>;
    try {
      deployment = await readDeployment(target, LOCAL_STACK_NAME);
    } catch (error) {
      if (!(error instanceof NotDeployedError)) throw error;
      console.error(`dev: ${error.message}`);
      return EXIT.usage;
    }
    const state = loadState(deployment.stackId);
    const functions = await loadFunctions(deployment.functions, {
      AWS_REGION: target.region,
      AWS_ACCESS_KEY_ID: target.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: target.credentials.secretAccessKey,
      // Alerts go to the local Slack receiver, as in every local run.
      ...(cli.env.SLACK_WEBHOOK_URL ? { SLACK_WEBHOOK_URL: cli.env.SLACK_WEBHOOK_URL } : {}),
      POWERTOOLS_LOG_LEVEL: cli.values.verbose ? 'DEBUG' : 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    const byArn = new Map(functions.map((f) => [f.fn.arn, f]));
    const account = deployment.functions[0]?.arn.split(':')[4] ?? '000000000000';
    const controller = new AbortController();
    const stop = () => {
      log('stopping (the batch under way finishes first)');
      controller.abort();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);

    const active = deployment.mappings.filter((m) => m.enabled && byArn.has(m.functionArn));
    const mappings = active.filter((m) => m.kind === 'kinesis');
    const queues = active.filter((m) => m.kind === 'sqs');
    const pollers = mappings.map((mapping: DeployedMapping) => {
      state.checkpoints[mapping.uuid] ??= {};
      return pollKinesis({
        target,
        mapping,
        fn: byArn.get(mapping.functionArn)!,
        checkpoints: state.checkpoints[mapping.uuid]!,
        log,
        once: cli.values.once === true,
        signal: controller.signal,
      });
    });
    const queuePollers = queues.map((mapping) =>
      pollQueue({
        target,
        mapping,
        fn: byArn.get(mapping.functionArn)!,
        log,
        once: cli.values.once === true,
        signal: controller.signal,
      }),
    );
    const watcher = watchLogGroups({
      target,
      account,
      functions: byArn,
      subscribe: functions.find((f) => f.fn.handler === 'functions/subscribe.handler'),
      scheduleRuleArn: `arn:aws:events:${target.region}:${account}:rule/${LOCAL_STACK_NAME}-subscribe`,
      state: state.logs,
      log,
    });
    log(
      `delivering: ${mappings.map((m) => m.sourceArn.split('/').pop()).join(', ') || 'no stream'}, ` +
        `${queues.map((m) => m.sourceArn.split(':').pop()).join(', ') || 'no queue'} and subscribed log groups` +
        (cli.values.once ? ' (--once)' : '; Ctrl-C stops'),
    );
    const logsLoop = (async () => {
      while (!controller.signal.aborted) {
        const deliveries = await watcher.poll();
        saveState(state);
        if (cli.values.once && deliveries === 0) return;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    })();
    try {
      await Promise.all([...pollers, ...queuePollers, logsLoop]);
    } finally {
      watcher.close();
      saveState(state);
    }
    // The handlers' clients keep sockets open; nothing is left to deliver.
    setTimeout(() => process.exit(), 200).unref();
    return EXIT.ok;
  },
});

// Lambda entry point that subscribes log groups (EventBridge: CloudTrail CreateLogGroup, daily schedule); logic in shared/ops/.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { createCloudWatchLogsClient } from '#shared/clients/cloudwatch-logs.ts';
import { readEnv } from '#shared/config/env.ts';
import { loadValidatedConfig } from '#shared/config/file.ts';
import { SubscriptionError } from '#shared/errors.ts';
import { createMetrics } from '#shared/observability/metrics.ts';
import { resultLogLine, type SubscribeReport, subscribeLogGroups } from '#shared/ops/subscribe.ts';
import { ownLogGroupGlobs, scopeOfEvent, subscriptionTarget } from '#shared/ops/subscribe-plan.ts';

const logger = new Logger({ serviceName: 'logferry' });
// Read once per cold start: a bad logferry.json, destination or environment fails here, before any event.
const env = readEnv(process.env);
const config = loadValidatedConfig(env.configFile);
const target = subscriptionTarget(config.subscriptions, {
  destinationArn: env.subscriptionDestinationArn,
  roleArn: env.subscriptionRoleArn,
});
const own = ownLogGroupGlobs(env.service, env.stage);
const logs = createCloudWatchLogsClient({ region: env.region, endpoint: env.awsEndpoint });
const metrics = createMetrics({ stage: env.stage, service: env.service });

type Summary = Omit<SubscribeReport, 'results'> & { scope: string };

const lambdaHandler = async (event: EventBridgeEvent<string, unknown>): Promise<Summary> => {
  const scope = scopeOfEvent(event);
  // A failed or unrelated call names no group: the run is empty, and says why.
  if (scope.kind === 'none')
    logger.info('event names no log group to subscribe', { reason: scope.reason });
  const { results, ...counts } = await subscribeLogGroups(logs, {
    config: config.subscriptions,
    target,
    own,
    scope,
    dryRun: false,
    throttle: { onThrottle: (info) => logger.warn('throttled; backing off', info) },
  });
  for (const line of results.map(resultLogLine))
    if (line) logger[line.level](line.message, line.fields);
  metrics.addMetric('GroupsSubscribed', MetricUnit.Count, counts.applied);
  metrics.addMetric('GroupsAtFilterLimit', MetricUnit.Count, counts.counts['at-limit']);
  metrics.addMetric('SubscribeFailures', MetricUnit.Count, counts.failed);
  const summary = { scope: scope.kind, ...counts };
  logger.info('subscription run done', summary);
  // Thrown so the Errors alarm sees it; the next schedule (or Lambda's retry) tries the group again.
  if (counts.failed > 0)
    throw new SubscriptionError(
      `${counts.failed} log group(s) could not be subscribed`,
      counts.failed,
    );
  return summary;
};

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));

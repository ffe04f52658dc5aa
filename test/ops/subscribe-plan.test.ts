import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import { ConfigError } from '#shared/errors.ts';
import {
  countActions,
  listingPrefixes,
  ownLogGroupGlobs,
  planSubscription,
  scopeOfEvent,
  selectLogGroup,
  subscriptionTarget,
} from '#shared/ops/subscribe-plan.ts';

const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:logferry-prod-ingestCloudwatch';
const KINESIS = 'arn:aws:kinesis:us-east-1:123456789012:stream/logferry-prod';
const ROLE = 'arn:aws:iam::123456789012:role/logferry-cwl-to-kinesis';
const target = { filterName: 'logferry', filterPattern: '', destinationArn: LAMBDA };

describe('selectLogGroup', () => {
  const rules = { include: ['/ecs/**', '/aws/lambda/*'], exclude: ['/ecs/**/debug'] };
  const own = ownLogGroupGlobs('logferry', 'prod');

  it('selects included groups and skips excluded and unlisted ones', () => {
    expect(selectLogGroup('/ecs/web/nginx', rules, own)).toBe('selected');
    expect(selectLogGroup('/ecs/web/debug', rules, own)).toBe('excluded');
    expect(selectLogGroup('/rds/cluster/error', rules, own)).toBe('not-included');
  });

  it("never selects the pipeline's own log groups, of any stage, even when included", () => {
    expect(selectLogGroup('/aws/lambda/logferry-prod-ingestCloudwatch', rules, own)).toBe('own');
    expect(selectLogGroup('/aws/lambda/logferry-dev-subscribe', rules, own)).toBe('own');
    expect(selectLogGroup('/aws/lambda/billing-prod-api', rules, own)).toBe('selected');
  });
});

describe('listingPrefixes', () => {
  it('lists by the literal part of each include, dropping prefixes covered by shorter ones', () => {
    expect(listingPrefixes(['/ecs/**', '/ecs/web/*', '/app/x'])).toEqual(['/app/x', '/ecs/']);
  });

  it('lists everything when an include starts with a wildcard', () => {
    expect(listingPrefixes(['/ecs/*', '**'])).toBeUndefined();
  });
});

describe('planSubscription', () => {
  it('creates the filter on a group without one', () => {
    expect(planSubscription('/g', [], target)).toEqual({ group: '/g', action: 'create' });
  });

  it('creates it beside one foreign filter, leaving that filter alone', () => {
    const filters = [
      { filterName: 'datadog', destinationArn: 'arn:aws:lambda:us-east-1:1:function:dd' },
    ];
    expect(planSubscription('/g', filters, target).action).toBe('create');
  });

  it('reports a group whose two filters belong to others instead of replacing one', () => {
    const filters = [
      { filterName: 'datadog', destinationArn: 'arn:aws:lambda:us-east-1:1:function:dd' },
      { filterName: 'splunk', destinationArn: 'arn:aws:firehose:us-east-1:1:deliverystream/s' },
    ];
    expect(planSubscription('/g', filters, target)).toEqual({
      group: '/g',
      action: 'at-limit',
      filters: ['datadog', 'splunk'],
    });
  });

  it('leaves its own filter alone when it already matches', () => {
    const filters = [
      { filterName: 'logferry', destinationArn: LAMBDA, filterPattern: '' },
      { filterName: 'other', destinationArn: 'x' },
    ];
    expect(planSubscription('/g', filters, target).action).toBe('unchanged');
  });

  it('updates only its own filter, by name, when destination or pattern changed', () => {
    const filters = [
      {
        filterName: 'logferry',
        destinationArn: 'arn:aws:lambda:us-east-1:1:function:old',
        filterPattern: 'ERROR',
      },
    ];
    expect(planSubscription('/g', filters, target)).toEqual({
      group: '/g',
      action: 'update',
      changes: ['destination', 'pattern'],
    });
  });

  it('does not add a second delivery when another filter already sends the group to our destination', () => {
    const filters = [
      { filterName: 'logferry-prod-IngestCloudwatchCloudWatchLog1-AB12', destinationArn: LAMBDA },
    ];
    expect(planSubscription('/g', filters, target)).toEqual({
      group: '/g',
      action: 'covered',
      by: 'logferry-prod-IngestCloudwatchCloudWatchLog1-AB12',
    });
  });
});

describe('subscriptionTarget', () => {
  it('builds a Lambda target without a role and a Kinesis target with one', () => {
    const lambda = parseConfig({
      version: 1,
      subscriptions: { include: ['/ecs/**'] },
    }).subscriptions;
    expect(subscriptionTarget(lambda, { destinationArn: LAMBDA, roleArn: ROLE })).toEqual(target);
    const kinesis = parseConfig({
      version: 1,
      subscriptions: { destination: 'kinesis', filter_name: 'lf' },
    }).subscriptions;
    expect(subscriptionTarget(kinesis, { destinationArn: KINESIS, roleArn: ROLE })).toEqual({
      filterName: 'lf',
      filterPattern: '',
      destinationArn: KINESIS,
      roleArn: ROLE,
    });
  });

  it('refuses a destination ARN of the wrong kind, a missing one, and Kinesis without a role', () => {
    const lambda = parseConfig({ version: 1 }).subscriptions;
    const kinesis = parseConfig({
      version: 1,
      subscriptions: { destination: 'kinesis' },
    }).subscriptions;
    expect(() => subscriptionTarget(lambda, { destinationArn: KINESIS })).toThrow(
      /destination is lambda but .* is a kinesis ARN/,
    );
    expect(() => subscriptionTarget(lambda, {})).toThrow(ConfigError);
    expect(() => subscriptionTarget(kinesis, { destinationArn: KINESIS })).toThrow(
      /SUBSCRIPTION_ROLE_ARN/,
    );
  });
});

describe('subscriptions config', () => {
  it('defaults to subscribing nothing, with the logferry filter name', () => {
    expect(parseConfig({ version: 1 }).subscriptions).toEqual({
      include: [],
      exclude: [],
      filter_name: 'logferry',
      filter_pattern: '',
      destination: 'lambda',
    });
  });

  it('names the path of a bad key or value', () => {
    expect(() => parseConfig({ version: 1, subscriptions: { includes: ['/x'] } })).toThrow(
      /subscriptions: unknown key\(s\): includes/,
    );
    expect(() => parseConfig({ version: 1, subscriptions: { destination: 'sqs' } })).toThrow(
      /subscriptions\.destination/,
    );
    expect(() =>
      parseConfig({ version: 1, subscriptions: { include: ['/ecs/web nginx'] } }),
    ).toThrow(/subscriptions\.include\[0\]/);
  });
});

describe('scopeOfEvent', () => {
  it('takes the new group from a CloudTrail CreateLogGroup event', () => {
    const event = {
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.logs',
      detail: {
        eventSource: 'logs.amazonaws.com',
        eventName: 'CreateLogGroup',
        requestParameters: { logGroupName: '/ecs/new' },
      },
    };
    expect(scopeOfEvent(event)).toEqual({ kind: 'groups', groups: ['/ecs/new'] });
  });

  it('ignores a failed CreateLogGroup call, and scans everything on a schedule', () => {
    const failed = {
      'detail-type': 'AWS API Call via CloudTrail',
      detail: { eventName: 'CreateLogGroup', errorCode: 'ResourceAlreadyExistsException' },
    };
    expect(scopeOfEvent(failed).kind).toBe('none');
    expect(scopeOfEvent({ 'detail-type': 'Scheduled Event', source: 'aws.events' })).toEqual({
      kind: 'all',
    });
  });
});

describe('countActions', () => {
  it('counts every kind, zeros included', () => {
    expect(countActions([{ action: 'create' }, { action: 'create' }, { action: 'skip' }])).toEqual({
      create: 2,
      update: 0,
      unchanged: 0,
      covered: 0,
      'at-limit': 0,
      skip: 1,
    });
  });
});

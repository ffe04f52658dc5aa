// CloudTrail records, shaped like the CloudTrail User Guide's examples (IAM user, assumed role, AWS service, failure).
import { describe, expect, it } from 'vitest';
import { parseLine } from '#shared/parse/index.ts';
import type { ParseContext } from '#shared/parse/types.ts';

const ctx: ParseContext = { eventTime: Date.UTC(2025, 10, 20, 12), source: {} };

const iamUser = {
  eventVersion: '1.09',
  userIdentity: {
    type: 'IAMUser',
    principalId: 'AIDAJ45Q7YFFAREXAMPLE',
    arn: 'arn:aws:iam::123456789012:user/Alice',
    accountId: '123456789012',
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    userName: 'Alice',
  },
  eventTime: '2025-11-20T10:00:00Z',
  eventSource: 'ec2.amazonaws.com',
  eventName: 'StartInstances',
  awsRegion: 'us-east-2',
  sourceIPAddress: '205.251.233.176',
  userAgent: 'ec2-api-tools 1.6.12.2',
  requestParameters: { instancesSet: { items: [{ instanceId: 'i-ebeaf9e2' }] } },
  responseElements: {
    instancesSet: { items: [{ instanceId: 'i-ebeaf9e2', currentState: { code: 0 } }] },
  },
  requestID: 'c4d1a6b2-example',
  eventID: '8bc5f9c2-example',
  readOnly: false,
  eventType: 'AwsApiCall',
  managementEvent: true,
  recipientAccountId: '123456789012',
  eventCategory: 'Management',
  tlsDetails: {
    tlsVersion: 'TLSv1.3',
    cipherSuite: 'TLS_AES_128_GCM_SHA256',
    clientProvidedHostHeader: 'ec2.us-east-2.amazonaws.com',
  },
  resources: [
    {
      ARN: 'arn:aws:ec2:us-east-2:123456789012:instance/i-ebeaf9e2',
      accountId: '123456789012',
      type: 'AWS::EC2::Instance',
    },
  ],
};

describe('aws.cloudtrail', () => {
  it('reads an IAM user call: action, provider, outcome, caller, TLS, payloads as flat objects', () => {
    const p = parseLine(JSON.stringify(iamUser), ctx, 'aws.cloudtrail');
    expect(p).toMatchObject({
      dataset: 'aws.cloudtrail',
      time: Date.UTC(2025, 10, 20, 10),
      level: 'info',
      message: 'ec2.amazonaws.com StartInstances by Alice',
      fields: {
        event: { action: 'StartInstances', provider: 'ec2.amazonaws.com', outcome: 'success' },
        cloud: { provider: 'aws', region: 'us-east-2', account: { id: '123456789012' } },
        source: { ip: '205.251.233.176' },
        user_agent: { original: 'ec2-api-tools 1.6.12.2' },
        user: { id: 'AIDAJ45Q7YFFAREXAMPLE', name: 'Alice' },
        tls: {
          version: '1.3',
          version_protocol: 'tls',
          cipher: 'TLS_AES_128_GCM_SHA256',
          client: { server_name: 'ec2.us-east-2.amazonaws.com' },
        },
        aws: {
          cloudtrail: {
            event_version: '1.09',
            event_id: '8bc5f9c2-example',
            request_id: 'c4d1a6b2-example',
            event_type: 'AwsApiCall',
            event_category: 'Management',
            read_only: false,
            management_event: true,
            user_identity: {
              type: 'IAMUser',
              access_key_id: 'AKIAIOSFODNN7EXAMPLE',
              account_id: '123456789012',
            },
            resources: [
              {
                arn: 'arn:aws:ec2:us-east-2:123456789012:instance/i-ebeaf9e2',
                type: 'AWS::EC2::Instance',
              },
            ],
            request_parameters: iamUser.requestParameters,
            response_elements: iamUser.responseElements,
          },
        },
      },
    });
    expect(p.app).toBeUndefined();
  });

  it('reads an assumed role with session context, a failed call, and an AWS service as the source', () => {
    const record = {
      ...iamUser,
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLE:session',
        arn: 'arn:aws:sts::123456789012:assumed-role/Deployer/session',
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROAEXAMPLE',
            arn: 'arn:aws:iam::123456789012:role/Deployer',
            userName: 'Deployer',
          },
          attributes: { creationDate: '2025-11-20T09:00:00Z', mfaAuthenticated: 'false' },
        },
        invokedBy: 'cloudformation.amazonaws.com',
      },
      sourceIPAddress: 'cloudformation.amazonaws.com',
      errorCode: 'AccessDenied',
      errorMessage: 'User is not authorized to perform: ec2:StartInstances',
      sessionCredentialFromConsole: 'true',
      someNewTopLevelKey: 1,
    };
    const p = parseLine(JSON.stringify(record), ctx, 'aws.cloudtrail');
    expect(p).toMatchObject({
      level: 'warn',
      message: 'ec2.amazonaws.com StartInstances by Deployer: AccessDenied',
      fields: {
        event: { outcome: 'failure' },
        source: { address: 'cloudformation.amazonaws.com' },
        error: {
          code: 'AccessDenied',
          message: 'User is not authorized to perform: ec2:StartInstances',
        },
        aws: {
          cloudtrail: {
            session_credential_from_console: true,
            user_identity: {
              type: 'AssumedRole',
              invoked_by: 'cloudformation.amazonaws.com',
              session_context: {
                mfa_authenticated: false,
                creation_date: '2025-11-20T09:00:00Z',
                session_issuer: {
                  user_name: 'Deployer',
                  arn: 'arn:aws:iam::123456789012:role/Deployer',
                },
              },
            },
          },
        },
      },
      app: { someNewTopLevelKey: 1 },
    });
    expect(p.fields).not.toHaveProperty('source.ip');
  });

  it('is a parse failure for JSON that is no CloudTrail record, or for no JSON', () => {
    for (const line of ['{"eventTime":"2025-11-20T10:00:00Z"}', '{"Records":[]}', 'nope', '[1]'])
      expect(parseLine(line, ctx, 'aws.cloudtrail').tags, line).toEqual(['_parse_failure']);
  });
});

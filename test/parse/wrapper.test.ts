import { describe, expect, it } from 'vitest';
import { unwrap, unwrapObject } from '#shared/parse/wrapper.ts';

describe('unwrap', () => {
  it('FireLens: the inner log line plus container and ECS metadata', () => {
    const u = unwrap(
      JSON.stringify({
        container_id: 'c1',
        container_name: '/ecs-web-1',
        ecs_cluster: 'prod',
        ecs_task_arn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/abc',
        ecs_task_definition: 'web:12',
        source: 'stderr',
        log: 'GET / 200',
        team: 'shop',
      }),
    );
    expect(u).toEqual({
      kind: 'firelens',
      line: 'GET / 200',
      stream: 'stderr',
      wrapper: {
        container: { id: 'c1', name: 'ecs-web-1', stream: 'stderr' },
        aws: {
          ecs: {
            cluster: 'prod',
            task_arn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/abc',
            task_definition: 'web:12',
          },
        },
        app: { team: 'shop' },
      },
    });
  });

  it('Docker json-file: strips the newline and keeps the nanosecond time to the millisecond', () => {
    expect(
      unwrap('{"log":"hello\\n","stream":"stdout","time":"2025-11-20T10:00:00.123456789Z"}'),
    ).toEqual({
      kind: 'docker',
      line: 'hello',
      stream: 'stdout',
      time: Date.UTC(2025, 10, 20, 10, 0, 0, 123),
      wrapper: { container: { stream: 'stdout' } },
    });
  });

  it('Kubernetes: pod, namespace, node, image; label keys lose their dots', () => {
    const u = unwrapObject({
      log: 'x',
      stream: 'stdout',
      kubernetes: {
        pod_name: 'p',
        namespace_name: 'ns',
        host: 'node-1',
        container_name: 'app',
        docker_id: 'd1',
        container_image: 'img:1',
        labels: { 'app.kubernetes.io/name': 'shop' },
      },
    });
    expect(u?.wrapper).toEqual({
      kubernetes: {
        namespace: 'ns',
        pod: { name: 'p' },
        node: { name: 'node-1' },
        container: { name: 'app' },
        labels: { 'app_kubernetes_io/name': 'shop' },
      },
      container: { name: 'app', id: 'd1', image: { name: 'img:1' }, stream: 'stdout' },
    });
  });

  it('CRI log lines', () => {
    expect(unwrap('2025-11-20T10:00:04.000000001Z stderr F panic: boom')).toMatchObject({
      kind: 'cri',
      line: 'panic: boom',
      stream: 'stderr',
    });
  });

  it('leaves application JSON and plain lines alone', () => {
    expect(unwrap('{"log":"not an envelope","level":"info"}')).toBeUndefined();
    expect(unwrap('{"msg":"x"}')).toBeUndefined();
    expect(unwrap('plain')).toBeUndefined();
    expect(unwrap('{"log":')).toBeUndefined();
  });
});

// Field mappings of log indices: typed ECS fields and the typed figures of docs/fields.md; `app` as flat_object.
import { AWS_SERVICE_MAPPINGS, AWS_ECS_MAPPINGS as E } from './log-mappings-aws.ts';

/** Longest keyword kept in doc values: Lucene's term limit is 32766 bytes, 8191 four-byte characters. */
export const KEYWORD_IGNORE_ABOVE = 8191;

const keyword = { type: 'keyword', ignore_above: KEYWORD_IGNORE_ABOVE };
const text = { type: 'text' };
const textWithKeyword = {
  type: 'text',
  fields: { keyword: { type: 'keyword', ignore_above: 1024 } },
};
const long = { type: 'long' };
const float = { type: 'float' };
const bool = { type: 'boolean' };
const date = { type: 'date' };
// A line that writes `unix:` or a hostname where an IP belongs must not be rejected for it.
const ip = { type: 'ip', ignore_malformed: true };
// Label and annotation keys are chosen by every team: one field each, whatever the keys.
const flat = { type: 'flat_object' };
const obj = (properties: Record<string, unknown>) => ({ properties });
// What `enrich.geoip` adds beside an address (ECS geo and as).
const geo = obj({
  continent_code: keyword,
  country_iso_code: keyword,
  country_name: keyword,
  region_iso_code: keyword,
  region_name: keyword,
  city_name: keyword,
  timezone: keyword,
  location: { type: 'geo_point' },
});
const as = obj({ number: long, organization: obj({ name: keyword }) });

/** ECS fields logferry writes, typed; anything else in the ECS namespaces is mapped dynamically as keyword. */
export const LOG_MAPPINGS = {
  dynamic_templates: [
    {
      strings_as_keyword: {
        match_mapping_type: 'string',
        mapping: { type: 'keyword', ignore_above: 1024 },
      },
    },
  ],
  properties: {
    '@timestamp': date,
    // Log search sorts by time, not relevance: length norms would only cost a byte per document.
    message: { type: 'text', norms: false },
    tags: keyword,
    app: flat,
    event: obj({
      // Unique per document and the same as `_id`: searched by value, never sorted or aggregated.
      id: { ...keyword, doc_values: false },
      dataset: keyword,
      original: { type: 'text', index: false },
      duration: long,
      action: keyword,
      reason: text,
      created: date,
      ingested: date,
      ...E.event,
    }),
    log: obj({
      type: keyword,
      level: keyword,
      logger: keyword,
      file: obj({ path: keyword }),
      origin: obj({ function: keyword, file: obj({ name: keyword, line: long }) }),
      syslog: obj({
        priority: long,
        repeated: long,
        version: long,
        msgid: keyword,
        facility: obj({ code: long, name: keyword }),
        severity: obj({ code: long, name: keyword }),
      }),
    }),
    process: obj({ pid: long, name: keyword, thread: obj({ name: keyword, id: long }) }),
    host: obj({ hostname: keyword, name: keyword }),
    cloud: obj({ provider: keyword, region: keyword, account: obj({ id: keyword }), ...E.cloud }),
    container: obj({
      id: keyword,
      name: keyword,
      stream: keyword,
      runtime: keyword,
      image: obj({ name: keyword, tag: keyword, hash: obj({ all: keyword }) }),
    }),
    kubernetes: obj({
      namespace: keyword,
      pod: obj({ name: keyword, uid: keyword, ip }),
      node: obj({ name: keyword }),
      container: obj({ name: keyword }),
      labels: flat,
      annotations: flat,
    }),
    // The AWS families' source.geo / source.as are a subset of what enrichment writes.
    source: obj({ ip, port: long, address: keyword, bytes: long, ...E.source, geo, as }),
    destination: obj({ ip, port: long, address: keyword, domain: keyword, bytes: long }),
    server: obj({ ip, port: long, address: keyword }),
    client: obj({ ip, port: long, address: keyword, geo, as }),
    network: obj({ forwarded_ip: ip, bytes: long, ...E.network }),
    tls: obj({
      version: keyword,
      version_protocol: keyword,
      cipher: keyword,
      curve: keyword,
      established: bool,
      resumed: bool,
      next_protocol: keyword,
      client: obj({
        server_name: keyword,
        subject: keyword,
        issuer: keyword,
        hash: obj({ sha1: keyword }),
        x509: obj({ serial_number: keyword }),
        ...E.tls.client,
      }),
    }),
    file: obj({ path: keyword }),
    user: obj({ name: keyword, ...E.user }),
    rule: E.rule,
    http: obj({
      version: keyword,
      request: obj({
        id: keyword,
        method: keyword,
        referrer: keyword,
        bytes: long,
        mime_type: keyword,
        body: obj({ bytes: long, content: text }),
      }),
      response: obj({
        status_code: long,
        bytes: long,
        mime_type: keyword,
        body: obj({ bytes: long }),
      }),
    }),
    url: obj({
      original: { ...keyword, fields: { text } },
      scheme: keyword,
      domain: keyword,
      port: long,
      path: keyword,
      query: keyword,
      ...E.url,
    }),
    user_agent: obj({
      original: textWithKeyword,
      name: keyword,
      version: keyword,
      os: obj({ name: keyword, version: keyword }),
      device: obj({ name: keyword }),
    }),
    error: obj({
      type: keyword,
      code: keyword,
      message: text,
      stack_trace: { type: 'text', index: true },
    }),
    faas: obj({ execution: keyword, coldstart: bool, name: keyword, id: keyword }),
    service: obj({ name: keyword }),
    trace: obj({ id: keyword }),
    span: obj({ id: keyword }),
    // Figures users chart, typed so they aggregate (docs/fields.md lists each with its unit).
    aws: obj({
      cloudwatch: obj({ log_group: keyword, log_stream: keyword }),
      ecs: obj({ cluster: keyword, task_arn: keyword, task_definition: keyword }),
      kinesis: obj({
        stream: keyword,
        shard_id: keyword,
        partition_key: keyword,
        sequence_number: keyword,
      }),
      lambda: obj({
        duration_ms: float,
        billed_duration_ms: long,
        memory_size_mb: long,
        max_memory_used_mb: long,
        init_duration_ms: float,
        restore_duration_ms: float,
        billed_restore_duration_ms: long,
        status: keyword,
      }),
      ...AWS_SERVICE_MAPPINGS,
    }),
    haproxy: obj({
      frontend_name: keyword,
      backend_name: keyword,
      server_name: keyword,
      mode: keyword,
      termination_state: keyword,
      redispatched: bool,
      log_counter: long,
      request_counter: long,
      backend_source: obj({ ip, address: keyword, port: long }),
      timers: obj(
        Object.fromEntries(
          [
            'request',
            'queue',
            'connect',
            'response',
            'active',
            'total',
            'handshake',
            'idle',
            'client_request',
            'data',
            'client_total',
          ].map((t) => [`${t}_ms`, long]),
        ),
      ),
      connections: obj({
        active: long,
        frontend: long,
        backend: long,
        server: long,
        retries: long,
      }),
      queue: obj({ server: long, backend: long }),
      http: obj({
        request: obj({ captured_headers: keyword, captured_cookie: keyword }),
        response: obj({ captured_headers: keyword, captured_cookie: keyword }),
      }),
    }),
    nginx: obj({
      upstream: obj({
        address: keyword,
        status: long,
        connect_time_ms: float,
        header_time_ms: float,
        response_time_ms: float,
        queue_time_ms: float,
        response_length: long,
        bytes_received: long,
        bytes_sent: long,
        cache_status: keyword,
        last_server_name: keyword,
      }),
      connection: obj({ id: long, requests: long, time_ms: float }),
      pipelined: bool,
      request_completion: bool,
      gzip_ratio: float,
      tcpinfo: obj({ rtt_us: long, rttvar_us: long, snd_cwnd: long, rcv_space: long }),
      ingress: obj({ upstream_name: keyword, alternative_upstream_name: keyword }),
      realip: obj({ remote_addr: keyword, remote_port: long }),
      proxy_protocol: obj({ server_addr: keyword, server_port: long }),
      ssl: obj({ client_verify: keyword }),
    }),
    apache: obj({ error: obj({ module: keyword, errno: long, errstr: keyword }) }),
  },
} as const;

// The secret forms applications really log, each a log line and the secret text that must never leave the pipeline.

export interface SecretForm {
  /** What the line shows, as the redaction docs name its family. */
  name: string;
  line: string;
  /** Substrings that must not appear in any document, archive row, dead-letter entry or Slack message. */
  secrets: string[];
}

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkphbmUifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8KLSecrT';
const PEM_BODY =
  'MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9OiJjRazXBZ1BjP5CE/Wm/Rr500P\nRK+Lh9x5eJPo5CAZ3/ANBE0sTK0ZsDGMak2m1g73VHqIxFTz0Ta1d+NAjwnLe4nO';

/**
 * 63 forms: key/value text, env dumps, form bodies, URL query keys, headers, JSON / YAML / Python dict
 * / Java toString renderings, camelCase, snake_case and kebab-case names, URLs with passwords, JWTs,
 * PEM blocks, and cloud and SaaS tokens with recognisable prefixes.
 */
export const SECRET_FORMS: readonly SecretForm[] = [
  // key=value and key: value text
  {
    name: 'password= in text',
    line: 'login failed user=bob password=hunter2 ip=10.0.0.1',
    secrets: ['hunter2'],
  },
  { name: 'PASSWORD= env dump', line: 'PASSWORD=Tr0ub4dor&3', secrets: ['Tr0ub4dor'] },
  { name: 'DB_PASSWORD= env dump', line: 'DB_PASSWORD=s3cr3t-db-pw', secrets: ['s3cr3t-db-pw'] },
  {
    name: 'password: v text',
    line: 'connecting with password: hunter22 to db',
    secrets: ['hunter22'],
  },
  {
    name: 'db_password= text',
    line: 'config loaded db_password=pg-pass-991 pool=10',
    secrets: ['pg-pass-991'],
  },
  {
    name: 'secret= text',
    line: 'webhook secret=whs3cr3tv4lue registered',
    secrets: ['whs3cr3tv4lue'],
  },
  {
    name: 'token= text',
    line: 'refreshing session token=tok_9f8e7d6c5b4a',
    secrets: ['tok_9f8e7d6c5b4a'],
  },
  {
    name: 'api_key= text',
    line: 'calling upstream api_key=ak-77aa88bb99cc',
    secrets: ['ak-77aa88bb99cc'],
  },
  {
    name: 'client_secret= form body',
    line: 'POST body grant_type=client_credentials&client_id=web&client_secret=cs-8d7f6a5e4b3c',
    secrets: ['cs-8d7f6a5e4b3c'],
  },
  {
    name: 'kebab-case CLI flag',
    line: 'exec /app/migrate --db-password=m1gr4t3pw --verbose',
    secrets: ['m1gr4t3pw'],
  },
  { name: 'Spring dotted key', line: 'spring.datasource.password=spr1ngpw', secrets: ['spr1ngpw'] },
  {
    name: 'YAML password: v',
    line: 'database:\n  user: app\n  password: yamlpw123\n  host: db',
    secrets: ['yamlpw123'],
  },
  {
    name: 'mysql -p',
    line: 'running mysql -u root -pMyR00tPw -h db.internal shop',
    secrets: ['MyR00tPw'],
  },
  {
    name: 'aws_secret_access_key=',
    line: `aws_secret_access_key=${AWS_SECRET}`,
    secrets: [AWS_SECRET],
  },
  {
    name: 'AWS_SECRET_ACCESS_KEY= env',
    line: `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`,
    secrets: [AWS_SECRET],
  },
  // URL query keys
  {
    name: '?password= in URL',
    line: 'GET /login?user=a&password=hunter2&x=1 HTTP/1.1',
    secrets: ['hunter2'],
  },
  {
    name: '?access_token= in URL',
    line: 'GET /api/me?access_token=at-5a4b3c2d1e HTTP/1.1',
    secrets: ['at-5a4b3c2d1e'],
  },
  {
    name: '&api_key= in URL',
    line: 'GET /v1/items?page=2&api_key=qk-1234abcd HTTP/1.1',
    secrets: ['qk-1234abcd'],
  },
  {
    name: '&token= in URL',
    line: 'GET /download?id=5&token=dl-99ffee HTTP/1.1',
    secrets: ['dl-99ffee'],
  },
  {
    name: '?key= in URL',
    line: 'GET https://maps.example.com/geocode/json?address=Paris&key=mk-5566778899 200',
    secrets: ['mk-5566778899'],
  },
  {
    name: 'presigned S3 URL',
    line: 'GET /bucket/report.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAY34FZKBOKMUTVV7A%2F20251120%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEJr&X-Amz-Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024 200',
    secrets: [
      'fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024',
      'ASIAY34FZKBOKMUTVV7A',
      'IQoJb3JpZ2luX2VjEJr',
    ],
  },
  // headers
  {
    name: 'Authorization: Bearer',
    line: 'Authorization: Bearer abcdef0123456789xyz',
    secrets: ['abcdef0123456789xyz'],
  },
  {
    name: 'Authorization: Basic',
    line: 'Authorization: Basic dXNlcjpwYXNzd29yZA==',
    secrets: ['dXNlcjpwYXNzd29yZA'],
  },
  {
    name: 'Api-Key header',
    line: 'request headers Api-Key: hk-0a1b2c3d4e5f',
    secrets: ['hk-0a1b2c3d4e5f'],
  },
  { name: 'x-api-key header', line: 'x-api-key: xk-6f5e4d3c2b1a', secrets: ['xk-6f5e4d3c2b1a'] },
  {
    name: 'JWT in a cookie',
    line: `Cookie: theme=dark; session=${JWT}`,
    secrets: [JWT.split('.')[1]!],
  },
  // JSON renderings
  {
    name: 'JSON password',
    line: '{"level":"info","msg":"login","password":"hunter2"}',
    secrets: ['hunter2'],
  },
  {
    name: 'JSON camelCase secretAccessKey',
    line: `{"msg":"s3 client","secretAccessKey":"${AWS_SECRET}"}`,
    secrets: [AWS_SECRET],
  },
  {
    name: 'JSON x-api-key',
    line: '{"msg":"upstream","headers":{"x-api-key":"jk-1a2b3c4d"}}',
    secrets: ['jk-1a2b3c4d'],
  },
  {
    name: 'JSON Api-Key',
    line: '{"msg":"upstream","Api-Key":"jk-5e6f7a8b"}',
    secrets: ['jk-5e6f7a8b'],
  },
  {
    name: 'JSON apiKey camelCase',
    line: '{"msg":"init","apiKey":"jk-9c0d1e2f"}',
    secrets: ['jk-9c0d1e2f'],
  },
  {
    name: 'JSON accessToken camelCase',
    line: '{"msg":"oauth","accessToken":"jt-3a4b5c6d"}',
    secrets: ['jt-3a4b5c6d'],
  },
  {
    name: 'JSON access_token',
    line: '{"msg":"oauth","access_token":"jt-7e8f9a0b"}',
    secrets: ['jt-7e8f9a0b'],
  },
  {
    name: 'JSON id_token JWT',
    line: `{"msg":"oidc","id_token":"${JWT}"}`,
    secrets: [JWT.split('.')[1]!],
  },
  {
    name: 'JSON refresh_token',
    line: '{"msg":"oauth","refresh_token":"jr-2b3c4d5e"}',
    secrets: ['jr-2b3c4d5e'],
  },
  {
    name: 'JSON client_secret',
    line: '{"msg":"oauth","client_secret":"jc-1c2d3e4f"}',
    secrets: ['jc-1c2d3e4f'],
  },
  {
    name: 'JSON db_password',
    line: '{"msg":"db","db_password":"jd-5a6b7c8d"}',
    secrets: ['jd-5a6b7c8d'],
  },
  {
    name: 'JSON nested password',
    line: '{"msg":"cfg","config":{"db":{"password":"jn-9e0f1a2b"}}}',
    secrets: ['jn-9e0f1a2b'],
  },
  {
    name: 'JSON Authorization Bearer',
    line: '{"msg":"req","Authorization":"Bearer jb-3c4d5e6f7a8b9c"}',
    secrets: ['jb-3c4d5e6f7a8b9c'],
  },
  {
    name: 'JSON message with password=',
    line: '{"level":"error","msg":"db connect failed password=jm-7d8e9f0a"}',
    secrets: ['jm-7d8e9f0a'],
  },
  // other renderings
  {
    name: 'Python dict repr',
    line: "settings {'user': 'app', 'password': 'py-hunter2'}",
    secrets: ['py-hunter2'],
  },
  {
    name: 'Java toString',
    line: 'saving User{id=7, name=bob, password=jv-hunter2, role=admin}',
    secrets: ['jv-hunter2'],
  },
  {
    name: 'Ruby hash rocket',
    line: 'params {"user"=>"bob", "password"=>"rb-hunter2"}',
    secrets: ['rb-hunter2'],
  },
  // URLs with credentials
  {
    name: 'postgres URL password',
    line: 'connecting to postgres://app:pgurl-pw@db:5432/shop',
    secrets: ['pgurl-pw'],
  },
  {
    name: 'redis URL, empty user',
    line: 'cache redis://:rdpw-4455@cache:6379/0',
    secrets: ['rdpw-4455'],
  },
  {
    name: 'https URL user:pass',
    line: 'fetch https://deploy:htpw-7788@git.example.com/repo.git',
    secrets: ['htpw-7788'],
  },
  // tokens with recognisable prefixes
  {
    name: 'AWS access key id',
    line: 'using key AKIAIOSFODNN7EXAMPLE for s3',
    secrets: ['AKIAIOSFODNN7EXAMPLE'],
  },
  { name: 'JWT bare', line: `token ${JWT} rejected`, secrets: [JWT.split('.')[1]!] },
  {
    name: 'Slack webhook URL',
    line: 'posting to https://hooks.slack.com/services/T0A1B2C3D/B4E5F6G7H/abcdefghijklmnopqrstuvwx',
    secrets: ['abcdefghijklmnopqrstuvwx'],
  },
  {
    name: 'Slack bot token',
    line: 'slack client xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
    secrets: ['AbCdEfGhIjKlMnOpQrStUvWx'],
  },
  {
    name: 'Slack user token',
    line: 'slack user xoxp-123456789012-123456789012-123456789012-0123456789abcdef0123456789abcdef',
    secrets: ['0123456789abcdef0123456789abcdef'],
  },
  {
    name: 'Stripe secret key',
    line: 'stripe init sk_live_51HqLyjWDarjtT1zdp7dcXGn0',
    secrets: ['51HqLyjWDarjtT1zdp7dcXGn0'],
  },
  {
    name: 'GitHub token',
    line: 'git clone with ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    secrets: ['abcdefghijklmnopqrstuvwxyz0123456789'],
  },
  {
    name: 'GitLab token',
    line: 'ci uses glpat-Ab3De6Gh9Jk2Mn5Pq8St',
    secrets: ['Ab3De6Gh9Jk2Mn5Pq8St'],
  },
  {
    name: 'Google API key',
    line: 'maps key AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q',
    secrets: ['SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q'],
  },
  {
    name: 'npm token',
    line: '//registry.npmjs.org/:_authToken=npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
    secrets: ['AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'],
  },
  {
    name: 'PEM private key in a multiline message',
    line: `loaded key:\n-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}\n-----END RSA PRIVATE KEY-----`,
    secrets: ['MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9OiJjRazXBZ1BjP5CE', 'RK+Lh9x5eJPo5CAZ3'],
  },
  // Command-line options and their value, a space between
  {
    name: '--password value',
    line: 'exec: pg_dump --host db --username app --password Pa55w0rd-cli shop',
    secrets: ['Pa55w0rd-cli'],
  },
  {
    name: 'mysql -p value',
    line: 'running: mysql -h db -u root -p Sq1-spaced-pw shop',
    secrets: ['Sq1-spaced-pw'],
  },
  {
    name: '--token value',
    line: 'vault login --no-print --token tk-7f6e5d4c3b2a -method=token',
    secrets: ['tk-7f6e5d4c3b2a'],
  },
  {
    name: '--api-key value',
    line: 'cli upload --api-key ak-cli-55aa66bb --region eu-west-1',
    secrets: ['ak-cli-55aa66bb'],
  },
  {
    name: '--secret "value"',
    line: 'deploy --env prod --secret "sec cli 77ccdd" --wait',
    secrets: ['sec cli 77ccdd'],
  },
  {
    name: 'JSON argument list',
    line: '{"level":"info","msg":"spawn worker","args":["--queue","jobs","--token","tk-args-1a2b3c"]}',
    secrets: ['tk-args-1a2b3c'],
  },
];

/** A PEM private key as container stdout logs it: one event per line. */
export const PEM_LINES = [
  '-----BEGIN RSA PRIVATE KEY-----',
  ...PEM_BODY.split('\n'),
  'AGVsbG8gd29ybGQ=',
  '-----END RSA PRIVATE KEY-----',
];

/** Forms spread over several events of one stream. */
export interface StreamSecretForm {
  name: string;
  lines: string[];
  secrets: string[];
}

const PEM_SECRETS = [...PEM_BODY.split('\n'), 'AGVsbG8gd29ybGQ='];

export const STREAM_SECRET_FORMS: readonly StreamSecretForm[] = [
  {
    name: 'PEM key one line per event',
    lines: ['loading signing key', ...PEM_LINES, 'key loaded'],
    secrets: PEM_SECRETS,
  },
  {
    name: 'PEM key whose BEGIN came in an earlier delivery',
    lines: PEM_LINES.slice(2),
    secrets: PEM_SECRETS.slice(1),
  },
  {
    name: 'PEM key cut short by other logging',
    lines: [...PEM_LINES.slice(0, 2), 'GET /health 200'],
    secrets: PEM_SECRETS.slice(0, 1),
  },
];

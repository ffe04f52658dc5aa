// Error classes, one per failure kind, so callers decide retry vs dead-letter by type, not by message.

/** logferry.yml (or an environment variable) is invalid; names the file, the path in it and the reason. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly path?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** A declared log format (`formats:` in logferry.yml) cannot compile: names the position and the variable. */
export class FormatError extends Error {
  constructor(
    message: string,
    /** 0-based offset in the format string. */
    readonly position: number,
    /** The variable or directive as written (`$upstream_time`, `%{Referer}Z`), when one is at fault. */
    readonly variable?: string,
  ) {
    super(message);
    this.name = 'FormatError';
  }
}

/** An input payload could not be decoded (base64, gzip, JSON, shape, size). Permanent: retrying cannot help. */
export class DecodeError extends Error {
  /**
   * The payload as text, when decoding got that far (valid gzip of invalid JSON, a string that is no
   * base64): its dead-letter entry holds this, masked, rather than bytes that would carry a secret.
   */
  readonly text?: string;

  constructor(
    message: string,
    readonly reason:
      | 'base64'
      | 'gzip'
      | 'json'
      | 'shape'
      | 'too_large'
      | 'binary'
      | 'empty'
      | 'unknown_envelope'
      | 'kpl',
    options?: ErrorOptions & { text?: string },
  ) {
    super(message, options);
    this.name = 'DecodeError';
    if (options?.text !== undefined) this.text = options.text;
  }
}

/**
 * An announced S3 object cannot be read, for good: `missing` (deleted since), `superseded`
 * (overwritten since: the newer object's own notification reads it). Other read failures may pass.
 */
export class ObjectReadError extends Error {
  constructor(
    message: string,
    readonly failure: 'missing' | 'superseded',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ObjectReadError';
  }
}

/** A sink failed in a way that may pass (network, 429, 5xx, throttling): the input must be retried. */
export class TransientSinkError extends Error {
  constructor(
    message: string,
    readonly sink: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'TransientSinkError';
  }
}

/**
 * Thrown by a handler when some input was not delivered and AWS must redeliver it.
 * Carries the counts so the failure log says how much was at stake.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly pending: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}

/** An AWS API kept answering ThrottlingException / LimitExceededException past our own backoff. */
export class ThrottledError extends Error {
  constructor(
    message: string,
    readonly operation: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ThrottledError';
  }
}

/** Some log groups could not be subscribed (not throttling alone); the report names each one and why. */
export class SubscriptionError extends Error {
  constructor(
    message: string,
    readonly failed: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SubscriptionError';
  }
}

/** An OpenSearch domain name could not be turned into an endpoint (unknown domain, still creating, no endpoint). */
export class EndpointResolutionError extends Error {
  constructor(
    message: string,
    readonly domain: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'EndpointResolutionError';
  }
}

/** The alert-state index could not be read or written. Alerts go on without it; never fails a batch. */
export class AlertStateError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AlertStateError';
  }
}

/** A webhook URL could not be fetched from SSM / Secrets Manager. Names the reference, never the URL. */
export class WebhookUnavailableError extends Error {
  constructor(
    message: string,
    readonly ref: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'WebhookUnavailableError';
  }
}

/**
 * Slack did not take a message: `status` 0 when nothing answered; `permanent` for 4xx other than 429.
 * The message names the webhook by its reference, never by its URL (the URL is the secret).
 */
export class SlackWebhookError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly permanent: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SlackWebhookError';
  }
}

/** Message of any thrown value, for error fields in documents and logs. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

// user_agent.name / version / os.* / device.name from user_agent.original (ua-parser-js 1.x, MIT), cached per distinct string.
import { UAParser } from 'ua-parser-js';
import type { Fields } from '#shared/model.ts';

/** What a user agent string says, flat: the document gets fresh objects built from it every time. */
interface Agent {
  name?: string;
  version?: string;
  osName?: string;
  osVersion?: string;
  device?: string;
}

// A product token led string (`curl/8.5.0`, `okhttp/4.12.0`) that ua-parser-js does not know.
const PRODUCT = /^([A-Za-z][\w.-]{0,63})\/(\d[\w.-]{0,31})/;

function describe(parser: UAParser, ua: string): Agent {
  // ua-parser-js reads at most 500 characters of a string, so a hostile one costs no more than that.
  parser.setUA(ua);
  const browser = parser.getBrowser();
  const os = parser.getOS();
  const device = parser.getDevice();
  const agent: Agent = {};
  if (browser.name) {
    agent.name = browser.name;
    if (browser.version) agent.version = browser.version;
  } else if (!ua.startsWith('Mozilla/')) {
    const m = PRODUCT.exec(ua);
    if (m) {
      agent.name = m[1];
      agent.version = m[2];
    }
  }
  if (os.name) agent.osName = os.name;
  if (os.version) agent.osVersion = os.version;
  const deviceName = [device.vendor, device.model].filter(Boolean).join(' ');
  if (deviceName) agent.device = deviceName;
  return agent;
}

function toFields(agent: Agent): Fields | undefined {
  const out: Fields = {};
  if (agent.name !== undefined) out.name = agent.name;
  if (agent.version !== undefined) out.version = agent.version;
  if (agent.osName !== undefined || agent.osVersion !== undefined) {
    const os: Fields = {};
    if (agent.osName !== undefined) os.name = agent.osName;
    if (agent.osVersion !== undefined) os.version = agent.osVersion;
    out.os = os;
  }
  if (agent.device !== undefined) out.device = { name: agent.device };
  return Object.keys(out).length ? out : undefined;
}

/** Distinct strings remembered; a fleet's traffic has a few thousand, a scan may have more. */
const DEFAULT_CACHE = 10_000;

/**
 * A user agent parser that remembers the strings it saw (they repeat: a handful of browsers and
 * bots make most traffic). Returns the fields to put under `user_agent`, or undefined when the
 * string names nothing ua-parser-js knows.
 *
 * @example
 * const parse = createUserAgentParser();
 * parse('Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) … Version/17.1 Mobile/15E148 Safari/604.1')
 * // { name: 'Mobile Safari', version: '17.1', os: { name: 'iOS', version: '17.1' }, device: { name: 'Apple iPhone' } }
 */
export function createUserAgentParser(
  opts: { cacheSize?: number } = {},
): (ua: string) => Fields | undefined {
  const max = opts.cacheSize ?? DEFAULT_CACHE;
  const cache = new Map<string, Agent>();
  const parser = new UAParser();
  return (ua) => {
    let agent = cache.get(ua);
    if (agent === undefined) {
      agent = describe(parser, ua);
      // Cleared rather than evicted one by one: cheaper, and a full cache means the strings do not repeat.
      if (cache.size >= max) cache.clear();
      cache.set(ua, agent);
    }
    return toFields(agent);
  };
}

// Draws a Slack Block Kit message (header, mrkdwn sections, context) as an SVG card, for the README: a
// picture of the payload logferry really sends, not a screenshot of Slack.
import type { SlackMessage } from '#shared/alerts/block-kit.ts';

const WIDTH = 760;
const PAD = 20;
const LINE = 19;
/** Characters per line at 13 px: the card is drawn, not laid out by a browser, so wrap by count. */
const CHARS = 96;
const CODE_CHARS = 100;

type Span = { text: string; style: 'plain' | 'bold' | 'code' | 'link' };

const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const unescapeMrkdwn = (s: string) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Inline mrkdwn: *bold*, `code`, <url|label> links and <!date^…|fallback> dates. */
function spans(line: string): Span[] {
  const out: Span[] = [];
  const re = /\*([^*\n]+)\*|`([^`\n]+)`|<!date\^[^|>]+\|([^>]+)>|<[^|>]+\|([^>]+)>/g;
  let last = 0;
  for (const m of line.matchAll(re)) {
    if (m.index > last) out.push({ text: line.slice(last, m.index), style: 'plain' });
    if (m[1] !== undefined) out.push({ text: m[1], style: 'bold' });
    else if (m[2] !== undefined) out.push({ text: m[2], style: 'code' });
    else if (m[3] !== undefined) out.push({ text: m[3], style: 'plain' });
    else out.push({ text: m[4]!, style: 'link' });
    last = m.index + m[0].length;
  }
  if (last < line.length) out.push({ text: line.slice(last), style: 'plain' });
  return out.map((s) => ({ ...s, text: unescapeMrkdwn(s.text) }));
}

/** Splits spans into lines of at most CHARS characters, breaking inside a span when it must. */
function wrap(line: Span[]): Span[][] {
  const lines: Span[][] = [[]];
  let used = 0;
  for (const span of line) {
    let rest = span.text;
    while (rest.length > 0) {
      const room = CHARS - used;
      if (room <= 0) {
        lines.push([]);
        used = 0;
        continue;
      }
      const piece = rest.slice(0, room);
      lines.at(-1)!.push({ ...span, text: piece });
      used += piece.length;
      rest = rest.slice(piece.length);
    }
  }
  return lines;
}

function tspans(line: Span[]): string {
  return line
    .map((s) => {
      const t = xml(s.text);
      if (s.style === 'bold') return `<tspan font-weight="700">${t}</tspan>`;
      if (s.style === 'code')
        return `<tspan font-family="Menlo, Consolas, monospace" fill="#c7254e">${t}</tspan>`;
      if (s.style === 'link') return `<tspan fill="#1264a3">${t}</tspan>`;
      return t;
    })
    .join('');
}

/**
 * The message as an SVG card: the header in bold, each section's mrkdwn with bold, code and links
 * styled, code blocks on grey, context lines small and grey.
 *
 * @example
 * writeFileSync('docs/images/slack-alert.svg', slackMessageSvg(message, 'logferry · #alerts'));
 */
export function slackMessageSvg(message: SlackMessage, caption: string): string {
  const body: string[] = [];
  let y = PAD + 44;
  for (const block of message.blocks as {
    type: string;
    text?: { text: string };
    elements?: { text: string }[];
  }[]) {
    if (block.type === 'header') {
      body.push(
        `<text x="${PAD}" y="${y}" font-size="17" font-weight="700">${xml(block.text!.text)}</text>`,
      );
      y += LINE + 10;
      continue;
    }
    const text =
      block.type === 'context' ? block.elements!.map((e) => e.text).join('  ') : block.text!.text;
    const pre = /^```([\s\S]*)```$/.exec(text);
    if (pre) {
      const lines = unescapeMrkdwn(pre[1]!)
        .split('\n')
        .flatMap((l) => l.match(new RegExp(`.{1,${CODE_CHARS}}`, 'g')) ?? ['']);
      const h = lines.length * 16 + 14;
      body.push(
        `<rect x="${PAD}" y="${y - 14}" width="${WIDTH - 2 * PAD}" height="${h}" rx="4" fill="#f8f8f8" stroke="#e1e1e1"/>`,
      );
      for (const l of lines) {
        body.push(
          `<text x="${PAD + 8}" y="${y + 2}" font-family="Menlo, Consolas, monospace" font-size="11.5">${xml(l)}</text>`,
        );
        y += 16;
      }
      y += 18;
      continue;
    }
    const small = block.type === 'context';
    for (const line of text.split('\n')) {
      for (const wrapped of wrap(spans(line))) {
        const attrs = small ? ' font-size="12" fill="#616061"' : '';
        body.push(`<text x="${PAD}" y="${y}"${attrs}>${tspans(wrapped)}</text>`);
        y += small ? 17 : LINE;
      }
    }
    y += 8;
  }
  const height = y + PAD - 8;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Lato, 'Helvetica Neue', Arial, sans-serif" font-size="13.5" fill="#1d1c1d" role="img">`,
    `<title>${xml(`${caption}: ${message.text}`)}</title>`,
    `<rect x="0.5" y="0.5" width="${WIDTH - 1}" height="${height - 1}" rx="8" fill="#ffffff" stroke="#dddddd"/>`,
    `<text x="${PAD}" y="${PAD + 12}" font-size="12" fill="#616061">${xml(caption)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

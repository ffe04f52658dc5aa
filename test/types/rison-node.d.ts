// rison-node ships no types; the tests only decode what Discover URLs carry.
declare module 'rison-node' {
  const rison: { decode(text: string): unknown; encode(value: unknown): string };
  export default rison;
}

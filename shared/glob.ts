// Glob matching for log group and stream names: `*` stays within a `/` segment, `**` crosses them.

const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (re) return re;
  let src = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        src += '.*';
        i++;
      } else src += '[^/]*';
    } else if (c === '?') src += '[^/]';
    else src += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  re = new RegExp(`^${src}$`);
  cache.set(glob, re);
  return re;
}

/** @example matchGlob('/ecs/**', '/ecs/web/nginx') // true */
export function matchGlob(glob: string, value: string): boolean {
  return globToRegExp(glob).test(value);
}

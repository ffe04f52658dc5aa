// esbuild plugins of the Lambda bundles (serverless.yml custom.esbuild.plugins; bench/bundles.ts loads
// them the same way). serverless-esbuild requires this file and wants the array as module.exports.
//
// opensearch-api-namespaces: the OpenSearch client requires every API namespace at load (ml,
// security, ltr, flow framework, … ~150 kB minified), where the functions call bulk, get and
// indices.* only. Namespaces not in KEPT_NAMESPACES are replaced in the bundle by a class whose
// constructor throws, naming the namespace and this file: accessing `client.ml` in a function fails
// loudly instead of shipping code nothing calls. Scripts and tests run from source, with the whole client.
//
// opensearch-json11: the client's Serializer requires json11 (~28 kB minified) for its long-numeral
// mode (`enableLongNumeralSupport`), which the functions never turn on; both calls sit in a try whose
// catch keeps the plain JSON result. In the bundles json11 is a stub that throws, so even with the
// option on, behaviour is the plain-JSON one, and ingestKinesis's zip stays under its 1 MB budget.
'use strict';

/** API namespaces the bundles keep, besides the core calls (bulk, get, index, search, …). */
const KEPT_NAMESPACES = ['indices', 'cluster', 'nodes'];

const STUB = 'logferry-opensearch-stub';

const opensearchApiNamespaces = {
  name: 'opensearch-api-namespaces',
  setup(build) {
    build.onResolve({ filter: /^\.\/\w+\/_api$/ }, (args) => {
      if (
        !args.importer
          .replace(/\\/g, '/')
          .endsWith('@opensearch-project/opensearch/api/OpenSearchApi.js')
      )
        return undefined;
      const namespace = args.path.split('/')[1];
      if (KEPT_NAMESPACES.includes(namespace)) return undefined;
      return { path: namespace, namespace: STUB };
    });
    build.onLoad({ filter: /.*/, namespace: STUB }, (args) => ({
      loader: 'js',
      contents: `module.exports = class {
  constructor() {
    throw new Error(${JSON.stringify(`the OpenSearch client's ${args.path} API is not in the Lambda bundle: add it to KEPT_NAMESPACES in scripts/esbuild-plugins.cjs`)});
  }
};`,
    }));
  },
};

const JSON11_STUB = 'logferry-json11-stub';

const opensearchJson11 = {
  name: 'opensearch-json11',
  setup(build) {
    build.onResolve({ filter: /^json11$/ }, (args) => {
      if (
        !args.importer
          .replace(/\\/g, '/')
          .endsWith('@opensearch-project/opensearch/lib/Serializer.js')
      )
        return undefined;
      return { path: 'json11', namespace: JSON11_STUB };
    });
    build.onLoad({ filter: /.*/, namespace: JSON11_STUB }, () => ({
      loader: 'js',
      contents: `const no = () => {
  throw new Error('json11 (long numerals) is not in the Lambda bundle: see scripts/esbuild-plugins.cjs');
};
module.exports = { parse: no, stringify: no };`,
    }));
  },
};

module.exports = [opensearchApiNamespaces, opensearchJson11];
module.exports.KEPT_NAMESPACES = KEPT_NAMESPACES;

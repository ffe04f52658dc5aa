// esbuild plugins of the Lambda bundles (serverless.yml custom.esbuild.plugins; bench/bundles.ts loads
// them the same way). serverless-esbuild requires this file and wants the array as module.exports.
//
// opensearch-api-namespaces: the OpenSearch client requires every API namespace at load (ml,
// security, ltr, flow framework, … ~150 kB minified), where the functions call bulk, get and
// indices.* only. Namespaces not in KEPT_NAMESPACES are replaced in the bundle by a class whose
// constructor throws, naming the namespace and this file: accessing `client.ml` in a function fails
// loudly instead of shipping code nothing calls. Scripts and tests run from source, with the whole client.
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

module.exports = [opensearchApiNamespaces];
module.exports.KEPT_NAMESPACES = KEPT_NAMESPACES;

// Worker entry of the Kusto language service (see vite.config.ts for how it is built). The
// globals module must be imported first: ES modules run their imports in order.
import './kustoWorkerGlobals';
import '@kusto/monaco-kusto/release/esm/kusto.worker';

// Monaco with the Kusto language, loaded on demand by QueryEditor (never part of the main
// bundle). Only the core editor and its standalone features are imported (no TypeScript, CSS,
// HTML or JSON languages). Two workers: the generic editor worker and the Kusto language
// service (Bridge.NET scripts, built as its own classic IIFE worker: see vite.config.ts).
import 'monaco-editor/esm/vs/editor/edcore.main';
import * as monaco from 'monaco-editor/esm/vs/editor/editor.api';
import { getKustoWorker, themeNames } from '@kusto/monaco-kusto/release/esm/monaco.contribution';
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker?worker';
import KustoWorker from './kusto.worker?worker';

interface WorkerFactory {
  getWorker(workerId: string, label: string): Worker;
}

(self as unknown as { MonacoEnvironment: WorkerFactory }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    return label === 'kusto' ? new KustoWorker() : new EditorWorker();
  },
};

export { monaco, getKustoWorker, themeNames };

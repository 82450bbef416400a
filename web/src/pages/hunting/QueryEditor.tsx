// The KQL editor: Monaco with the Kusto language service (highlighting, completion of our
// tables and columns, squiggles). The only component that touches Monaco, loaded lazily by the
// page; everything else on the page is testable without it.
import { useEffect, useRef, useState } from 'react';
import { getKustoWorker, monaco, themeNames } from './monacoSetup';
import { toKustoSchema } from './kustoSchema';
import type { HuntingSchema, QueryPosition } from './types';

export interface QueryEditorProps {
  value: string;
  onChange: (value: string) => void;
  onRun: () => void;
  // undefined while it loads; null when the server has none (then unknown names are not flagged)
  schema: HuntingSchema | null | undefined;
  // The server's error for the last run, drawn as a marker at line:col.
  serverError: (QueryPosition & { message: string }) | null;
}

const SERVER_MARKER_OWNER = 'vigil-server';
// Kusto diagnostics "name does not refer to any known column/table" (KS142, KS204).
const UNKNOWN_NAME_CODES = ['KS142', 'KS204'];
const KUSTO_MARKER_OWNER = 'kusto';

function prefersDark(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches;
}

export default function QueryEditor({ value, onChange, onRun, schema, serverError }: QueryEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const onRunRef = useRef(onRun);
  const onChangeRef = useRef(onChange);
  const [ready, setReady] = useState(false);
  const hideUnknownNames = useRef(false);
  onRunRef.current = onRun;
  onChangeRef.current = onChange;

  // Create the editor once.
  useEffect(() => {
    if (!host.current) return;
    const model = monaco.editor.createModel(value, 'kusto');
    const editor = monaco.editor.create(host.current, {
      model,
      theme: prefersDark() ? themeNames.dark : themeNames.light,
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 13,
      lineNumbers: 'on',
      scrollBeyondLastLine: false,
      wordWrap: 'on',
      fixedOverflowWidgets: true,
      suggest: { showStatusBar: false },
      ariaLabel: 'Query editor (KQL). Ctrl+Enter or Shift+Enter runs the query.',
      tabSize: 4,
    });
    editorRef.current = editor;
    const run = () => onRunRef.current();
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, run);
    editor.addCommand(monaco.KeyMod.Shift | monaco.KeyCode.Enter, run);
    const changes = model.onDidChangeContent(() => {
      monaco.editor.setModelMarkers(model, SERVER_MARKER_OWNER, []);
      onChangeRef.current(model.getValue());
    });
    const markers = monaco.editor.onDidChangeMarkers((uris) => {
      if (!hideUnknownNames.current || !uris.some((u) => u.toString() === model.uri.toString())) return;
      const current = monaco.editor.getModelMarkers({ owner: KUSTO_MARKER_OWNER, resource: model.uri });
      const kept = current.filter((m) => !UNKNOWN_NAME_CODES.includes(String(typeof m.code === 'object' ? m.code.value : m.code)));
      if (kept.length !== current.length) monaco.editor.setModelMarkers(model, KUSTO_MARKER_OWNER, kept);
    });
    const scheme = window.matchMedia?.('(prefers-color-scheme: dark)');
    const onScheme = () => monaco.editor.setTheme(prefersDark() ? themeNames.dark : themeNames.light);
    scheme?.addEventListener?.('change', onScheme);
    setReady(true);
    return () => {
      scheme?.removeEventListener?.('change', onScheme);
      changes.dispose();
      markers.dispose();
      editor.dispose();
      model.dispose();
      editorRef.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // A new value from outside (an opened saved query, an example): replace the text.
  useEffect(() => {
    const editor = editorRef.current;
    const model = editor?.getModel();
    if (!editor || !model || model.getValue() === value) return;
    editor.pushUndoStop();
    editor.executeEdits('vigil', [{ range: model.getFullModelRange(), text: value }]);
    editor.pushUndoStop();
    editor.setPosition(model.getPositionAt(value.length));
  }, [value, ready]);

  // Schema for completion: tables and columns of the hunting store.
  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (!ready || !model || schema === undefined) return;
    let cancelled = false;
    // Without our tables every table name would be an "unknown name" error: drop those.
    hideUnknownNames.current = schema === null;
    getKustoWorker()
      .then((accessor) => accessor(model.uri))
      .then((worker) => (cancelled ? undefined : worker.setSchema(toKustoSchema(schema))))
      .catch((e: unknown) => {
        // Completion without our tables is still an editor: say it in the console only.
        console.warn('Kusto schema not applied', e);
      });
    return () => {
      cancelled = true;
    };
  }, [schema, ready]);

  // The server's error as a marker.
  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (!model) return;
    if (!serverError) {
      monaco.editor.setModelMarkers(model, SERVER_MARKER_OWNER, []);
      return;
    }
    const line = Math.min(serverError.line, model.getLineCount());
    const column = Math.min(serverError.column, model.getLineMaxColumn(line));
    const word = model.getWordAtPosition({ lineNumber: line, column });
    const endColumn = word && word.startColumn === column ? word.endColumn : Math.min(column + 1, model.getLineMaxColumn(line));
    monaco.editor.setModelMarkers(model, SERVER_MARKER_OWNER, [
      {
        severity: monaco.MarkerSeverity.Error,
        message: serverError.message,
        startLineNumber: line,
        startColumn: column,
        endLineNumber: line,
        endColumn: endColumn > column ? endColumn : column + 1,
        source: 'Vigil',
      },
    ]);
    editorRef.current?.revealPositionInCenterIfOutsideViewport({ lineNumber: line, column });
  }, [serverError, ready]);

  return <div ref={host} className="hunt-editor-host" data-testid="query-editor" />;
}

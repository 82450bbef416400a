// Runs before the Kusto language service in its worker. The Bridge.NET scripts register their
// namespaces on `global` when they see a CommonJS `module` (as bundlers give them): make that
// name the worker's global scope, as it is under Node.
const scope = globalThis as unknown as { global?: unknown };
if (scope.global === undefined) scope.global = globalThis;
export {};

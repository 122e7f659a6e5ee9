/**
 * The name an operator knows a handler module by (the reference in the configuration: a shipped
 * name such as `accept-all`, or a module path), so that a log line or an error about a handler
 * can say which one. Handlers are plain objects; the name is kept beside them, not in them.
 */
const names = new WeakMap<object, string>();

/** Record the module name of `handler`. A handler loaded under two references keeps the first. */
export function nameHandler(handler: object, name: string): void {
  if (!names.has(handler)) names.set(handler, name);
}

/** The module name of `handler`, or a placeholder for a handler an embedder passed without one. */
export function handlerNameOf(handler: object): string {
  return names.get(handler) ?? '(unnamed handler)';
}

/** The module name of `handler` when it was loaded by name (what a durable registry can keep). */
export function registeredHandlerName(handler: object): string | undefined {
  return names.get(handler);
}

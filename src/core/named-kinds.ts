const KIND_VALUE = /\bkind["']?[ \t]*:[ \t]*["']?([A-Za-z]+)/g;

/**
 * Every kind a text names, at any depth, in YAML or JSON (`kind: VirtualService`, `"kind": "Gateway"`):
 * what a patch, a trigger's embedded resource or a replacement written as text could touch.
 */
export const namedKinds = (text: string): string[] => [...text.matchAll(KIND_VALUE)].map((match) => match[1]!);

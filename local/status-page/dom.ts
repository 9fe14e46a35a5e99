/// <reference lib="dom" />

/** A child `el` appends: a node, text, or nothing (null, undefined or false are skipped). */
export type Child = Node | string | null | undefined | false;

/** A new `tag` element with `attributes` set and `children` appended in order. */
export function el(tag: string, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

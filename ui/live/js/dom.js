// The one way the panel makes an element. Every text from the payload is set with textContent (or as an
// attribute value): nothing is ever parsed as HTML.

export function node(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined && text !== null) element.textContent = String(text);
  return element;
}

export const COLOURS = {
  background: "#adb5bd",
  top: "#1971c2",
  hardNo: "#c92a2a",
  disliked: "#d9480f",
  user: "#fcc419",
  ink: "#1f2430",
  muted: "#868e96",
  tau: "#495057",
  overlap: "#1971c2",
  rbo: "#0c8599",
};

/**
 * The awsQuery XML that STS answers with, byte-shaped like the real service's: a `<XResponse>` wrapping
 * `<XResult>` and `<ResponseMetadata>`, and `<ErrorResponse>` for errors.
 */

export const STS_XML_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

/** A tree of elements: a string is a text node; `undefined` members are left out. */
export type XmlValue = string | number | { readonly [element: string]: XmlValue | undefined };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`);
}

function renderElements(value: XmlValue, indent: string): string {
  if (typeof value === "string" || typeof value === "number") return escapeXml(String(value));
  let out = "";
  for (const [name, child] of Object.entries(value)) {
    if (child === undefined) continue;
    const inner = typeof child === "object" ? `\n${renderElements(child, `${indent}  `)}${indent}` : renderElements(child, indent);
    out += `${indent}<${name}>${inner}</${name}>\n`;
  }
  return out;
}

/** `<{action}Response><{action}Result>…</{action}Result><ResponseMetadata>…</ResponseMetadata></{action}Response>` */
export function renderResult(action: string, result: Record<string, XmlValue | undefined>, requestId: string): string {
  return (
    `<${action}Response xmlns="${STS_XML_NAMESPACE}">\n` +
    `  <${action}Result>\n${renderElements(result, "    ")}  </${action}Result>\n` +
    `  <ResponseMetadata>\n    <RequestId>${escapeXml(requestId)}</RequestId>\n  </ResponseMetadata>\n` +
    `</${action}Response>\n`
  );
}

/** The error document real STS sends; `Sender` for 4xx, `Receiver` for 5xx. */
export function renderError(status: number, code: string, message: string, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${STS_XML_NAMESPACE}">\n` +
    `  <Error>\n` +
    `    <Type>${status >= 500 ? "Receiver" : "Sender"}</Type>\n` +
    `    <Code>${escapeXml(code)}</Code>\n` +
    `    <Message>${escapeXml(message)}</Message>\n` +
    `  </Error>\n` +
    `  <RequestId>${escapeXml(requestId)}</RequestId>\n` +
    `</ErrorResponse>\n`
  );
}

/**
 * Reads the web identity token. Asynchronously, on every fetch: the kubelet rewrites the projected token
 * (atomically, through a symlink swap) well before it expires, so a cached copy goes stale.
 */
import { readFile } from "node:fs/promises";

/** Errors name the path and what to check; never the token. */
export class WebIdentityTokenFileError extends Error {
  override name = "WebIdentityTokenFileError";
  constructor(
    message: string,
    readonly path: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * The token in `path`, trimmed.
 *
 * @throws WebIdentityTokenFileError when the file is missing, unreadable or empty.
 *
 * @example
 * ```ts
 * const token = await readWebIdentityToken("/var/run/secrets/eks.amazonaws.com/serviceaccount/token");
 * ```
 */
export async function readWebIdentityToken(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what =
      code === "ENOENT"
        ? "does not exist"
        : code === "EACCES" || code === "EPERM"
          ? `cannot be read by this process (permission denied; uid ${process.getuid?.() ?? "?"})`
          : code === "EISDIR"
            ? "is a directory, not a file"
            : `cannot be read (${code ?? (error as Error).message})`;
    throw new WebIdentityTokenFileError(
      `The web identity token file ${path} ${what}. On EKS it is projected by the kubelet when the pod's ` +
        `service account is annotated with eks.amazonaws.com/role-arn; check the annotation, that the pod was ` +
        `restarted after it was added, and AWS_WEB_IDENTITY_TOKEN_FILE.`,
      path,
      code,
    );
  }
  const token = text.trim();
  if (token === "") {
    throw new WebIdentityTokenFileError(
      `The web identity token file ${path} is empty. The kubelet writes the token there; if the file was just ` +
        `created, it may not have been written yet. Check the projected service account token volume.`,
      path,
      "EMPTY",
    );
  }
  return token;
}

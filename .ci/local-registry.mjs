#!/usr/bin/env node
/**
 * A registry on loopback that serves one package from a tarball, as `npm publish` would have put it, and
 * sends every other request on to the real registry (302): enough for `npm install <name>` to install the
 * package the way a registry install does (npm treats a node whose `resolved` is a registry tarball URL as
 * a registry dependency: its `prepare` is not an install script there).
 *
 *   node .ci/local-registry.mjs <tarball> <manifest> [upstream]   → prints the registry URL, serves until killed
 *
 * <manifest>: the package.json the packument carries — `npm publish` re-reads the repository's after
 * packing, so it is the repository's, `prepare` included.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { URL } from "node:url";

const [tarballPath, manifestPath, upstream = "https://registry.npmjs.org"] = process.argv.slice(2);
if (!tarballPath || !manifestPath) {
  console.error("usage: node .ci/local-registry.mjs <tarball> <manifest> [upstream]");
  process.exit(2);
}
const tarball = readFileSync(tarballPath);
const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
const { name, version } = manifest;
const file = `${name}-${version}.tgz`;
// Published "a while ago", so that `npm install --before <date>` still sees it.
const published = "2020-01-01T00:00:00.000Z";

const server = createServer((request, response) => {
  const url = new URL(request.url ?? "/", "http://localhost");
  const path = decodeURIComponent(url.pathname);
  const base = `http://127.0.0.1:${server.address().port}`;
  if (path === `/${name}`) {
    const packument = {
      _id: name,
      name,
      "dist-tags": { latest: version },
      versions: {
        [version]: {
          ...manifest,
          _id: `${name}@${version}`,
          dist: {
            tarball: `${base}/${name}/-/${file}`,
            integrity: `sha512-${createHash("sha512").update(tarball).digest("base64")}`,
            shasum: createHash("sha1").update(tarball).digest("hex"),
          },
        },
      },
      time: { created: published, modified: published, [version]: published },
    };
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(packument));
  } else if (path === `/${name}/-/${file}`) {
    response.writeHead(200, { "content-type": "application/octet-stream", "content-length": tarball.length }).end(tarball);
  } else {
    response.writeHead(302, { location: `${upstream}${url.pathname}${url.search}` }).end();
  }
});
server.listen(0, "127.0.0.1", () => console.log(`http://127.0.0.1:${server.address().port}/`));

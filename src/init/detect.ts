import { UsageError } from "../errors.js";
import type { ProjectSnapshot } from "./project.js";

export type AppKind = "node" | "python" | "go" | "static";

/** How the generated workflow sets up, installs and tests the app. */
export interface CiPlan {
  /** actions/setup-node's version: always set up, the skiff CLI runs on Node. */
  node: string;
  python?: string;
  /** actions/setup-go reads the version from this file. */
  goVersionFile?: string;
  /** yarn and pnpm come through corepack. */
  corepack?: boolean;
  install?: string;
  test: { name: string; run: string };
}

export interface DetectedApp {
  kind: AppKind;
  app: string;
  start: string;
  /** Dependencies, skipped (the previous release's copied) while `cacheKey`'s files do not change. */
  install?: string;
  /** What the install fills, copied to the next release: the dependency cache (docs/cli.md). */
  cache?: string[];
  cacheKey?: string[];
  build: string | undefined;
  healthPath: string;
  /** Why each choice was made, written into skiff.yml as comments. */
  reasons: string[];
  ci: CiPlan;
}

const DEFAULT_NODE = "20";
const DEFAULT_PYTHON = "3.12";

/** Pure. What the project is and how to build, start and test it; a usage error when nothing fits. */
export function detectApp(project: ProjectSnapshot): DetectedApp {
  const found = detectNode(project) ?? detectPython(project) ?? detectGo(project) ?? detectStatic(project);
  if (!found) {
    throw new UsageError(
      "could not tell what kind of app this is (no package.json, requirements.txt, pyproject.toml, go.mod or index.html)",
      "write skiff.yml by hand: `app:` and `start:` are enough to begin (see docs/versions.md)",
    );
  }
  return found;
}

function has(project: ProjectSnapshot, path: string): boolean {
  return project.files.includes(path);
}

/** Pure. A name skiff.yml accepts: lowercase letters, digits and dashes, at most 40. */
export function appNameFrom(text: string): string {
  const name = text
    .replace(/^@[^/]+\//, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return name || "app";
}

/** `/health` or `/healthz` when a source file mentions it as a route, else `/`. */
function healthPathOf(project: ProjectSnapshot): string {
  const sources = Object.entries(project.text).filter(([path]) => /\.(js|mjs|cjs|ts|py|go)$/.test(path));
  for (const path of ["/health", "/healthz", "/up"]) {
    const quoted = new RegExp(`["'\`]${path}["'\`]`);
    if (sources.some(([, text]) => quoted.test(text))) return path;
  }
  return "/";
}

interface PackageJson {
  name?: string;
  main?: string;
  scripts?: Record<string, string>;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const NPM_DEFAULT_TEST = /no test specified/;
const STATIC_BUILDERS: Record<string, string> = {
  vite: "dist",
  "react-scripts": "build",
  "@angular/cli": "dist",
  parcel: "dist",
  astro: "dist",
  "@11ty/eleventy": "_site",
};

function detectNode(project: ProjectSnapshot): DetectedApp | undefined {
  const text = project.text["package.json"];
  if (text === undefined) return undefined;
  const pkg = parsePackageJson(text);
  const scripts = pkg.scripts ?? {};
  const pm = has(project, "pnpm-lock.yaml") ? "pnpm" : has(project, "yarn.lock") ? "yarn" : "npm";
  const install = {
    npm: has(project, "package-lock.json") ? "npm ci" : "npm install",
    yarn: "yarn install --frozen-lockfile",
    pnpm: "pnpm install --frozen-lockfile",
  }[pm];
  const node = nodeMajor(pkg.engines?.node);
  const reasons = [`package.json${pm === "npm" ? "" : ` with ${pm}`}`];
  if (pkg.engines?.node) reasons.push(`engines.node ${pkg.engines.node}: CI uses Node ${node}`);
  const test = scripts.test && !NPM_DEFAULT_TEST.test(scripts.test) ? `${pm} test` : undefined;
  const ci: CiPlan = {
    node,
    corepack: pm !== "npm",
    install,
    test: test
      ? { name: "Test", run: test }
      : { name: "Test (no test script in package.json)", run: `${pm} run --if-present build` },
  };
  // The build needs the dev dependencies; without one, production dependencies are enough.
  const deps = {
    install: scripts.build || pm !== "npm" ? install : `${install} --omit=dev`,
    cache: ["node_modules"],
    ...(lockfile(project, pm) ? { cacheKey: [lockfile(project, pm)!] } : {}),
  };
  const build = scripts.build ? `${pm} run build` : undefined;
  const start = nodeStart(project, pkg, pm, reasons);
  if (start)
    return {
      kind: "node",
      app: appNameFrom(pkg.name ?? project.dirName),
      start,
      ...deps,
      build,
      healthPath: healthPathOf(project),
      reasons,
      ci,
    };
  const outDir = staticOutDir(pkg);
  if (!scripts.build || !outDir) return undefined;
  reasons.push(`no server but a build script (${outDir.builder}): serve ${outDir.dir}/ as a static site`);
  return {
    kind: "static",
    app: appNameFrom(pkg.name ?? project.dirName),
    start: staticServer(outDir.dir),
    ...deps,
    build: `${pm} run build`,
    healthPath: "/",
    reasons,
    ci,
  };
}

function lockfile(project: ProjectSnapshot, pm: string): string | undefined {
  const file = { npm: "package-lock.json", yarn: "yarn.lock", pnpm: "pnpm-lock.yaml" }[pm];
  return file && has(project, file) ? file : undefined;
}

function parsePackageJson(text: string): PackageJson {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as PackageJson;
  } catch {
    // worded below
  }
  throw new UsageError("package.json is not a JSON object", "fix package.json, then run skiff init again");
}

function nodeStart(
  project: ProjectSnapshot,
  pkg: PackageJson,
  pm: string,
  reasons: string[],
): string | undefined {
  const script = pkg.scripts?.start;
  if (script) {
    // Run `node x.js` directly: one process fewer, and SIGTERM reaches the app itself.
    const direct = /^node\s+[^\s&|;<>]+$/.test(script.trim());
    reasons.push(direct ? `scripts.start is \`${script}\`: run it directly` : "scripts.start");
    return direct ? script.trim() : `${pm} start`;
  }
  const entry = [pkg.main, "server.js", "index.js", "app.js", "main.js", "server.mjs", "index.mjs"].find(
    (file) => file && has(project, file.replace(/^\.\//, "")),
  );
  if (!entry) return undefined;
  reasons.push(`no scripts.start: ${entry} is the entry point`);
  return `node ${entry}`;
}

function nodeMajor(range: string | undefined): string {
  const major = range ? /(\d+)/.exec(range)?.[1] : undefined;
  return major && Number(major) >= 18 ? major : DEFAULT_NODE;
}

function staticOutDir(pkg: PackageJson): { builder: string; dir: string } | undefined {
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  const builder = Object.keys(STATIC_BUILDERS).find((name) => name in deps);
  return builder ? { builder, dir: STATIC_BUILDERS[builder]! } : undefined;
}

/**
 * A static server that needs nothing installed beyond python3 (on every Debian/Ubuntu server) and works
 * offline. `start` runs through a shell, so $PORT is the instance's port.
 */
export function staticServer(dir: string): string {
  return `python3 -m http.server $PORT --bind 127.0.0.1 --directory ${dir}`;
}

const PY_MODULES = ["app", "main", "server", "wsgi", "asgi", "application"];

function detectPython(project: ProjectSnapshot): DetectedApp | undefined {
  const requirements = project.text["requirements.txt"];
  const pyproject = project.text["pyproject.toml"];
  if (requirements === undefined && pyproject === undefined) return undefined;
  const deps = `${requirements ?? ""}\n${pyproject ?? ""}`.toLowerCase();
  const uses = (name: string) => new RegExp(`(^|["'\\s])${name}([\\s\\[<>=~!;,"']|$)`, "m").test(deps);
  const source = requirements !== undefined ? "-r requirements.txt" : ".";
  const reasons = [requirements !== undefined ? "requirements.txt" : "pyproject.toml"];
  const server = pythonServer(project, uses, reasons);
  const extra = server.needs && !uses(server.needs) ? ` ${server.needs}` : "";
  const python = /requires-python\s*=\s*["'][^\d]*(3\.\d+)/.exec(pyproject ?? "")?.[1] ?? DEFAULT_PYTHON;
  const hasTests = uses("pytest") || project.files.some((f) => /(^|\/)(tests?\/|test_[^/]*\.py$)/.test(f));
  return {
    kind: "python",
    app: appNameFrom(/^name\s*=\s*["']([^"']+)/m.exec(pyproject ?? "")?.[1] ?? project.dirName),
    start: server.start,
    install: `python3 -m venv .venv && .venv/bin/pip install --quiet ${source}${extra}`,
    // A venv copied into the next release works when run as .venv/bin/python -m …: its scripts'
    // shebangs would still name the release it was installed in.
    ...(requirements !== undefined ? { cache: [".venv"], cacheKey: ["requirements.txt"] } : {}),
    build: undefined,
    healthPath: healthPathOf(project),
    reasons,
    ci: {
      node: DEFAULT_NODE,
      python,
      install: `pip install ${source}${hasTests && !uses("pytest") ? " pytest" : ""}`,
      test: hasTests
        ? { name: "Test", run: "python -m pytest" }
        : { name: "Test (no tests found: byte-compile only)", run: "python -m compileall -q ." },
    },
  };
}

function pythonServer(
  project: ProjectSnapshot,
  uses: (name: string) => boolean,
  reasons: string[],
): { start: string; needs?: string } {
  const bind = "--bind 127.0.0.1:$PORT";
  if (has(project, "manage.py")) {
    const wsgi = project.files.find((f) => /^[^/]+\/wsgi\.py$/.test(f));
    if (wsgi) {
      reasons.push(`Django (manage.py, ${wsgi}): gunicorn serves it`);
      return { start: `.venv/bin/python -m gunicorn ${wsgi.split("/")[0]}.wsgi ${bind}`, needs: "gunicorn" };
    }
  }
  const found = findAppObject(project, ["FastAPI", "Starlette", "Flask", "Quart"]);
  if (found && ["FastAPI", "Starlette", "Quart"].includes(found.framework)) {
    reasons.push(`${found.framework} app \`${found.target}\`: uvicorn serves it`);
    return {
      start: `.venv/bin/python -m uvicorn ${found.target} --host 127.0.0.1 --port $PORT`,
      needs: "uvicorn",
    };
  }
  if (found) {
    reasons.push(`Flask app \`${found.target}\`: gunicorn serves it`);
    return { start: `.venv/bin/python -m gunicorn ${found.target} ${bind}`, needs: "gunicorn" };
  }
  const module = PY_MODULES.find((name) => has(project, `${name}.py`)) ?? "app";
  if (uses("gunicorn")) reasons.push("gunicorn is a dependency, but no app object was found: check start");
  reasons.push(`${module}.py runs as a script: it must listen on $PORT`);
  return { start: `.venv/bin/python ${module}.py` };
}

/** `app = FastAPI()` in app.py → { target: "app:app" }. */
function findAppObject(project: ProjectSnapshot, frameworks: string[]) {
  for (const module of PY_MODULES) {
    const text = project.text[`${module}.py`];
    if (!text) continue;
    for (const framework of frameworks) {
      const match = new RegExp(`^(\\w+)\\s*=\\s*${framework}\\(`, "m").exec(text);
      if (match) return { framework, target: `${module}:${match[1]}` };
    }
  }
  return undefined;
}

function detectGo(project: ProjectSnapshot): DetectedApp | undefined {
  const mod = project.text["go.mod"];
  if (mod === undefined) return undefined;
  const path = /^module\s+(\S+)/m.exec(mod)?.[1] ?? project.dirName;
  const name = appNameFrom(path.split("/").pop() ?? project.dirName);
  const rootMain = Object.entries(project.text).some(
    ([f, text]) => /^[^/]+\.go$/.test(f) && /^package main\b/m.test(text),
  );
  const cmd = project.files.find((f) => /^cmd\/[^/]+\/main\.go$/.test(f));
  const pkg = rootMain || !cmd ? "." : `./${cmd.replace(/\/main\.go$/, "")}`;
  return {
    kind: "go",
    app: name,
    start: `./bin/${name}`,
    // Modules live in Go's own cache outside the release: nothing to copy, only a download to skip.
    ...(has(project, "go.sum") ? { install: "go mod download", cache: [], cacheKey: ["go.sum"] } : {}),
    build: `go build -o bin/${name} ${pkg}`,
    healthPath: healthPathOf(project),
    reasons: [`go.mod (module ${path}); main package ${pkg}`, "the binary must listen on $PORT"],
    ci: { node: DEFAULT_NODE, goVersionFile: "go.mod", test: { name: "Test", run: "go test ./..." } },
  };
}

const STATIC_DIRS = [".", "public", "site", "dist", "build", "_site", "www"];

function detectStatic(project: ProjectSnapshot): DetectedApp | undefined {
  const dir = STATIC_DIRS.find((d) => has(project, d === "." ? "index.html" : `${d}/index.html`));
  if (!dir) return undefined;
  const index = dir === "." ? "index.html" : `${dir}/index.html`;
  return {
    kind: "static",
    app: appNameFrom(project.dirName),
    start: staticServer(dir),
    build: undefined,
    healthPath: "/",
    reasons: [`${index}: a static site, served by Python's http.server (nothing to install)`],
    ci: { node: DEFAULT_NODE, test: { name: "Test (the site has its index page)", run: `test -f ${index}` } },
  };
}

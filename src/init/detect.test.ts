import { describe, expect, it } from "vitest";
import { appNameFrom, detectApp } from "./detect.js";
import type { ProjectSnapshot } from "./project.js";

function project(text: Record<string, string>, others: string[] = [], dirName = "my-app"): ProjectSnapshot {
  return { dirName, files: [...Object.keys(text), ...others].sort(), text };
}

const pkg = (value: object) => JSON.stringify(value);

describe("detectApp: Node", () => {
  it.each([
    {
      name: "a direct node start script and a lockfile",
      project: project({ "package.json": pkg({ name: "@me/Hello", scripts: { start: "node server.js" } }) }, [
        "package-lock.json",
      ]),
      expected: {
        kind: "node",
        app: "hello",
        start: "node server.js",
        install: "npm ci --omit=dev",
        cache: ["node_modules"],
        cacheKey: ["package-lock.json"],
        build: undefined,
      },
    },
    {
      name: "a start script that needs npm",
      project: project({
        "package.json": pkg({ scripts: { start: "NODE_ENV=production node dist/main.js", build: "tsc" } }),
      }),
      expected: { start: "npm start", install: "npm install", build: "npm run build", app: "my-app" },
    },
    {
      name: "yarn",
      project: project({ "package.json": pkg({ scripts: { start: "node index.js" } }) }, ["yarn.lock"]),
      expected: {
        install: "yarn install --frozen-lockfile",
        cacheKey: ["yarn.lock"],
        build: undefined,
        ci: { corepack: true, install: "yarn install --frozen-lockfile" },
      },
    },
    {
      name: "pnpm with a build",
      project: project({ "package.json": pkg({ scripts: { start: "next start", build: "next build" } }) }, [
        "pnpm-lock.yaml",
      ]),
      expected: { start: "pnpm start", install: "pnpm install --frozen-lockfile", build: "pnpm run build" },
    },
    {
      name: "no start script but a server.js",
      project: project({ "package.json": pkg({ name: "api" }), "server.js": "app.get('/health', ok)" }),
      expected: { start: "node server.js", healthPath: "/health" },
    },
    {
      name: "the main field",
      project: project({ "package.json": pkg({ main: "lib/run.js" }) }, ["lib/run.js"]),
      expected: { start: "node lib/run.js" },
    },
    {
      name: "a Vite site without a server",
      project: project(
        { "package.json": pkg({ scripts: { build: "vite build" }, devDependencies: { vite: "^5" } }) },
        ["package-lock.json", "index.html"],
      ),
      expected: {
        kind: "static",
        start: "python3 -m http.server $PORT --bind 127.0.0.1 --directory dist",
        install: "npm ci",
        build: "npm run build",
        healthPath: "/",
      },
    },
    {
      name: "engines and tests",
      project: project({
        "package.json": pkg({
          scripts: { start: "node a.js", test: "vitest run" },
          engines: { node: ">=22.1" },
        }),
      }),
      expected: { ci: { node: "22", test: { name: "Test", run: "npm test" } } },
    },
    {
      name: "npm's placeholder test script",
      project: project({
        "package.json": pkg({
          scripts: { start: "node a.js", test: 'echo "Error: no test specified" && exit 1' },
        }),
      }),
      expected: { ci: { node: "20", test: { run: "npm run --if-present build" } } },
    },
  ])("$name", ({ project, expected }) => {
    expect(detectApp(project)).toMatchObject(expected);
  });

  it("refuses a package.json that is not JSON, naming it", () => {
    expect(() => detectApp(project({ "package.json": "{ nope" }))).toThrow(
      /package.json is not a JSON object/,
    );
  });
});

describe("detectApp: Python", () => {
  it.each([
    {
      name: "Flask with gunicorn missing from requirements",
      project: project({
        "requirements.txt": "flask==3.0\n",
        "app.py": "from flask import Flask\napp = Flask(__name__)\n@app.get('/health')\n",
      }),
      expected: {
        kind: "python",
        start: ".venv/bin/python -m gunicorn app:app --bind 127.0.0.1:$PORT",
        install: "python3 -m venv .venv && .venv/bin/pip install --quiet -r requirements.txt gunicorn",
        cache: [".venv"],
        cacheKey: ["requirements.txt"],
        build: undefined,
        healthPath: "/health",
        ci: { python: "3.12", test: { run: "python -m compileall -q ." } },
      },
    },
    {
      name: "FastAPI from pyproject",
      project: project(
        {
          "pyproject.toml":
            '[project]\nname = "Shop_API"\nrequires-python = ">=3.11"\ndependencies = ["fastapi", "uvicorn[standard]>=0.30"]\n',
          "main.py": "from fastapi import FastAPI\napi = FastAPI()\n",
        },
        ["tests/test_api.py"],
      ),
      expected: {
        app: "shop-api",
        start: ".venv/bin/python -m uvicorn main:api --host 127.0.0.1 --port $PORT",
        install: "python3 -m venv .venv && .venv/bin/pip install --quiet .",
        ci: { python: "3.11", install: "pip install . pytest", test: { run: "python -m pytest" } },
      },
    },
    {
      name: "Django",
      project: project({
        "requirements.txt": "Django>=5\ngunicorn\npytest\n",
        "manage.py": "",
        "shop/wsgi.py": "application = x",
      }),
      expected: {
        start: ".venv/bin/python -m gunicorn shop.wsgi --bind 127.0.0.1:$PORT",
        install: "python3 -m venv .venv && .venv/bin/pip install --quiet -r requirements.txt",
        ci: { install: "pip install -r requirements.txt", test: { run: "python -m pytest" } },
      },
    },
    {
      name: "a plain script",
      project: project({
        "requirements.txt": "requests\n",
        "server.py": "import os\nPORT = os.environ['PORT']\n",
      }),
      expected: { start: ".venv/bin/python server.py", healthPath: "/" },
    },
  ])("$name", ({ project, expected }) => {
    expect(detectApp(project)).toMatchObject(expected);
  });
});

describe("detectApp: Go and static", () => {
  it.each([
    {
      name: "a Go module with main at the root",
      project: project({
        "go.mod": "module github.com/me/hello-svc\n\ngo 1.22\n",
        "main.go": 'package main\nfunc main() { http.HandleFunc("/healthz", h) }',
      }),
      expected: {
        kind: "go",
        app: "hello-svc",
        start: "./bin/hello-svc",
        build: "go build -o bin/hello-svc .",
        healthPath: "/healthz",
        ci: { goVersionFile: "go.mod", test: { run: "go test ./..." } },
      },
    },
    {
      name: "a Go module with cmd/",
      project: project({
        "go.mod": "module example.com/tool\n",
        "cmd/tool/main.go": "package main",
        "internal/x.go": "package x",
      }),
      expected: { build: "go build -o bin/tool ./cmd/tool" },
    },
    {
      name: "a Go module with dependencies",
      project: project({ "go.mod": "module example.com/api\n", "go.sum": "", "main.go": "package main" }),
      expected: { install: "go mod download", cache: [], cacheKey: ["go.sum"] },
    },
    {
      name: "a static site at the root",
      project: project({}, ["index.html", "style.css"], "Landing Page"),
      expected: {
        kind: "static",
        app: "landing-page",
        start: "python3 -m http.server $PORT --bind 127.0.0.1 --directory .",
        build: undefined,
        ci: { test: { run: "test -f index.html" } },
      },
    },
    {
      name: "a static site in public/",
      project: project({}, ["public/index.html", "README.md"]),
      expected: { start: "python3 -m http.server $PORT --bind 127.0.0.1 --directory public" },
    },
  ])("$name", ({ project, expected }) => {
    expect(detectApp(project)).toMatchObject(expected);
  });

  it("writes no install for a Go module without dependencies, nor a cache for pyproject.toml alone", () => {
    expect(detectApp(project({ "go.mod": "module a\n", "main.go": "package main" })).install).toBeUndefined();
    expect(detectApp(project({ "pyproject.toml": "[project]\n", "app.py": "" })).cache).toBeUndefined();
  });

  it("says what it looked for when nothing fits", () => {
    expect(() => detectApp(project({}, ["README.md"]))).toThrow(
      /no package.json, requirements.txt, pyproject.toml, go.mod or index.html/,
    );
  });
});

describe("appNameFrom", () => {
  it.each([
    ["@scope/My_App", "my-app"],
    ["Hello World!", "hello-world"],
    ["---", "app"],
    ["x".repeat(50), "x".repeat(40)],
  ])("%s → %s", (text, name) => expect(appNameFrom(text)).toBe(name));
});

// A small, dependency-free Chromium driver for the results page's browser tests.
//
// It serves a folder over http://127.0.0.1, starts headless Chromium with
// --remote-debugging-pipe (the DevTools protocol over fds 3 and 4: no websocket, no port),
// runs a plan of steps read as JSON on stdin, and prints one JSON report on stdout:
// each step's result, every request the page made (Network domain), every request the
// server got, console messages, exceptions and CSP violations. The Rust tests
// (tests/site_browser.rs) assert on that report.
//
// Steps: {op:"goto", path} · {op:"hash", value} · {op:"eval", expr} · {op:"axe"} ·
// {op:"tabwalk", max} · {op:"key", key, shift} · {op:"screenshot", file} · {op:"pdf", file}
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, normalize, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const plan = JSON.parse(readFileSync(0, "utf8"));
const chromium = process.env.KLUB_CHROMIUM || "/usr/bin/chromium";
const report = { results: [], requests: [], served: [], console: [], exceptions: [], csp: [] };

function fail(message) {
  report.error = String(message);
  // Exit only once stdout is flushed: a pipe takes 64 KiB at a time.
  process.stdout.write(JSON.stringify(report), () => process.exit(1));
}
const deadline = setTimeout(() => fail("timeout: the plan took over " + (plan.timeout_ms || 90000) + " ms"), plan.timeout_ms || 90000);

// ---- static server ---------------------------------------------------------------
const server = createServer((req, res) => {
  report.served.push(req.method + " " + req.url);
  const path = normalize(decodeURIComponent(req.url.split("?")[0].split("#")[0])).replace(/^(\.\.[/\\])+/, "");
  const file = join(plan.root, path.endsWith("/") ? path + "index.html" : path);
  try {
    if (!file.startsWith(plan.root) || !statSync(file).isFile()) throw new Error("no");
    res.writeHead(200, { "content-type": file.endsWith(".html") ? "text/html; charset=utf-8" : "application/octet-stream" });
    res.end(readFileSync(file));
  } catch {
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found");
  }
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const origin = "http://127.0.0.1:" + server.address().port + "/";
report.origin = origin;

// ---- Chromium over a pipe ----------------------------------------------------------
const profile = mkdtempSync(join(tmpdir(), "klub-chromium-"));
const chrome = spawn(chromium, [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
  "--remote-debugging-pipe", "--user-data-dir=" + profile, "about:blank",
], { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
let stderr = "";
chrome.stderr.on("data", (d) => { stderr += d; });
chrome.on("exit", (code) => { if (!finished) fail("chromium exited early (" + code + "): " + stderr.slice(-2000)); });
let finished = false;
const toChrome = chrome.stdio[3];
const fromChrome = chrome.stdio[4];

let nextId = 1;
const pending = new Map();
const listeners = [];
let buffer = Buffer.alloc(0);
fromChrome.on("data", (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  let end;
  while ((end = buffer.indexOf(0)) >= 0) {
    const msg = JSON.parse(buffer.subarray(0, end).toString("utf8"));
    buffer = buffer.subarray(end + 1);
    if (msg.id && pending.has(msg.id)) {
      const { resolve, reject, method } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(method + ": " + JSON.stringify(msg.error)));
      else resolve(msg.result);
    } else if (msg.method) {
      for (const l of listeners.slice()) l(msg);
    }
  }
});
function send(method, params = {}, sessionId) {
  const id = nextId++;
  const msg = { id, method, params };
  if (sessionId) msg.sessionId = sessionId;
  toChrome.write(JSON.stringify(msg) + "\0");
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject, method }));
}
function once(method, sessionId, timeoutMs = 20000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("waited too long for " + method)), timeoutMs);
    const l = (m) => {
      if (m.method === method && (!sessionId || m.sessionId === sessionId)) {
        listeners.splice(listeners.indexOf(l), 1);
        clearTimeout(t);
        resolve(m.params);
      }
    };
    listeners.push(l);
  });
}

try {
  const { targetId } = await send("Target.createTarget", { url: "about:blank" });
  const { sessionId: s } = await send("Target.attachToTarget", { targetId, flatten: true });
  listeners.push((m) => {
    if (m.sessionId !== s) return;
    if (m.method === "Network.requestWillBeSent") report.requests.push(m.params.request.url);
    if (m.method === "Runtime.consoleAPICalled") report.console.push(m.params.type + ": " + m.params.args.map((a) => a.value ?? a.description).join(" "));
    if (m.method === "Runtime.exceptionThrown") report.exceptions.push(m.params.exceptionDetails.exception?.description || m.params.exceptionDetails.text);
    if (m.method === "Log.entryAdded") report.console.push("log " + m.params.entry.source + " " + m.params.entry.level + ": " + m.params.entry.text);
  });
  await send("Page.enable", {}, s);
  await send("Runtime.enable", {}, s);
  await send("Network.enable", {}, s);
  await send("Log.enable", {}, s);
  await send("Emulation.setDeviceMetricsOverride", { width: plan.width || 1000, height: plan.height || 800, deviceScaleFactor: 1, mobile: false }, s);
  // Every CSP violation the page meets, from the page's own point of view.
  await send("Page.addScriptToEvaluateOnNewDocument", {
    source: "window.__csp=[];document.addEventListener('securitypolicyviolation',function(e){window.__csp.push(e.violatedDirective+' '+e.blockedURI)});",
  }, s);

  const evaluate = async (expr) => {
    const r = await send("Runtime.evaluate", { expression: expr, returnByValue: true, awaitPromise: true }, s);
    if (r.exceptionDetails) throw new Error("page threw: " + (r.exceptionDetails.exception?.description || r.exceptionDetails.text));
    return r.result.value;
  };
  const key = async (k, shift = false) => {
    const codes = { Tab: 9, Enter: 13, " ": 32 };
    const base = { key: k, code: k === " " ? "Space" : k, windowsVirtualKeyCode: codes[k], nativeVirtualKeyCode: codes[k] };
    const modifiers = shift ? 8 : 0;
    await send("Input.dispatchKeyEvent", { type: "keyDown", modifiers, ...base, text: k === "Enter" ? "\r" : k === " " ? " " : undefined }, s);
    await send("Input.dispatchKeyEvent", { type: "keyUp", modifiers, ...base }, s);
  };
  const describeActive = `(() => {
    const e = document.activeElement;
    if (!e || e === document.body || e === document.documentElement) return null;
    const cs = getComputedStyle(e);
    const r = e.getBoundingClientRect();
    return {
      tag: e.tagName.toLowerCase(), id: e.id, text: (e.textContent || "").trim().slice(0, 80),
      variant: e.getAttribute("data-variant"), href: e.getAttribute("href"),
      focusVisible: e.matches(":focus-visible"),
      outlineStyle: cs.outlineStyle, outlineWidth: parseFloat(cs.outlineWidth) || 0, outlineColor: cs.outlineColor,
      boxShadow: cs.boxShadow,
      rect: { x: r.x, y: r.y, w: r.width, h: r.height },
      inViewport: r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth,
      key: e.id || (e.tagName + ":" + (e.getAttribute("data-variant") || e.getAttribute("href") || e.textContent.trim().slice(0, 40)))
    };
  })()`;
  const focusable = `Array.from(document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])'))
    .filter(e => !e.disabled && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden")
    .map(e => e.id || (e.tagName + ":" + (e.getAttribute("data-variant") || e.getAttribute("href") || e.textContent.trim().slice(0, 40))))`;

  const collectCsp = async () => {
    const v = await evaluate("window.__csp || []").catch(() => []);
    report.csp.push(...v);
  };

  for (const step of plan.steps) {
    let result = null;
    switch (step.op) {
      case "goto": {
        await collectCsp();
        const blank = once("Page.loadEventFired", s);
        await send("Page.navigate", { url: "about:blank" }, s);
        await blank;
        const loaded = once("Page.loadEventFired", s);
        await send("Page.navigate", { url: origin + step.path }, s);
        await loaded;
        result = await evaluate("location.href");
        break;
      }
      case "hash":
        result = await evaluate(`new Promise(r => {
          const done = () => setTimeout(() => r(location.hash), 0);
          addEventListener("hashchange", done, { once: true });
          setTimeout(done, 1000);
          location.hash = ${JSON.stringify(step.value)};
        })`);
        break;
      case "eval":
        result = await evaluate(step.expr);
        break;
      case "axe": {
        const src = readFileSync(join(here, "node_modules", "axe-core", "axe.min.js"), "utf8");
        await evaluate(src + ";true");
        result = await evaluate(`axe.run(document, {
          runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"] },
          resultTypes: ["violations", "incomplete"]
        }).then(r => ({
          version: axe.version,
          violations: r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary) })),
          incomplete: r.incomplete.map(v => ({ id: v.id, nodes: v.nodes.length })),
          passes: r.passes.map(v => v.id)
        }))`);
        break;
      }
      case "tabwalk": {
        await evaluate("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); true");
        const stops = [];
        for (let i = 0; i < (step.max || 60); i++) {
          await key("Tab");
          const d = await evaluate(describeActive);
          if (d === null) {
            if (stops.length) break; // back to the page itself: the cycle is done
            continue;
          }
          if (stops.length && d.key === stops[0].key) break;
          stops.push(d);
        }
        result = { stops, focusable: await evaluate(focusable) };
        break;
      }
      case "key":
        await key(step.key, !!step.shift);
        await evaluate("new Promise(r => setTimeout(() => r(true), 50))");
        result = await evaluate(describeActive);
        break;
      case "screenshot": {
        const m = await send("Page.getLayoutMetrics", {}, s);
        const size = m.cssContentSize || m.contentSize;
        const shot = await send("Page.captureScreenshot", {
          format: "png", captureBeyondViewport: !step.viewport,
          clip: step.viewport ? undefined : { x: 0, y: 0, width: Math.ceil(size.width), height: Math.ceil(size.height), scale: 1 },
        }, s);
        writeFileSync(step.file, Buffer.from(shot.data, "base64"));
        result = step.file;
        break;
      }
      case "pdf": {
        const pdf = await send("Page.printToPDF", { paperWidth: 8.27, paperHeight: 11.69, preferCSSPageSize: true, printBackground: true }, s);
        writeFileSync(step.file, Buffer.from(pdf.data, "base64"));
        result = step.file;
        break;
      }
      default:
        throw new Error("unknown step " + step.op);
    }
    report.results.push(result);
  }
  await collectCsp();
  finished = true;
  const exited = new Promise((r) => { chrome.on("exit", r); setTimeout(r, 5000); });
  send("Browser.close").catch(() => {});
  await exited;
} catch (e) {
  finished = true;
  chrome.kill("SIGKILL");
  fail(e && e.stack ? e.stack : e);
} finally {
  clearTimeout(deadline);
  server.close();
  setTimeout(() => chrome.kill("SIGKILL"), 2000).unref();
  try { rmSync(profile, { recursive: true, force: true }); } catch { /* chromium may still hold it */ }
}
process.stdout.write(JSON.stringify(report), () => process.exit(0));

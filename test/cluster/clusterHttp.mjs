// JSON over HTTP(S) to the apiserver and the polling used while components start.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClusterError, PKI, secs } from './clusterBase.mjs';

export function fetchJson(url, { method = 'GET', token, body, ca, timeoutMs = 5000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    const u = new URL(url);
    const headers = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload) headers['content-type'] = 'application/json';
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(
      u,
      { method, headers, ca, timeout: timeoutMs },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          let json;
          try {
            json = JSON.parse(text);
          } catch {}
          resolvePromise({ status: res.statusCode ?? 0, text, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export function apiClient(state, token) {
  const ca = readFileSync(join(PKI, 'ca.crt'));
  const base = `https://127.0.0.1:${state.ports.apiserver}`;
  return (method, path, body) => fetchJson(base + path, { method, token, body, ca });
}

/** Polls probe() until it returns a truthy value; fails early when a component has exited. */
export async function waitUntil(what, probe, { timeoutMs, procs, component }) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    for (const [name, p] of Object.entries(procs)) {
      if (p.exited) throw new ClusterError(`${name} exited (${p.exited}) while waiting for ${what}`, name);
    }
    try {
      const result = await probe();
      if (result) return result;
    } catch (err) {
      last = err.message;
    }
    if (Date.now() > deadline) throw new ClusterError(`timed out after ${secs(timeoutMs)} waiting for ${what}${last ? ` (${last})` : ''}`, component);
    await sleep(200);
  }
}

#!/usr/bin/env node
// The reference simulator as a filter: one simulation per JSON line on stdin, one answer per
// line on stdout, in order: {"result": "Allowed"|"ExplicitlyDenied"|"ImplicitlyDenied"} or
// {"error": "..."}.
//
// @cloud-copilot/iam-simulate is AGPL-3.0: ciem only ever runs it as this separate process,
// from tests and benchmarks. Nothing here is linked into or shipped with ciem.
//
// Input lines use iam-simulate's own Simulation shape, with two conveniences shared with
// `ciem policy simulate --batch`: a policy may be given as a JSON string instead of an object,
// and the arrays iam-simulate requires may be omitted.
import { createInterface } from 'node:readline';
import { runSimulation } from '@cloud-copilot/iam-simulate';

// iam-simulate compares ARN characters with String.prototype.localeCompare(other, undefined,
// {sensitivity: 'accent'}), which builds a new Intl.Collator on every call and takes about a
// quarter of its time. ECMA-402 defines localeCompare with locales/options as comparing with
// a Collator made from them, so reusing one Collator per (locales, options) gives the same
// answers, faster.
const nativeLocaleCompare = String.prototype.localeCompare;
const collators = new Map();
String.prototype.localeCompare = function (that, locales, options) {
  if (locales === undefined && options === undefined) {
    return nativeLocaleCompare.call(this, that);
  }
  const key = JSON.stringify([locales ?? null, options ?? null]);
  let collator = collators.get(key);
  if (collator === undefined) {
    collator = new Intl.Collator(locales, options);
    collators.set(key, collator);
  }
  return collator.compare(String(this), String(that));
};

// Output is flushed once per input chunk (setImmediate runs after the lines already read are
// done), so a long-lived caller streaming cases sees answers promptly without a write per line.
let pending = [];
let flushScheduled = false;
function emit(obj) {
  pending.push(JSON.stringify(obj));
  if (pending.length >= 1024) {
    flush();
  } else if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}
function flush() {
  flushScheduled = false;
  if (pending.length === 0) return;
  const text = pending.join('\n') + '\n';
  pending = [];
  process.stdout.write(text);
}

function policyValue(where, p) {
  if (typeof p !== 'string') return p;
  try {
    return JSON.parse(p);
  } catch (e) {
    throw new Error(`${where}: policy string is not JSON: ${e.message}`);
  }
}

function namedPolicies(where, list) {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new Error(`${where}: want an array`);
  return list.map((np, i) => ({ ...np, policy: policyValue(`${where}[${i}]`, np?.policy) }));
}

function orgPolicies(where, list) {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new Error(`${where}: want an array`);
  return list.map((level, i) => ({
    ...level,
    policies: namedPolicies(`${where}[${i}].policies`, level?.policies)
  }));
}

function normalise(sim) {
  if (sim === null || typeof sim !== 'object' || Array.isArray(sim)) {
    throw new Error('case: want a JSON object');
  }
  if (sim.request === null || typeof sim.request !== 'object') {
    throw new Error('request: missing');
  }
  const out = {
    ...sim,
    identityPolicies: namedPolicies('identityPolicies', sim.identityPolicies),
    serviceControlPolicies: orgPolicies('serviceControlPolicies', sim.serviceControlPolicies),
    resourceControlPolicies: orgPolicies('resourceControlPolicies', sim.resourceControlPolicies),
    request: { contextVariables: {}, ...sim.request }
  };
  if (sim.permissionBoundaryPolicies !== undefined) {
    out.permissionBoundaryPolicies = namedPolicies('permissionBoundaryPolicies', sim.permissionBoundaryPolicies);
  }
  if (sim.resourcePolicy !== undefined) out.resourcePolicy = policyValue('resourcePolicy', sim.resourcePolicy);
  if (sim.sessionPolicy !== undefined) out.sessionPolicy = policyValue('sessionPolicy', sim.sessionPolicy);
  return out;
}

// errorText keeps the reference's message id first (e.g. "policy.errors",
// "no.resource.types") and appends the details it gives, compactly.
function errorText(errors) {
  if (!errors) return 'error';
  const { message, ...rest } = errors;
  return Object.keys(rest).length === 0 ? String(message) : `${message}: ${JSON.stringify(rest)}`;
}

async function simulateLine(line) {
  let sim;
  try {
    sim = normalise(JSON.parse(line));
  } catch (e) {
    return { error: `invalid case: ${e.message}` };
  }
  try {
    const res = await runSimulation(sim, {});
    switch (res.resultType) {
      case 'single':
        return { result: res.overallResult };
      case 'error':
        return { error: errorText(res.errors) };
      case 'wildcard':
        return {
          error: `wildcard: the resource is a pattern; the reference ran ${res.results.length} simulations (overall ${res.overallResult})`
        };
      default:
        return { error: `unknown resultType ${JSON.stringify(res.resultType)}` };
    }
  } catch (e) {
    return { error: `exception: ${e?.message ?? String(e)}` };
  }
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (line.trim() === '') continue;
  emit(await simulateLine(line));
}
flush();

// Differential test: the same connmanctl session against connmand 1.41 and against Switchyard, in
// identical labs, must print the same thing once per-run values (MAC, leased address, ...) are masked.
// The connmand run is also held against the committed reference in test/fixtures/connmand-1.41, so a
// drift in the lab or in the installed connmand shows up as its own failure, not as a Switchyard bug.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { DaemonKind, Lab, Step, fixtureSteps, lineDiff, maskSteps, runScenario } from '../harness';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;

function compare(expected: Step[], actual: Step[], labels: [string, string]): string[] {
  const problems: string[] = [];
  const names = [...new Set([...expected.map((s) => s.name), ...actual.map((s) => s.name)])];
  for (const name of names) {
    const e = expected.find((s) => s.name === name)?.output;
    const a = actual.find((s) => s.name === name)?.output;
    if (e === a) continue;
    problems.push(`## ${name}\n${lineDiff(e ?? '(step missing)', a ?? '(step missing)', labels)}`);
  }
  return problems;
}

async function scenarioIn(kind: DaemonKind): Promise<Step[]> {
  const lab = await Lab.create();
  try {
    await lab.startDaemon(kind);
    return maskSteps(await runScenario(lab), lab);
  } catch (err) {
    const log = lab.daemonLog().split('\n').slice(-40).join('\n');
    throw new Error(`${kind} scenario failed: ${(err as Error).message}\n--- ${kind} log (tail)\n${log}`);
  } finally {
    await lab.teardown();
  }
}

describe('connmanctl outputs: Switchyard vs connmand 1.41', { skip }, () => {
  let reference: Step[] | undefined;
  let referenceError: Error | undefined;

  before(async () => {
    try {
      reference = await scenarioIn('connmand');
    } catch (err) {
      referenceError = err as Error;
    }
  });

  it('connmand 1.41 in the lab still prints the committed reference', () => {
    if (referenceError) throw referenceError;
    // The fixtures hold connmanctl outputs only; the wait steps are this test's own bookkeeping.
    const outputs = reference!.filter((s) => s.name.startsWith('connmanctl-'));
    const problems = compare(fixtureSteps(), outputs, ['fixture', 'connmand now']);
    assert.equal(problems.length, 0, `connmand differs from test/fixtures/connmand-1.41:\n${problems.join('\n\n')}`);
  });

  it('Switchyard prints what connmand prints', async () => {
    if (referenceError) throw new Error(`no connmand reference run: ${referenceError.message}`);
    const actual = await scenarioIn('switchyard');
    const problems = compare(reference!, actual, ['connmand 1.41', 'switchyard']);
    assert.equal(problems.length, 0, `Switchyard differs from connmand 1.41:\n${problems.join('\n\n')}`);
  });
});

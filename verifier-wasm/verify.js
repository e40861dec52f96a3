#!/usr/bin/env node
// `node verify.js bundle.bin`: the sluice-verify command (bin/sluice-verify.mjs)
// from a checkout, where the documented command has always been verify.js.
'use strict';

import('./bin/sluice-verify.mjs').then((cli) => cli.main(process.argv.slice(2)));

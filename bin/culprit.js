#!/usr/bin/env node
// Entry point of the `culprit` command: hands argv to the compiled CLI.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));

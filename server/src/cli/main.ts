#!/usr/bin/env node
// Entry point of the CLI bundle (dist/cli.js).
export {};
console.log('pipeline-rbac');

// Preloaded into a benchmarked child process (`node --require bench/rusage.cjs ...`): prints its CPU time and peak
// memory to stderr when it exits, however it exits.
process.on('exit', () => {
  const cpu = process.cpuUsage();
  const usage = process.resourceUsage();
  require('node:fs').writeSync(2, `\nRUSAGE ${JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: usage.maxRSS / 1024 })}\n`);
});

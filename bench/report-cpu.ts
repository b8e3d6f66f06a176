// Preloaded into a measured child process (NODE_OPTIONS=--import=bench/report-cpu.ts): prints
// the CPU time the process used (user + system), on exit, for bench/cli.ts.
process.on('exit', () => {
  const used = process.cpuUsage();
  process.stderr.write(`CPU-MS ${(used.user + used.system) / 1000}\n`);
});

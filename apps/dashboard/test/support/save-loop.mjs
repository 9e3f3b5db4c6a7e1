// Child process for the crash test: saves two large configs in turn, forever, through the
// real ConfigSaver (compiled), and prints a line after each save. The parent kills it with
// SIGKILL at a random moment.
const [saveModule, dir, firstFile, secondFile] = process.argv.slice(2);
const { readFile } = await import('node:fs/promises');
const { ConfigSaver } = await import(saveModule);
const versions = [await readFile(firstFile, 'utf8'), await readFile(secondFile, 'utf8')];
const saver = new ConfigSaver(dir, { maxBytes: 64 * 1024 * 1024, keepBackups: 2 });
for (let round = 0; ; round += 1) {
  const result = await saver.save(versions[round % 2]);
  if (!result.ok) throw new Error(result.reason);
  process.stdout.write(`saved ${round}\n`);
}

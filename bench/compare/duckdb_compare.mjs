// Loads the CSV that vigil_ingest_bench wrote into DuckDB (1 and 2 threads) and writes it as
// Parquet with zstd, printing rows/s and Parquet bytes per row, for docs/BENCHMARKS.md.
// Usage: node duckdb_compare.mjs /tmp/vigil-bench/process_events.csv
import { DuckDBInstance } from '@duckdb/node-api';
import { statSync, rmSync } from 'node:fs';

const csv = process.argv[2];
if (!csv) {
  console.error('usage: node duckdb_compare.mjs FILE.csv');
  process.exit(1);
}
const columns = `{'Timestamp':'TIMESTAMP','DeviceId':'VARCHAR','DeviceName':'VARCHAR',
  'ActionType':'VARCHAR','FileName':'VARCHAR','FolderPath':'VARCHAR','SHA256':'VARCHAR',
  'ProcessId':'BIGINT','ProcessCommandLine':'VARCHAR','AccountName':'VARCHAR',
  'InitiatingProcessFileName':'VARCHAR'}`;

for (const threads of [1, 2]) {
  const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const con = await db.connect();
  const start = process.hrtime.bigint();
  await con.run(`CREATE TABLE t AS SELECT * FROM read_csv('${csv}', header=true, columns=${columns})`);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rows = Number((await con.runAndReadAll('SELECT count(*) FROM t')).getRows()[0][0]);
  console.log(`duckdb ${threads} thread(s): ${rows} rows in ${seconds.toFixed(3)} s = ${(rows / seconds).toFixed(0)} rows/s`);
  if (threads === 1) {
    const out = csv.replace(/\.csv$/, '') + '.zstd.parquet';
    rmSync(out, { force: true });
    await con.run(`COPY t TO '${out}' (FORMAT parquet, COMPRESSION zstd)`);
    const bytes = statSync(out).size;
    console.log(`parquet+zstd: ${bytes} bytes = ${(bytes / rows).toFixed(1)} bytes/row`);
  }
}

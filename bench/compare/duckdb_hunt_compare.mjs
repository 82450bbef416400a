// The hunting benchmark's nine queries (issue #3) in DuckDB SQL over the rows vigil_hunt_bench
// generated (WORK/process_events.csv + indicators.csv, loaded once into WORK/hunt.duckdb), run
// with 1 thread and with DuckDB's default thread count; median of warm runs. When
// WORK/vigil_results.json exists, prints Vigil beside DuckDB and checks the results agree.
// Usage: node duckdb_hunt_compare.mjs WORK [--runs 5] [--only Q1,Q2,...]
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const work = process.argv[2];
if (!work || !existsSync(join(work, 'meta.txt'))) {
  console.error('usage: node duckdb_hunt_compare.mjs WORK [--runs N] [--only Q1,T2]  (WORK from vigil_hunt_bench)');
  process.exit(1);
}
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? process.argv[onlyArg + 1].split(',') : null;

const meta = Object.fromEntries(
  readFileSync(join(work, 'meta.txt'), 'utf8').trim().split('\n').map((line) => {
    const space = line.indexOf(' ');
    return [line.slice(0, space), line.slice(space + 1)];
  }));
const now = meta.now.replace('T', ' ').replace('Z', '');  // 2026-11-01 00:00:00
const device = meta.device;

// KQL -> SQL: `=~`/`in~` compare lower-cased; `contains` is case-insensitive (ILIKE); `has` is a
// whole-term match (RE2 word boundaries, case-insensitive); dcount is approximate (HLL), as
// approx_count_distinct; arg_max(Timestamp, *) keeps the whole row (the row struct).
const queries = [
  { id: 'Q1', check: 'count', sql: `SELECT count(*) FROM events WHERE Timestamp > TIMESTAMP '${now}' - INTERVAL 7 DAY
      AND lower(FileName) = 'powershell.exe' AND ProcessCommandLine ILIKE '%-enc%'` },
  { id: 'Q2', check: 'sorted', column: 'count_', sql: `SELECT DeviceName, count(*) AS count_ FROM events
      WHERE lower(FileName) IN ('cmd.exe', 'powershell.exe') GROUP BY DeviceName ORDER BY count_ DESC LIMIT 10` },
  { id: 'Q3', check: 'rowsum', column: 'dcount_DeviceId', sql: `SELECT FileName,
      approx_count_distinct(DeviceId) AS dcount_DeviceId FROM events GROUP BY FileName` },
  { id: 'Q3x', check: 'rowsum', column: 'dcount_DeviceId', sql: `SELECT FileName,
      count(DISTINCT DeviceId) AS dcount_DeviceId FROM events GROUP BY FileName` },
  { id: 'Q4', check: 'count', sql: `SELECT count(*) FROM events WHERE ProcessCommandLine ILIKE '%mimikatz%'` },
  { id: 'Q5', check: 'count', sql: `SELECT count(*) FROM events e JOIN indicators i ON e.SHA256 = i.Sha256` },
  { id: 'Q6', check: 'rowsum', column: 'count_', sql: `SELECT time_bucket(INTERVAL 1 HOUR, Timestamp) AS Timestamp,
      count(*) AS count_ FROM events WHERE DeviceName = '${device}' GROUP BY 1` },
  { id: 'Q7', check: 'count', sql: `SELECT count(r) FROM (SELECT DeviceId, arg_max(events, Timestamp) AS r
      FROM events GROUP BY DeviceId)` },
  { id: 'T1', check: 'count', sql: `SELECT count(*) FROM events
      WHERE regexp_matches(ProcessCommandLine, '\\bmimikatz\\b', 'i')` },
  { id: 'T2', check: 'count', sql: `SELECT count(*) FROM events
      WHERE regexp_matches(ProcessCommandLine, '\\b(mimikatz|sekurlsa)\\b', 'i')` },
];

function checkOf(q, reader) {
  const rows = reader.getRowObjects();
  if (q.check === 'count') {
    return String(Object.values(rows[0])[0]);
  }
  const values = rows.map((r) => Number(r[q.column]));
  if (q.check === 'sorted') {
    return values.sort((a, b) => b - a).join(',');
  }
  return `rows=${rows.length} sum=${values.reduce((a, b) => a + b, 0)}`;
}

const dbFile = join(work, 'hunt.duckdb');
const csv = join(work, 'process_events.csv');
const fresh = existsSync(dbFile) && statSync(dbFile).mtimeMs > statSync(join(work, 'meta.txt')).mtimeMs;
const db = await DuckDBInstance.create(dbFile);
const con = await db.connect();
if (!fresh) {
  const columns = `{'Timestamp':'TIMESTAMP','DeviceId':'VARCHAR','DeviceName':'VARCHAR',
    'ActionType':'VARCHAR','FileName':'VARCHAR','FolderPath':'VARCHAR','SHA256':'VARCHAR',
    'ProcessId':'BIGINT','ProcessCommandLine':'VARCHAR','AccountName':'VARCHAR',
    'InitiatingProcessFileName':'VARCHAR'}`;
  const start = process.hrtime.bigint();
  await con.run('DROP TABLE IF EXISTS events; DROP TABLE IF EXISTS indicators');
  await con.run(`CREATE TABLE events AS SELECT * FROM read_csv('${csv}', header=true, columns=${columns})`);
  await con.run(`CREATE TABLE indicators AS SELECT * FROM read_csv('${join(work, 'indicators.csv')}',
    header=true, columns={'Sha256':'VARCHAR'})`);
  await con.run('CHECKPOINT');
  console.log(`loaded ${csv} into ${dbFile} in ${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(1)} s`);
}
const count = Number((await con.runAndReadAll('SELECT count(*) FROM events')).getRows()[0][0]);
const defaultThreads = (await con.runAndReadAll("SELECT current_setting('threads')")).getRows()[0][0];
console.log(`duckdb ${count} rows; default threads ${defaultThreads}; ${runs} warm runs per query (median)`);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (const threads of [1, 'default']) {
  await con.run(threads === 1 ? 'SET threads = 1' : 'RESET threads');
  for (const q of queries) {
    if (only && !only.includes(q.id) && !(q.id === 'Q3x' && only.includes('Q3'))) continue;
    const load = loadavg().map((x) => x.toFixed(2)).join(' ');
    let check = '';
    const times = [];
    for (let r = 0; r <= runs; ++r) {  // run 0 warms up
      const start = process.hrtime.bigint();
      const reader = await con.runAndReadAll(q.sql);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      check = checkOf(q, reader);
      if (r > 0) times.push(ms);
    }
    const entry = (results[q.id] ??= { id: q.id, check });
    entry[threads === 1 ? 'ms_1t' : 'ms_default'] = median(times);
    entry[threads === 1 ? 'load_1t' : 'load_default'] = load;
    console.log(`duckdb ${threads === 1 ? '1 thread ' : `${defaultThreads} threads`} ${q.id.padEnd(4)}` +
      ` ${median(times).toFixed(1).padStart(9)} ms  [load ${load}]  ${check}`);
  }
}
console.log(`duckdb process peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (includes loading)`);
writeFileSync(join(work, 'duckdb_results.json'), JSON.stringify({ rows: count, threads: String(defaultThreads),
  queries: Object.values(results) }, null, 1));

const vigilFile = join(work, 'vigil_results.json');
if (existsSync(vigilFile)) {
  const vigil = JSON.parse(readFileSync(vigilFile, 'utf8'));
  if (vigil.rows !== count) {
    console.log(`note: vigil_results.json is for ${vigil.rows} rows, DuckDB has ${count}`);
  }
  // dcount (HLL beyond a size) is held to DuckDB's exact count(DISTINCT) (Q3x) within 2 %;
  // everything else must agree exactly.
  const agree = (id, a, b) => {
    if (id === 'Q3' && results.Q3x) b = results.Q3x.check;
    if (a === b) return 'yes';
    if (id === 'Q3') {
      const [ra, sa] = a.match(/\d+/g).map(Number);
      const [rb, sb] = b.match(/\d+/g).map(Number);
      if (ra === rb && Math.abs(sa - sb) <= 0.02 * sb) return `approx (${((sa / sb - 1) * 100).toFixed(2)} %)`;
    }
    return 'NO';
  };
  console.log(`\n| query | Vigil ms | DuckDB 1 thread ms | DuckDB ${defaultThreads} threads ms | Vigil / DuckDB 1t | Vigil / DuckDB ${defaultThreads}t | Vigil peak RSS | Vigil result | DuckDB result | agree |`);
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const v of vigil.queries) {
    const d = results[v.id];
    if (!d) continue;
    if (v.error) {
      console.log(`| ${v.id} | error: ${v.error} | ${d.ms_1t.toFixed(1)} | ${d.ms_default.toFixed(1)} | | | | | ${d.check} | |`);
      continue;
    }
    console.log(`| ${v.id} | ${v.median_ms.toFixed(1)} | ${d.ms_1t.toFixed(1)} | ${d.ms_default.toFixed(1)} | ` +
      `${(v.median_ms / d.ms_1t).toFixed(2)} | ${(v.median_ms / d.ms_default).toFixed(2)} | ` +
      `${Math.round(v.max_rss_kb / 1024)} MB | ${v.check} | ${v.id === 'Q3' && results.Q3x ? results.Q3x.check + ' (exact)' : d.check} | ${agree(v.id, v.check, d.check)} |`);
  }
}

import { runEnding } from './dist/bench/run-endings.js';
for (const ending of process.argv.slice(2)) {
  const t = Date.now();
  const r = await runEnding({ ending });
  console.log(ending, r.code, r.signal, r.endedAfterMs, JSON.stringify(r.leftovers), r.reportDirs.length, Date.now()-t, r.stderr.split('\n').filter(l=>l.startsWith('error')).join('|').slice(0,300));
  await r.remove();
}

/*
 * Loaded into the api with `node --import ./bench/cpu-profile-hook.mjs` (bench:api does it with
 * BENCH_PROFILE=dir): SIGWINCH starts V8's sampling profiler, the next SIGWINCH stops it and writes
 * <dir>/<role>-<pid>-<n>.cpuprofile (role: BENCH_PROFILE_ROLE, default api) (the format of `node --cpu-prof`, readable by Chrome DevTools and
 * bench/profile-summary.ts). `--cpu-prof` itself writes nothing here: the api stops on SIGTERM, which
 * Nest re-raises instead of exiting normally. So the bench profiles exactly the run it measures. Not
 * SIGUSR2: Nest's shutdown hooks stop the app on it.
 */
import { Session } from 'node:inspector';
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const dir = process.env.BENCH_PROFILE_DIR;
const role = process.env.BENCH_PROFILE_ROLE ?? 'api';
if (dir) {
  const session = new Session();
  session.connect();
  let running = false;
  let count = 0;
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
  process.on('SIGWINCH', () => {
    if (!running) {
      running = true;
      void post('Profiler.enable').then(() => post('Profiler.setSamplingInterval', { interval: 500 })).then(() => post('Profiler.start'));
      return;
    }
    running = false;
    void post('Profiler.stop').then(({ profile }) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${role}-${process.pid}-${++count}.cpuprofile`), JSON.stringify(profile));
    });
  });
}

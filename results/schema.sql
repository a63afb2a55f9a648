-- hcsim results schema, version 6 (version 5 lacked series.retries, version 4 also
-- failed_pool_timeout, failed_db_down and the db_ columns, version 3 also failed_no_primary,
-- version 2 also failed_refused and replicas_unready; hcsim reads all five). The single source of truth: hcsim embeds this file, and
-- docs/results-schema.md explains every table and column.
-- Times: t_ns is simulated time in integer nanoseconds from the start of the run; each series
-- row describes the bucket [t_ns, t_ns + dt_s).

CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS runs (
  run_id         INTEGER PRIMARY KEY,
  scenario_name  TEXT NOT NULL,
  scenario_file  TEXT,
  scenario_yaml  TEXT NOT NULL,          -- the scenario text as read
  overrides      TEXT NOT NULL,          -- JSON array of the --set arguments applied
  seed           INTEGER NOT NULL,       -- the run's seed (as a signed 64-bit pattern)
  config_id      INTEGER,                -- sweeps: the configuration index
  config_label   TEXT,                   -- sweeps: "key=value, ..." of the configuration
  replication    INTEGER,                -- sweeps: the replication index
  hcsim_version  TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'failed')),
  horizon_ns     INTEGER NOT NULL,       -- scenario duration
  bucket_ns      INTEGER NOT NULL,
  warmup_ns      INTEGER NOT NULL,
  apdex_t_ns     INTEGER NOT NULL,
  sim_end_ns     INTEGER,                -- simulated time reached (< horizon if interrupted)
  events         INTEGER,                -- kernel events executed
  fingerprint    TEXT,                   -- hash over the executed event sequence (hex)
  expect_passed  INTEGER,                -- 1 / 0; NULL when the scenario has no expect:
  summary_json   TEXT,                   -- what --summary-json writes
  message        TEXT,                   -- why a run failed or was interrupted
  started_at     TEXT,                   -- wall clock (UTC, ISO 8601): metadata, not a result
  finished_at    TEXT,
  wall_seconds   REAL
);

-- The things series rows describe: one 'overall' entity named 'all', and one per site.
CREATE TABLE IF NOT EXISTS entities (
  run_id     INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  entity_id  INTEGER NOT NULL,
  name       TEXT NOT NULL,
  kind       TEXT NOT NULL,              -- 'overall' | 'site'
  PRIMARY KEY (run_id, entity_id),
  UNIQUE (run_id, name)
);

-- One row per entity per metrics bucket. Counts are per bucket; NULL means "no data" (e.g. a
-- response-time percentile in a bucket without completions).
CREATE TABLE IF NOT EXISTS series (
  run_id              INTEGER NOT NULL,
  entity_id           INTEGER NOT NULL,
  t_ns                INTEGER NOT NULL,  -- bucket start
  dt_s                REAL NOT NULL,     -- bucket length (the last one may be shorter)
  arrivals            INTEGER,           -- requests sent (request velocity)
  completions         INTEGER,           -- responses received (TPS x dt_s)
  failed              INTEGER,           -- failed requests, all causes
  failed_rejected     INTEGER,           -- queue full (503)
  failed_timeout      INTEGER,           -- client timeout
  failed_site_down    INTEGER,           -- sent to a site that was down
  failed_unreachable  INTEGER,           -- sent to a site that could not be reached
  failed_no_site      INTEGER,           -- no site to send to
  failed_unavailable  INTEGER,           -- site had no ready pod
  failed_aborted      INTEGER,           -- in progress when its pod was killed
  failed_refused      INTEGER,           -- sent to a pod that was not listening (shutting down, restarting)
  failed_no_primary   INTEGER,           -- a write while no database primary could take it
  failed_pool_timeout INTEGER,           -- waited longer than its pod's pool timeout for a database connection
  failed_db_down      INTEGER,           -- a read whose database was down (the site hosting it had failed)
  rt_mean_s           REAL,              -- client-observed response time of completions
  rt_p50_s            REAL,
  rt_p95_s            REAL,
  rt_p99_s            REAL,
  rt_max_s            REAL,              -- upper edge of the highest histogram bin
  apdex               REAL,              -- failures count as frustrated
  apdex_satisfied     INTEGER,
  apdex_tolerating    INTEGER,
  active_users        REAL,              -- closed-loop traffic: users logged in
  inflight            INTEGER,           -- requests in the site(s) at the bucket end
  inflight_avg        REAL,              -- time-average of inflight over the bucket
  cpu_util            REAL,              -- CPU used / CPU of ready pods, over the bucket
  replicas_desired    INTEGER,
  replicas_ready      INTEGER,
  replicas_starting   INTEGER,           -- scheduled, pulling, starting, booting, or restarting
  replicas_unready    INTEGER,           -- running, failing the readiness probe: out of the endpoints
  replicas_pending    INTEGER,
  nodes               INTEGER,
  share               REAL,              -- this entity's fraction of all arrivals
  dns_stale           INTEGER,           -- arrivals routed by a DNS answer older than the GSLB's last change
  retries             INTEGER,           -- arrivals that were a user's retry of a failed attempt
  pod_seconds         REAL,              -- pod-seconds of running pods in the bucket
  cost                REAL,              -- cumulative cost at the bucket end
  db_util             REAL,              -- the site's database: busy cores / cores over the bucket (sites only)
  db_connections      INTEGER,           -- database connections held by the entity's requests at the bucket end
  db_waiting          INTEGER,           -- requests waiting for a pool connection at the bucket end
  db_query_s          REAL,              -- mean time of the bucket's queries: connection acquired to result back
  PRIMARY KEY (run_id, entity_id, t_ns)
) WITHOUT ROWID;

-- T-map: response-time histogram per entity per bucket (only buckets with completions).
-- counts holds little-endian uint32 counts for bins first_bin, first_bin+1, ...; bins outside
-- are zero. Bin edges are in rt_hist_bins.
CREATE TABLE IF NOT EXISTS rt_hist (
  run_id     INTEGER NOT NULL,
  entity_id  INTEGER NOT NULL,
  t_ns       INTEGER NOT NULL,
  first_bin  INTEGER NOT NULL,
  counts     BLOB NOT NULL,
  PRIMARY KEY (run_id, entity_id, t_ns)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS rt_hist_bins (
  bin   INTEGER PRIMARY KEY,
  lo_s  REAL NOT NULL,
  hi_s  REAL                             -- NULL: unbounded
);

-- The event log: control-plane happenings (scale decisions, health changes, outages, rollouts).
CREATE TABLE IF NOT EXISTS events (
  run_id     INTEGER NOT NULL,
  seq        INTEGER NOT NULL,           -- order of emission
  t_ns       INTEGER NOT NULL,
  component  TEXT NOT NULL,              -- e.g. 'site/public', 'hpa/public', 'gslb'
  kind       TEXT NOT NULL,              -- e.g. 'scale', 'health', 'outage'
  message    TEXT NOT NULL,
  details    TEXT,                       -- JSON object, or NULL
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

-- Low-rate named values of components (e.g. the metric an autoscaler observed).
CREATE TABLE IF NOT EXISTS samples (
  run_id     INTEGER NOT NULL,
  component  TEXT NOT NULL,
  name       TEXT NOT NULL,
  t_ns       INTEGER NOT NULL,
  value      REAL
);
CREATE INDEX IF NOT EXISTS samples_by_name ON samples (run_id, component, name, t_ns);

-- Timestamped captions from the scenario's narration: list.
CREATE TABLE IF NOT EXISTS narration (
  run_id  INTEGER NOT NULL,
  t_ns    INTEGER NOT NULL,
  text    TEXT NOT NULL
);

-- Convenience: series with entity names and seconds.
CREATE VIEW IF NOT EXISTS series_named AS
  SELECT s.run_id, e.name AS entity, e.kind, s.t_ns * 1e-9 AS t_s, s.*
  FROM series s JOIN entities e USING (run_id, entity_id);

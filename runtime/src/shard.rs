//! One shard of a run split over several processes (`--shard K/N --start-at TIME`): its
//! share of the users, increase rate and test-plan steps, the common start it waits for,
//! and `shard.json`, which `merge` reads to check that shards belong together.
//!
//! Without `--shard` nothing here runs: [`wait_for_start`] returns at once and no request
//! pays for sharding.

use goose::config::GooseConfiguration;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The file each shard writes into its run folder.
pub const SHARD_FILE: &str = "shard.json";

/// How late a shard may reach the common start before it refuses to run: later than
/// this, its load would not overlap the others' and the merge would not be one run.
pub const START_TOLERANCE: Duration = Duration::from_secs(2);

/// The options that split a run over processes.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct ShardOptions {
    /// Run shard K of N (K from 0) of this load: its share of the users, increase rate
    /// and test-plan steps; `merge` joins the N run folders into one
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// Start the load at TIME (RFC 3339, or Unix milliseconds); every shard of a run gets
    /// the same TIME and refuses to start when it is already more than 2 s past
    #[arg(long, value_name = "TIME", value_parser = parse_start_at)]
    pub start_at: Option<u64>,
    /// Run the load as N shard processes of this binary on this machine and merge them
    /// into one run folder
    #[arg(long, value_name = "N", conflicts_with = "shard")]
    pub shards: Option<usize>,
}

/// Shard `index` of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

/// `K/N` with 0 <= K < N.
pub fn parse_shard(text: &str) -> Result<Shard, String> {
    let (k, n) = text
        .split_once('/')
        .ok_or_else(|| format!("--shard {text:?}: write it as K/N, such as 0/4"))?;
    let number = |s: &str, what: &str| {
        s.trim()
            .parse::<usize>()
            .map_err(|_| format!("--shard {text:?}: {what} {s:?} is not a whole number"))
    };
    // `$(JOB_COMPLETION_INDEX)/N`, left as written where Kubernetes did not expand it:
    // the index from that environment variable.
    let k = match k
        .trim()
        .strip_prefix("$(")
        .and_then(|v| v.strip_suffix(')'))
    {
        Some(name) => std::env::var(name)
            .map_err(|_| format!("--shard {text:?}: the environment has no {name}"))?,
        None => k.to_string(),
    };
    let (index, count) = (number(&k, "K")?, number(n, "N")?);
    if count == 0 || index >= count {
        return Err(format!(
            "--shard {text:?}: K counts from 0 and must be below N, such as 0/{} to {}/{}",
            count.max(1),
            count.max(1) - 1,
            count.max(1)
        ));
    }
    Ok(Shard { index, count })
}

/// RFC 3339 (`2026-12-02T18:00:00Z`) or Unix milliseconds, as Unix milliseconds.
pub fn parse_start_at(text: &str) -> Result<u64, String> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse()
            .map_err(|_| format!("--start-at {text:?}: too large for Unix milliseconds"));
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis().max(0) as u64)
        .map_err(|e| {
            format!(
                "--start-at {text:?}: {e}; give RFC 3339 (2026-12-02T18:00:00Z) or Unix \
                 milliseconds"
            )
        })
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// `total` split into `count` shares that add up to it, the remainder one each to the
/// first shards: shard `index`'s share, and how many come before it.
pub fn split(total: usize, shard: Shard) -> (usize, usize) {
    let base = total / shard.count;
    let extra = total % shard.count;
    let share = base + usize::from(shard.index < extra);
    let before = shard.index * base + shard.index.min(extra);
    (share, before)
}

/// What `shard.json` records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShardRecord {
    pub shard: usize,
    pub shards: usize,
    /// When the load was to start and when it did, in Unix milliseconds.
    pub planned_start_ms: Option<u64>,
    pub started_ms: u64,
    /// The binary's version and the hash of its compiled plan and load options.
    pub version: String,
    pub plan_hash: String,
    /// This shard's users, and how many the shards before it ran (its first user's
    /// number in the whole run).
    pub users: Option<usize>,
    pub user_offset: usize,
    /// For the merged run's summary.
    #[serde(default)]
    pub profile: String,
    #[serde(default)]
    pub gateway: String,
    #[serde(default)]
    pub seed: Option<u64>,
}

/// The shard this process runs, its planned start, the users before it, and when its load
/// did start: set once before the run, read by [`wait_for_start`] and [`record`].
struct Active {
    shard: Shard,
    start_at: Option<u64>,
    users: Option<usize>,
    user_offset: usize,
    started_ms: OnceLock<u64>,
}

static ACTIVE: OnceLock<Active> = OnceLock::new();

/// Why a shard cannot run; each message fits after "failed to".
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    #[error(
        "start shard {index}/{count}: --start-at was {late_ms} ms ago, more than the \
         {tolerance_ms} ms a shard may be late; give every shard a TIME further ahead \
         (now plus the time to pull the image and read the gateway's API)"
    )]
    TooLate {
        index: usize,
        count: usize,
        late_ms: u64,
        tolerance_ms: u128,
    },
    #[error(
        "split the run over {count} shards: it has {users} user(s) at most, fewer than \
         the shards; use at most {users} shards or more --users"
    )]
    TooFewUsers { users: usize, count: usize },
    #[error("split the run's load for --shard: {0}")]
    Config(String),
    #[error("write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// Replaces the whole run's load shape in `config` by this shard's share, and notes the
/// shard for [`wait_for_start`]. `users`, `increase_rate` and `test_plan` are the whole
/// run's, resolved from the flags, profile and environment by the caller.
pub fn activate(
    shard: Shard,
    start_at: Option<u64>,
    config: &mut GooseConfiguration,
    whole: &Shape,
) -> Result<(), ShardError> {
    let (users, offset) = match whole {
        Shape::Steady {
            users,
            increase_rate,
            decrease_rate,
        } => {
            if *users < shard.count {
                return Err(ShardError::TooFewUsers {
                    users: *users,
                    count: shard.count,
                });
            }
            let (share, before) = split(*users, shard);
            config.users = Some(share);
            // In proportion to the users: every shard finishes its ramp together.
            let scale = share as f64 / *users as f64;
            config.increase_rate = increase_rate.map(|r| format_rate(r * scale));
            config.decrease_rate = decrease_rate.map(|r| format_rate(r * scale));
            (Some(share), before)
        }
        Shape::Plan(steps) => {
            let peak = steps.iter().map(|s| s.0).max().unwrap_or(0);
            if peak < shard.count {
                return Err(ShardError::TooFewUsers {
                    users: peak,
                    count: shard.count,
                });
            }
            let split_steps: Vec<(usize, usize)> = steps
                .iter()
                .map(|&(users, ms)| (split(users, shard).0, ms))
                .collect();
            set_test_plan(config, &split_steps)?;
            let (share, before) = split(peak, shard);
            (Some(share), before)
        }
    };
    // A shard's own failing threshold must not stop its part of the run early: the
    // merged run is judged by `merge`.
    if !config.threshold.is_empty() && config.threshold_abort_delay.is_none() {
        config.no_threshold_abort = true;
    }
    crate::rng::set_user_offset(offset);
    let _ = ACTIVE.set(Active {
        shard,
        start_at,
        users,
        user_offset: offset,
        started_ms: OnceLock::new(),
    });
    Ok(())
}

fn format_rate(rate: f64) -> String {
    let text = format!("{rate:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Goose keeps `test_plan` crate-private; it is set through its serialised form.
fn set_test_plan(
    config: &mut GooseConfiguration,
    steps: &[(usize, usize)],
) -> Result<(), ShardError> {
    let mut value =
        serde_json::to_value(&*config).map_err(|e| ShardError::Config(e.to_string()))?;
    value["test_plan"] = serde_json::json!({"steps": steps, "current": 0});
    *config = serde_json::from_value(value).map_err(|e| ShardError::Config(e.to_string()))?;
    Ok(())
}

/// A test plan given with `--test-plan`, as `(users, milliseconds)` steps.
pub fn test_plan_steps(config: &GooseConfiguration) -> Option<Vec<(usize, usize)>> {
    let value = serde_json::to_value(config).ok()?;
    serde_json::from_value(value.get("test_plan")?.get("steps")?.clone()).ok()
}

/// The whole run's load shape, to split.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    Steady {
        users: usize,
        increase_rate: Option<f64>,
        decrease_rate: Option<f64>,
    },
    /// `(users, milliseconds)` steps.
    Plan(Vec<(usize, usize)>),
}

/// The whole run's load shape, as the run would resolve it: the flags, else the profile
/// (`--profile`, else `BENCHMARK_USERS`, else light).
pub fn whole_shape(
    config: &GooseConfiguration,
    profile: Option<&crate::profile::Profile>,
) -> Result<Shape, ShardError> {
    use crate::profile::{Profile, Shape as ProfileShape};
    if let Some(steps) = test_plan_steps(config) {
        return Ok(Shape::Plan(steps));
    }
    let light = Profile::light();
    let given = profile.is_some();
    let profile = profile.unwrap_or(&light);
    let rate = |text: &Option<String>| -> Result<Option<f64>, ShardError> {
        text.as_deref()
            .map(|t| {
                t.trim()
                    .parse::<f64>()
                    .map_err(|_| ShardError::Config(format!("the rate {t:?} is not a number")))
            })
            .transpose()
    };
    let (profile_users, profile_rate) = match &profile.shape {
        ProfileShape::Plan(plan) if !crate::profile::gives_load_shape(config) => {
            let steps = plan
                .parse::<goose::test_plan::TestPlan>()
                .map_err(|e| ShardError::Config(e.to_string()))?
                .steps;
            return Ok(Shape::Plan(steps));
        }
        ProfileShape::Plan(_) => (200, 20.0),
        ProfileShape::Steady {
            users,
            increase_rate,
            ..
        } => (*users, *increase_rate),
    };
    // As the run reads them: only when no profile is given.
    let env_users = std::env::var("BENCHMARK_USERS")
        .ok()
        .filter(|_| !given)
        .and_then(|v| v.trim().parse::<usize>().ok());
    let users = config.users.or(env_users).unwrap_or(profile_users);
    let increase_rate = match (rate(&config.increase_rate)?, &config.increase_time) {
        (Some(rate), _) => Some(rate),
        (None, Some(_)) => None,
        (None, None) => Some(profile_rate),
    };
    Ok(Shape::Steady {
        users,
        increase_rate,
        decrease_rate: rate(&config.decrease_rate)?,
    })
}

/// Waits until the shard's `--start-at`, just before the load starts, and notes when it
/// did start. Without `--shard`, returns at once.
pub async fn wait_for_start() -> Result<(), ShardError> {
    let Some(active) = ACTIVE.get() else {
        return Ok(());
    };
    if let Some(at) = active.start_at {
        let now = now_ms();
        if now > at + START_TOLERANCE.as_millis() as u64 {
            return Err(ShardError::TooLate {
                index: active.shard.index,
                count: active.shard.count,
                late_ms: now - at,
                tolerance_ms: START_TOLERANCE.as_millis(),
            });
        }
        if at > now {
            tokio::time::sleep(Duration::from_millis(at - now)).await;
        }
    }
    let _ = active.started_ms.set(now_ms());
    Ok(())
}

/// Writes `shard.json` into the run folder of the shard this process ran; nothing without
/// `--shard`.
pub fn record(
    folder: &Path,
    plan_hash: &str,
    profile: &str,
    gateway: &str,
    seed: Option<u64>,
) -> Result<Option<ShardRecord>, ShardError> {
    let Some(active) = ACTIVE.get() else {
        return Ok(None);
    };
    let record = ShardRecord {
        shard: active.shard.index,
        shards: active.shard.count,
        planned_start_ms: active.start_at,
        started_ms: active.started_ms.get().copied().unwrap_or_else(now_ms),
        version: env!("CARGO_PKG_VERSION").to_string(),
        plan_hash: plan_hash.to_string(),
        users: active.users,
        user_offset: active.user_offset,
        profile: profile.to_string(),
        gateway: gateway.to_string(),
        seed,
    };
    let path = folder.join(SHARD_FILE);
    let text = serde_json::to_string_pretty(&record).unwrap_or_default() + "\n";
    std::fs::write(&path, text).map_err(|source| ShardError::Write {
        path: path.display().to_string(),
        source,
    })?;
    Ok(Some(record))
}

/// The hash that says two shards ran the same load: the compiled plan and every option
/// but those that differ between shards (`--shard`, `--start-at`, where results go).
pub fn plan_hash(plan_json: &str, args: &[String]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    };
    eat(plan_json.as_bytes());
    for arg in load_args(args) {
        eat(arg.as_bytes());
    }
    format!("{hash:016x}")
}

/// The options that shape the load: `args` without those that differ between shards of
/// one run (`--shard`, `--start-at`, `--shards`, `--results-dir`, `--report-file`).
pub fn load_args(args: &[String]) -> Vec<String> {
    const PER_SHARD: [&str; 5] = [
        "--shard",
        "--start-at",
        "--shards",
        "--results-dir",
        "--report-file",
    ];
    let mut out = Vec::new();
    let mut skip_next = false;
    for arg in args {
        if std::mem::take(&mut skip_next) {
            continue;
        }
        if PER_SHARD.contains(&arg.as_str()) {
            skip_next = true;
            continue;
        }
        if PER_SHARD
            .iter()
            .any(|flag| arg.starts_with(&format!("{flag}=")))
        {
            continue;
        }
        out.push(arg.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_and_the_remainder_goes_to_the_first_shards() {
        for (total, count) in [(10, 4), (4, 4), (7, 3), (100, 7)] {
            let shares: Vec<(usize, usize)> = (0..count)
                .map(|index| split(total, Shard { index, count }))
                .collect();
            assert_eq!(shares.iter().map(|s| s.0).sum::<usize>(), total);
            let mut next = 0;
            for (share, before) in &shares {
                assert_eq!(*before, next, "users are numbered on from the shard before");
                next += share;
            }
            assert!(shares.windows(2).all(|w| w[0].0 >= w[1].0));
        }
        assert_eq!(split(10, Shard { index: 0, count: 4 }), (3, 0));
        assert_eq!(split(10, Shard { index: 3, count: 4 }), (2, 8));
    }

    #[test]
    fn shard_and_start_parse_or_say_what_to_write() {
        assert_eq!(parse_shard("2/4"), Ok(Shard { index: 2, count: 4 }));
        assert!(parse_shard("4/4").unwrap_err().contains("below N"));
        assert!(parse_shard("1").unwrap_err().contains("K/N"));
        assert!(parse_shard("a/4").unwrap_err().contains("whole number"));
        let unset = "$(GLT_TEST_NO_SUCH_INDEX)/4";
        assert!(parse_shard(unset)
            .unwrap_err()
            .contains("no GLT_TEST_NO_SUCH_INDEX"));
        assert_eq!(parse_start_at("1796227531000"), Ok(1_796_227_531_000));
        assert_eq!(
            parse_start_at("2026-12-02T16:05:31Z"),
            Ok(1_796_227_531_000)
        );
        assert!(parse_start_at("tomorrow").unwrap_err().contains("RFC 3339"));
    }

    #[test]
    fn a_test_plan_splits_step_by_step_and_users_too() {
        let mut config =
            GooseConfiguration::parse_args_default(&["--test-plan", "10,1s;3,2s"]).expect("config");
        assert_eq!(test_plan_steps(&config), Some(vec![(10, 1000), (3, 2000)]));
        let mut per_shard = Vec::new();
        for index in 0..3 {
            let mut shard_config = config.clone();
            let steps = test_plan_steps(&config).unwrap();
            let shard = Shard { index, count: 3 };
            let split_steps: Vec<_> = steps
                .iter()
                .map(|&(u, ms)| (split(u, shard).0, ms))
                .collect();
            set_test_plan(&mut shard_config, &split_steps).unwrap();
            per_shard.push(test_plan_steps(&shard_config).unwrap());
        }
        assert_eq!(per_shard[0], vec![(4, 1000), (1, 2000)]);
        let sums: Vec<usize> = (0..2)
            .map(|s| per_shard.iter().map(|p| p[s].0).sum())
            .collect();
        assert_eq!(sums, [10, 3]);
        config.users = Some(1);
        assert!(set_test_plan(&mut config, &[(1, 1000)]).is_ok());
    }

    #[test]
    fn the_plan_hash_ignores_only_what_differs_between_shards() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let a = plan_hash(
            "{}",
            &args(&["--users", "8", "--shard", "0/4", "--start-at=1"]),
        );
        let b = plan_hash(
            "{}",
            &args(&["--users", "8", "--shard=3/4", "--results-dir", "x"]),
        );
        assert_eq!(a, b);
        assert_ne!(a, plan_hash("{}", &args(&["--users", "9"])));
        assert_ne!(a, plan_hash("{\"x\":1}", &args(&["--users", "8"])));
    }
}

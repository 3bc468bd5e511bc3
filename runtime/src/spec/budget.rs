//! The build's time and memory budgets: build.rs runs the spec pipeline under a
//! watchdog thread that stops the build, with an error naming the stage and the
//! operation or schema it was at and the setting to change, when the pipeline runs past
//! `[build] max_seconds` or its resident memory passes `[build] max_memory_mb`
//! (`GATEWAY_LOADTEST_BUILD_SECONDS` / `GATEWAY_LOADTEST_BUILD_MEMORY_MB` win over the
//! file). A description can then never take the machine down with it. The stage is
//! recorded by [`at`], which the pipeline calls per app and per operation.
//!
//! Shared with build.rs through `#[path]`: std only.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Environment variables that override the `[build]` budgets.
pub const SECONDS_VAR: &str = "GATEWAY_LOADTEST_BUILD_SECONDS";
pub const MEMORY_VAR: &str = "GATEWAY_LOADTEST_BUILD_MEMORY_MB";

/// How often the watchdog looks.
const POLL: Duration = Duration::from_millis(50);

/// Where the pipeline is: "plan GET /x", "generate the code of app y".
static WHERE: Mutex<String> = Mutex::new(String::new());

/// Records what the pipeline is doing now (named in a budget error).
pub fn at(what: impl Into<String>) {
    if let Ok(mut current) = WHERE.lock() {
        *current = what.into();
    }
}

fn current() -> String {
    WHERE
        .lock()
        .map(|w| w.clone())
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect()
}

/// The budgets build.rs runs under.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    pub max_seconds: u64,
    pub max_memory_mb: u64,
}

impl Budget {
    /// The `[build]` settings, overridden by the environment; a bad value names its
    /// variable.
    pub fn from(
        settings: &super::settings::BuildSettings,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Budget, String> {
        let number = |var: &str, default: u64| -> Result<u64, String> {
            match env(var).filter(|v| !v.trim().is_empty()) {
                None => Ok(default),
                Some(text) => match text.trim().parse::<u64>() {
                    Ok(n) if n > 0 => Ok(n),
                    _ => Err(format!("read {var}={text:?}: give a whole number above 0")),
                },
            }
        };
        Ok(Budget {
            max_seconds: number(SECONDS_VAR, settings.max_seconds)?,
            max_memory_mb: number(MEMORY_VAR, settings.max_memory_mb)?,
        })
    }

    /// Whether `elapsed` and `resident_mb` are over the budget, the pipeline being
    /// `at` a stage: the error if so.
    pub fn check(
        &self,
        elapsed: Duration,
        resident_mb: Option<u64>,
        at: String,
    ) -> Result<(), String> {
        let at = if at.is_empty() {
            "read the gateway's API".to_string()
        } else {
            at
        };
        if elapsed.as_secs() >= self.max_seconds {
            return Err(format!(
                "{at}: the build's time budget of {} s is spent; the API description is too \
                 large or too deep for it. Raise [build] max_seconds in gateway-loadtest.toml \
                 (or {SECONDS_VAR}), or leave operations out with [operations] exclude",
                self.max_seconds
            ));
        }
        if let Some(mb) = resident_mb.filter(|mb| *mb > self.max_memory_mb) {
            return Err(format!(
                "{at}: the build's memory budget of {} MiB is spent ({mb} MiB in use); the \
                 API description is too large or too deep for it. Raise [build] \
                 max_memory_mb in gateway-loadtest.toml (or {MEMORY_VAR}), or leave \
                 operations out with [operations] exclude",
                self.max_memory_mb
            ));
        }
        Ok(())
    }

    /// Starts the watchdog: past the budget it prints `error: failed to <message>` and
    /// ends the process with status 1 (build.rs only).
    pub fn watch(self) {
        let started = Instant::now();
        let spawned = std::thread::Builder::new()
            .name("budget".to_string())
            .spawn(move || loop {
                std::thread::sleep(POLL);
                if let Err(message) = self.check(started.elapsed(), resident_mb(), current()) {
                    eprintln!("error: failed to {message}");
                    std::process::exit(1);
                }
            });
        if spawned.is_err() {
            eprintln!("warning: the build's budget watchdog could not start");
        }
    }
}

/// This process's resident memory in MiB (Linux; `None` elsewhere).
pub fn resident_mb() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // Pages are 4 KiB on the platforms this runs on.
    Some(pages * 4 / 1024)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::settings::BuildSettings;

    #[test]
    fn the_environment_wins_and_bad_values_name_their_variable() {
        let file = BuildSettings {
            max_seconds: 7,
            max_memory_mb: 9,
        };
        let budget = Budget::from(&file, |_| None).unwrap();
        assert_eq!((budget.max_seconds, budget.max_memory_mb), (7, 9));
        let env = |var: &str| (var == MEMORY_VAR).then(|| "512".to_string());
        assert_eq!(Budget::from(&file, env).unwrap().max_memory_mb, 512);
        let err = Budget::from(&file, |_| Some("lots".to_string())).unwrap_err();
        assert!(err.contains(SECONDS_VAR) && err.contains("lots"), "{err}");
    }

    #[test]
    fn an_exceeded_budget_names_where_and_the_setting() {
        let budget = Budget {
            max_seconds: 60,
            max_memory_mb: 100,
        };
        let at = || "plan POST /links/{id}".to_string();
        assert!(budget.check(Duration::from_secs(5), Some(50), at()).is_ok());
        let slow = budget
            .check(Duration::from_secs(61), None, at())
            .unwrap_err();
        assert!(
            slow.contains("POST /links/{id}") && slow.contains("max_seconds"),
            "{slow}"
        );
        let big = budget
            .check(Duration::from_secs(1), Some(101), at())
            .unwrap_err();
        assert!(
            big.contains("max_memory_mb") && big.contains(MEMORY_VAR),
            "{big}"
        );
        assert!(resident_mb().is_some_and(|mb| mb > 0));
    }
}

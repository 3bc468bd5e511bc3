//! `gateway-loadtest.toml`: discovery settings and which operations to load-test (read
//! by build.rs and the subcommands alike), custom load profiles, grading bands and run
//! defaults (read at run time). Every key is checked when the file is read, by build.rs
//! too, so a typo anywhere fails loudly, naming the key.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The configuration file read when `GATEWAY_LOADTEST_CONFIG` names none.
pub const DEFAULT_CONFIG_FILE: &str = "gateway-loadtest.toml";

/// `gateway-loadtest.toml`; every section and key is optional, unknown keys are errors.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub discovery: DiscoverySettings,
    pub operations: OperationSettings,
    /// `[profiles.NAME]`: load shapes beside the built-in ones (or replacing one).
    pub profiles: BTreeMap<String, ProfileSettings>,
    /// `[grading]`: the bands of `good` and `acceptable`.
    pub grading: Bands,
    /// `[run]`: defaults for run options.
    pub run: RunSettings,
    /// `[[links.add]]`, `[[links.remove]]`: producer → consumer links beside the inferred.
    pub links: LinkSettings,
    /// `[health]`: what the `health` command checks beside what the API documents.
    pub health: HealthSettings,
    /// `[build]`: the time and memory budgets of build.rs's spec pipeline.
    pub build: BuildSettings,
    /// `[mix]`: how often each generated operation is dealt, and each app's users.
    pub mix: MixSettings,
}

/// `[mix]`: relative weights of the generated operations (how often each is dealt to the
/// app's users) and of the apps (how many users each app's scenario gets).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MixSettings {
    /// By HTTP method (`GET = 4`): every operation of that method.
    pub methods: BTreeMap<String, f64>,
    /// By `METHOD /path` pattern (`*` matches any run of characters); the longest
    /// matching pattern wins over the method's weight.
    pub operations: BTreeMap<String, f64>,
    /// By app (`docman = 2`): Goose scenario weights, whole numbers of 1 or more.
    pub apps: BTreeMap<String, usize>,
}

impl MixSettings {
    /// The weight of `METHOD path`: its longest matching operation pattern's, else its
    /// method's, else 1.
    pub fn weight(&self, method: &str, path: &str) -> f64 {
        let by_pattern = self
            .operations
            .iter()
            .filter(|(pattern, _)| super::pattern::matches(pattern, method, path))
            .max_by_key(|(pattern, _)| pattern.trim().len());
        if let Some((_, weight)) = by_pattern {
            return *weight;
        }
        self.methods
            .iter()
            .find(|(m, _)| m.eq_ignore_ascii_case(method))
            .map_or(1.0, |(_, w)| *w)
    }

    /// Weights that are not numbers of 0 or more, methods that are not HTTP methods, and
    /// app weights of 0, named by key.
    fn check(&self) -> Result<(), String> {
        const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
        for (method, weight) in &self.methods {
            if !METHODS.iter().any(|m| m.eq_ignore_ascii_case(method)) {
                return Err(format!(
                    "mix.methods.{method} is not an HTTP method; write one of {}",
                    METHODS.join(", ")
                ));
            }
            if !(weight.is_finite() && *weight >= 0.0) {
                return Err(format!(
                    "mix.methods.{method} must be a weight of 0 or more"
                ));
            }
        }
        for (pattern, weight) in &self.operations {
            if !(weight.is_finite() && *weight >= 0.0) {
                return Err(format!(
                    "mix.operations.{pattern:?} must be a weight of 0 or more"
                ));
            }
        }
        if let Some((app, _)) = self.apps.iter().find(|(_, w)| **w == 0) {
            return Err(format!(
                "mix.apps.{app} must be a whole number of 1 or more (leave an app out with \
                 --scenarios)"
            ));
        }
        Ok(())
    }
}

/// `[build]`: what build.rs may spend on the API description before it stops the build
/// with an error naming where it was (`spec/budget.rs`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct BuildSettings {
    /// Seconds from start to the written code.
    pub max_seconds: u64,
    /// Resident memory of build.rs, in MiB.
    pub max_memory_mb: u64,
}

impl Default for BuildSettings {
    fn default() -> Self {
        BuildSettings {
            max_seconds: 120,
            max_memory_mb: 2048,
        }
    }
}

/// `[health]`: routes of the root app that `health` checks even where the gateway's API
/// does not document them (it checks `/gateway/status` and the like only where it does).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct HealthSettings {
    /// Paths such as `/gateway/status`, each checked with a `GET`.
    pub routes: Vec<String>,
}

/// Links to add to or remove from the inferred ones.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LinkSettings {
    pub add: Vec<AddLink>,
    pub remove: Vec<RemoveLink>,
}

/// `producer`'s answer field `field` holds the id that `consumer`'s `parameter` takes.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AddLink {
    /// `METHOD /path` with the app's prefix, as `discover` lists it.
    pub producer: String,
    pub field: String,
    pub consumer: String,
    pub parameter: String,
    /// `"delete"`: the consumer deletes the resource (its `deletes`), so what it deletes
    /// leaves the pool and cleanup deletes the rest with it. Absent: it only uses it.
    #[serde(default)]
    pub role: Option<String>,
}

/// The one `role` a `[[links.add]]` may name.
pub const DELETE_ROLE: &str = "delete";

/// `consumer`'s `parameter` is drawn, never taken from what another operation created.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RemoveLink {
    pub consumer: String,
    pub parameter: String,
}

/// `[profiles.NAME]`, like the original toolkit's `BENCHMARK_CONFIGS` entries.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProfileSettings {
    /// How many users run at once.
    pub users: usize,
    /// Users started per second [default: all within one second].
    pub increase_rate: Option<f64>,
    /// How long the load lasts: seconds, or Goose's form (`90s`, `5m`, `1h30m`).
    #[serde(deserialize_with = "duration_secs")]
    pub run_time: u64,
    /// The gateway for this profile, when neither `--host` nor `GATEWAY_URL` names one.
    pub host: Option<String>,
    /// One line shown at the start of the run and in the suite index.
    #[serde(default)]
    pub description: String,
}

/// `[run]`: defaults that the command line overrides.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RunSettings {
    /// Bytes of each in-memory upload file (`--upload-bytes`).
    pub upload_bytes: Option<usize>,
}

/// What a row must beat to earn a grade; every bound is strict.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Requests per second must be above this.
    pub min_rps: f64,
    /// The average response time, in milliseconds, must be below this.
    pub max_avg_ms: f64,
    /// The failure rate, as a fraction (0.01 = 1%), must be below this.
    pub max_failure_rate: f64,
    /// In a paced run, the fraction of the offered rate achieved must be above this
    /// [default: 0.8 for good, 0.5 for acceptable].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_kept_up: Option<f64>,
}

/// The bands of `good` and `acceptable`; anything else is `poor`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Bands {
    pub good: Band,
    pub acceptable: Band,
}

impl Default for Bands {
    /// The original toolkit's bands.
    fn default() -> Self {
        Bands {
            good: Band {
                min_rps: 100.0,
                max_avg_ms: 200.0,
                max_failure_rate: 0.01,
                min_kept_up: None,
            },
            acceptable: Band {
                min_rps: 50.0,
                max_avg_ms: 500.0,
                max_failure_rate: 0.05,
                min_kept_up: None,
            },
        }
    }
}

impl Bands {
    /// The kept-up bounds of good and acceptable when a band does not set one.
    pub fn default_kept_up() -> (f64, f64) {
        (0.8, 0.5)
    }

    /// The kept-up bound of each band, as applied.
    pub fn kept_up_bounds(&self) -> (f64, f64) {
        let (good, ok) = Bands::default_kept_up();
        (
            self.good.min_kept_up.unwrap_or(good),
            self.acceptable.min_kept_up.unwrap_or(ok),
        )
    }

    /// Bounds that can never be met, or an acceptable band stricter than good, named by key.
    fn check(&self) -> Result<(), String> {
        for (name, band) in [("good", &self.good), ("acceptable", &self.acceptable)] {
            let key = |field: &str| format!("grading.{name}.{field}");
            if !band.min_rps.is_finite() || band.min_rps < 0.0 {
                return Err(format!(
                    "{} must be a number of requests per second, 0 or more",
                    key("min_rps")
                ));
            }
            if !band.max_avg_ms.is_finite() || band.max_avg_ms <= 0.0 {
                return Err(format!(
                    "{} must be a number of milliseconds above 0",
                    key("max_avg_ms")
                ));
            }
            if band
                .min_kept_up
                .is_some_and(|k| !(k.is_finite() && (0.0..1.0).contains(&k)))
            {
                return Err(format!(
                    "{} must be a fraction of 0 or more and below 1 (0.8 = 80%)",
                    key("min_kept_up")
                ));
            }
            if !(band.max_failure_rate > 0.0 && band.max_failure_rate <= 1.0) {
                return Err(format!(
                    "{} must be a fraction above 0 and at most 1 (0.01 = 1%)",
                    key("max_failure_rate")
                ));
            }
        }
        let (good, ok) = (&self.good, &self.acceptable);
        let (kept_good, kept_ok) = self.kept_up_bounds();
        let stricter = [
            ("min_kept_up", kept_ok > kept_good, kept_ok, kept_good),
            (
                "min_rps",
                ok.min_rps > good.min_rps,
                ok.min_rps,
                good.min_rps,
            ),
            (
                "max_avg_ms",
                ok.max_avg_ms < good.max_avg_ms,
                ok.max_avg_ms,
                good.max_avg_ms,
            ),
            (
                "max_failure_rate",
                ok.max_failure_rate < good.max_failure_rate,
                ok.max_failure_rate,
                good.max_failure_rate,
            ),
        ];
        match stricter.iter().find(|(_, is_stricter, _, _)| *is_stricter) {
            Some((field, _, ok, good)) => Err(format!(
                "grading.acceptable.{field} ({ok}) is stricter than grading.good.{field} \
                 ({good}); acceptable must be no stricter than good (set both bands)"
            )),
            None => Ok(()),
        }
    }
}

/// Seconds from an integer or a Goose duration (`90s`, `5m`, `1h30m`).
fn duration_secs<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Secs(u64),
        Text(String),
    }
    let secs = match Raw::deserialize(deserializer)? {
        Raw::Secs(secs) => secs,
        Raw::Text(text) => parse_duration(&text).map_err(serde::de::Error::custom)?,
    };
    if secs == 0 {
        return Err(serde::de::Error::custom(
            "a run time of 0 seconds never ends; give seconds above 0",
        ));
    }
    Ok(secs)
}

/// `90`, `90s`, `5m`, `1h30m`, `1h2m3s` as seconds.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let bad = || format!("{text:?} is not a duration; write seconds (90) or like 90s, 5m, 1h30m");
    let text = text.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Ok(secs);
    }
    let (mut total, mut number) = (0u64, String::new());
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return Err(bad()),
        };
        let n: u64 = number.parse().map_err(|_| bad())?;
        total = total
            .checked_add(n.checked_mul(unit).ok_or_else(bad)?)
            .ok_or_else(bad)?;
        number.clear();
    }
    if !number.is_empty() || text.is_empty() {
        return Err(bad());
    }
    Ok(total)
}

/// `[discovery]`: how mounted apps are found.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DiscoverySettings {
    /// Extra prefixes to probe for `{prefix}/openapi.json`.
    pub prefixes: Vec<String>,
    /// Seconds per fetch.
    pub timeout_secs: u64,
    /// Probe prefixes derived from the root document's paths.
    pub probe_derived_prefixes: bool,
    /// At most this many operations per app are load-tested, in document order; the rest
    /// are listed as excluded.
    pub max_operations_per_app: Option<usize>,
    /// Infer where parameter values come from (`POST /sessions` makes the
    /// `{session_id}` of later requests, DELETEs clean up); off, every value is generated.
    pub infer_links: bool,
}

/// `[operations]`: `METHOD /path` patterns (`*` matches any run of characters).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct OperationSettings {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

impl Default for DiscoverySettings {
    fn default() -> Self {
        DiscoverySettings {
            prefixes: Vec::new(),
            timeout_secs: 10,
            probe_derived_prefixes: true,
            max_operations_per_app: None,
            infer_links: true,
        }
    }
}

/// Why the configuration file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("parse {path}: {message}; fix the key it names (see docs/configuration.md)")]
    Parse { path: String, message: String },
}

/// The file to read: `GATEWAY_LOADTEST_CONFIG` when set, else `gateway-loadtest.toml` in `dir`.
pub fn config_path(dir: &Path, env_value: Option<String>) -> PathBuf {
    match env_value.filter(|v| !v.trim().is_empty()) {
        Some(path) => dir.join(path),
        None => dir.join(DEFAULT_CONFIG_FILE),
    }
}

/// The file `--config` named, for every reader in this process.
static CONFIG_FLAG: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Records `--config FILE` (the first call wins).
pub fn set_config_flag(path: PathBuf) {
    let _ = CONFIG_FLAG.set(path);
}

/// The settings at run time: the `--config` file when given, else
/// `GATEWAY_LOADTEST_CONFIG`, else `gateway-loadtest.toml` in the current folder
/// (missing means defaults). build.rs reads the same file but cannot see `--config`.
pub fn load() -> Result<Settings, SettingsError> {
    if let Some(path) = CONFIG_FLAG.get() {
        return read(path, true);
    }
    let env = std::env::var("GATEWAY_LOADTEST_CONFIG").ok();
    let explicit = env.as_deref().is_some_and(|v| !v.trim().is_empty());
    read(&config_path(Path::new("."), env), explicit)
}

/// Reads `path`; a missing file at the default location means defaults.
pub fn read(path: &Path, required: bool) -> Result<Settings, SettingsError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
            return Ok(Settings::default())
        }
        Err(source) => {
            return Err(SettingsError::Read {
                path: path.display().to_string(),
                source,
            })
        }
    };
    parse(&text).map_err(|message| SettingsError::Parse {
        path: path.display().to_string(),
        message,
    })
}

/// Parses the TOML text; the message names the offending key.
pub fn parse(text: &str) -> Result<Settings, String> {
    let settings: Settings =
        toml::from_str(text).map_err(|e| e.to_string().trim().replace('\n', " "))?;
    settings.grading.check()?;
    if settings.build.max_seconds == 0 || settings.build.max_memory_mb == 0 {
        return Err("build.max_seconds and build.max_memory_mb must be 1 or more".to_string());
    }
    settings.mix.check()?;
    if settings.discovery.max_operations_per_app == Some(0) {
        return Err("discovery.max_operations_per_app must be 1 or more".to_string());
    }
    if let Some(route) = settings.health.routes.iter().find(|r| !r.starts_with('/')) {
        return Err(format!(
            "health.routes: {route:?} is not a path; write it as /gateway/status"
        ));
    }
    for (name, profile) in &settings.profiles {
        let key = |field: &str| format!("profiles.{name}.{field}");
        if profile.users == 0 {
            return Err(format!("{} must be 1 or more", key("users")));
        }
        if profile
            .increase_rate
            .is_some_and(|r| !(r.is_finite() && r > 0.0))
        {
            return Err(format!(
                "{} must be users per second above 0",
                key("increase_rate")
            ));
        }
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!(
                "profile name {name:?} must be letters, digits, '-' or '_' (it names result folders)"
            ));
        }
    }
    if settings.run.upload_bytes == Some(0) {
        return Err("run.upload_bytes must be 1 or more".to_string());
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        assert_eq!(parse("").unwrap(), Settings::default());
        let s =
            parse("[operations]\nexclude = [\"POST /admin/*\"]\n[discovery]\ntimeout_secs = 3\n")
                .unwrap();
        assert_eq!(s.operations.exclude, vec!["POST /admin/*"]);
        assert_eq!(s.discovery.timeout_secs, 3);
        assert!(s.discovery.probe_derived_prefixes);
    }

    #[test]
    fn profiles_grading_and_run_defaults() {
        let s = parse(
            "[profiles.soak]\nusers = 30\nincrease_rate = 3\nrun_time = \"1h30m\"\ndescription = \"a long one\"\n\
             [profiles.tiny]\nusers = 2\nrun_time = 5\n\
             [grading.good]\nmin_rps = 150\nmax_avg_ms = 50\nmax_failure_rate = 0.001\n\
             [run]\nupload_bytes = 4096\n",
        )
        .unwrap();
        assert_eq!(s.profiles["soak"].run_time, 5400);
        assert_eq!(s.profiles["soak"].increase_rate, Some(3.0));
        assert_eq!(s.profiles["tiny"].run_time, 5);
        assert_eq!(s.grading.good.min_rps, 150.0);
        assert_eq!(s.grading.acceptable, Bands::default().acceptable);
        assert_eq!(s.run.upload_bytes, Some(4096));
    }

    #[test]
    fn health_routes_are_paths() {
        let s = parse("[health]\nroutes = [\"/gateway/status\"]\n").unwrap();
        assert_eq!(s.health.routes, vec!["/gateway/status"]);
        let e = parse("[health]\nroutes = [\"gateway/status\"]\n").unwrap_err();
        assert!(
            e.contains("health.routes") && e.contains("/gateway/status"),
            "{e}"
        );
    }

    #[test]
    fn bad_profiles_and_bands_name_the_key() {
        for (text, key) in [
            (
                "[profiles.x]\nusers = 0\nrun_time = 5\n",
                "profiles.x.users",
            ),
            ("[profiles.x]\nusers = 1\nrun_time = \"soon\"\n", "soon"),
            ("[profiles.x]\nusers = 1\nrun_time = 0\n", "0 seconds"),
            ("[profiles.x]\nusers = 1\n", "run_time"),
            (
                "[profiles.x]\nusers = 1\nrun_time = 5\nspeed = 2\n",
                "speed",
            ),
            ("[profiles.\"a b\"]\nusers = 1\nrun_time = 5\n", "a b"),
            (
                "[grading.good]\nmin_rps = 1\nmax_avg_ms = 5\nmax_failure_rate = 2\n",
                "grading.good.max_failure_rate",
            ),
            (
                "[grading.acceptable]\nmin_rps = 500\nmax_avg_ms = 500\nmax_failure_rate = 0.05\n",
                "grading.acceptable",
            ),
            ("[grading.good]\nmin_rps = 1\n", "max_avg_ms"),
            ("[run]\nupload_bytes = 0\n", "run.upload_bytes"),
            (
                "[discovery]\nmax_operations_per_app = 0\n",
                "max_operations_per_app",
            ),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.contains(key), "{text:?}: {err}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90").unwrap(), 90);
        assert_eq!(parse_duration("90s").unwrap(), 90);
        assert_eq!(parse_duration("5m").unwrap(), 300);
        assert_eq!(parse_duration("1h2m3s").unwrap(), 3723);
        for bad in ["", "5x", "m", "1h5", "99999999999999999999h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_key() {
        let err = parse("[discovery]\ntimeout = 3\n").unwrap_err();
        assert!(err.contains("timeout"), "{err}");
        let err = parse("[discovery]\ntimeout_secs = \"soon\"\n").unwrap_err();
        assert!(err.contains("timeout_secs"), "{err}");
    }
}

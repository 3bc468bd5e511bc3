//! The spec-related part of `gateway-loadtest.toml`: discovery settings and which
//! operations to load-test. Read by build.rs and by the subcommands alike.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The configuration file read when `GATEWAY_LOADTEST_CONFIG` names none.
pub const DEFAULT_CONFIG_FILE: &str = "gateway-loadtest.toml";

/// `gateway-loadtest.toml`; every section and key is optional, unknown keys are errors.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub discovery: DiscoverySettings,
    pub operations: OperationSettings,
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
    #[error(
        "parse {path}: {message}; fix the key it names (see the README's Configuration section)"
    )]
    Parse { path: String, message: String },
}

/// The file to read: `GATEWAY_LOADTEST_CONFIG` when set, else `gateway-loadtest.toml` in `dir`.
pub fn config_path(dir: &Path, env_value: Option<String>) -> PathBuf {
    match env_value.filter(|v| !v.trim().is_empty()) {
        Some(path) => dir.join(path),
        None => dir.join(DEFAULT_CONFIG_FILE),
    }
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
    toml::from_str(text).map_err(|e| e.to_string().trim().replace('\n', " "))
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
    fn unknown_keys_and_bad_values_name_the_key() {
        let err = parse("[discovery]\ntimeout = 3\n").unwrap_err();
        assert!(err.contains("timeout"), "{err}");
        let err = parse("[discovery]\ntimeout_secs = \"soon\"\n").unwrap_err();
        assert!(err.contains("timeout_secs"), "{err}");
    }
}

//! The operation filter: which operations of the discovered documents the plan takes,
//! from `[operations] include`/`exclude` patterns (`METHOD /path` globs), `[discovery]
//! max_operations_per_app` and the methods Goose can send; each operation left out is an
//! [`Excluded`] that says why.
//!
//! Shared with `build.rs` through `#[path]`: std only, nothing from `crate::` outside `spec`.

use super::model::{Excluded, Method};

/// What the plan takes from the settings: which operations to load-test (`METHOD /path`
/// patterns where `*` matches any run of characters and a missing method matches every
/// method), how many per app at most, and whether links are inferred.
#[derive(Clone, Debug)]
pub struct Filter {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub max_per_app: Option<usize>,
    pub infer_links: bool,
    /// Links added to or removed from the inferred ones.
    pub links: super::settings::LinkSettings,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            include: Vec::new(),
            exclude: Vec::new(),
            max_per_app: None,
            infer_links: true,
            links: Default::default(),
        }
    }
}

impl Filter {
    /// The filter `gateway-loadtest.toml` asks for.
    pub fn from_settings(settings: &super::settings::Settings) -> Filter {
        Filter {
            include: settings.operations.include.clone(),
            exclude: settings.operations.exclude.clone(),
            max_per_app: settings.discovery.max_operations_per_app,
            infer_links: settings.discovery.infer_links,
            links: settings.links.clone(),
        }
    }

    /// Whether `METHOD path` is load-tested: included (or no include list) and not excluded.
    pub fn allows(&self, method: &str, path: &str) -> bool {
        let hit = |pattern: &String| super::pattern::matches(pattern, method, path);
        (self.include.is_empty() || self.include.iter().any(hit)) && !self.exclude.iter().any(hit)
    }

    /// The first exclude pattern that matches, for the exclusion's reason.
    fn excluded_by(&self, method: &str, path: &str) -> Option<String> {
        if !self.include.is_empty()
            && !self
                .include
                .iter()
                .any(|p| super::pattern::matches(p, method, path))
        {
            return Some("not matched by any include pattern".to_string());
        }
        self.exclude
            .iter()
            .find(|p| super::pattern::matches(p, method, path))
            .map(|p| format!("excluded by pattern {p:?}"))
    }

    /// The method of operation `method_name path` when the plan takes it, `planned`
    /// operations of its app being taken already; else its exclusion and why: Goose
    /// cannot send the method (OPTIONS, TRACE), the patterns leave it out, or the app
    /// has [`Filter::max_per_app`] operations already.
    pub(super) fn admit(
        &self,
        method_name: &str,
        path: &str,
        planned: usize,
    ) -> Result<Method, Excluded> {
        let excluded = |method: String, reason: String| Excluded {
            method,
            path: path.to_string(),
            reason,
        };
        let Some(method) = Method::from_openapi(method_name) else {
            let reason = "Goose cannot send this method".to_string();
            return Err(excluded(method_name.to_ascii_uppercase(), reason));
        };
        if let Some(reason) = self.excluded_by(method.as_str(), path) {
            return Err(excluded(method.as_str().to_string(), reason));
        }
        if let Some(max) = self.max_per_app.filter(|max| planned >= *max) {
            let reason = format!("over [discovery] max_operations_per_app = {max}");
            return Err(excluded(method.as_str().to_string(), reason));
        }
        Ok(method)
    }
}

//! `discover`: prints what discovery found (apps, prefixes, operations, exclusions, and
//! the weight the `[mix]` gives each app and operation) as
//! JSON and saves it as `results/api_discovery_<timestamp>.json`; its warnings (such as
//! "found only the root app") go to stderr too.

use super::CommandError;
use crate::spec::model::Plan;
use crate::spec::settings::MixSettings;
use crate::spec::source;
use serde_json::json;
use std::path::{Path, PathBuf};

/// The discovery result as JSON: the source, each app with its weight and operations
/// (each with its weight in the `[mix]`), exclusions and warnings.
pub fn report(source_label: &str, plan: &Plan, mix: &MixSettings) -> serde_json::Value {
    let apps: Vec<serde_json::Value> = plan
        .apps
        .iter()
        .map(|app| {
            let operations: Vec<serde_json::Value> = app
                .operations
                .iter()
                .map(|op| {
                    let (weight, hazards) =
                        crate::hazard::weight(mix, op.method.as_str(), &op.path);
                    json!({
                        "method": op.method,
                        "path": op.path,
                        "weight": weight,
                        "hazards": hazards,
                        "operation_id": op.operation_id,
                        "params": op.params.iter().map(|p| json!({"name": p.name, "in": p.location, "required": p.required, "resource": p.resource})).collect::<Vec<_>>(),
                        "produces": op.produces,
                        "deletes": op.deletes,
                        "needs": op.needs,
                        "body": op.body.as_ref().map(|b| json!({"media": b.media, "content_type": b.content_type, "required": b.required})),
                        "success": op.success.iter().map(|s| if s.min == s.max { json!(s.min) } else { json!(format!("{}-{}", s.min, s.max)) }).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let weight = mix.apps.get(&app.name).copied().unwrap_or(1);
            json!({"name": app.name, "title": app.title, "prefix": app.prefix, "weight": weight, "operations": operations})
        })
        .collect();
    json!({
        "source": source_label,
        "apps": apps,
        "excluded": plan.excluded,
        "warnings": plan.warnings,
    })
}

/// Runs discovery from the source build.rs would use, prints the JSON and saves it.
pub fn run(results_dir: &Path) -> Result<PathBuf, CommandError> {
    let source = source::choose(super::env, Path::new("."));
    let (discovery, plan) = super::load(&source)?;
    let mix = crate::spec::settings::load()
        .map(|settings| settings.mix)
        .map_err(|e| CommandError::Usage(e.to_string()))?;
    let mut report = report(&source::label(&source), &plan, &mix);
    // Discovery's own warnings (what it missed) first, then the plan's.
    let warnings: Vec<&String> = discovery.warnings.iter().chain(&plan.warnings).collect();
    for warning in &discovery.warnings {
        eprintln!("gateway-loadtest: warning: {warning}");
    }
    report["warnings"] = json!(warnings);
    let text = serde_json::to_string_pretty(&report).unwrap_or_default() + "\n";
    print!("{text}");
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let path = results_dir.join(format!("api_discovery_{stamp}.json"));
    let write_err = |source| CommandError::Write {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(results_dir).map_err(write_err)?;
    std::fs::write(&path, text).map_err(write_err)?;
    eprintln!("gateway-loadtest: saved {}", path.display());
    Ok(path)
}

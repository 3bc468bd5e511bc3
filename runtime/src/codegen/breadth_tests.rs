//! Bodies drawn for a large real description validate against their schemas, checked
//! by an independent validator (`jsonschema`): run by `benches/breadth.sh` on each
//! breadth description (`BREADTH_SPEC=FILE`; too large for CI, so ignored here), and on
//! the chain of the fuzz generator in CI. OpenAPI 3.0's `nullable` becomes JSON
//! Schema's `null` type; the shared schemas sit under `components/schemas` so that
//! `$ref`s resolve as in the description.

use super::chain_tests::table;
use crate::params::{Shape, Values};
use crate::spec::discovery::{DiscoveredApp, Discovery};
use crate::spec::filter::Filter;
use crate::spec::model::{AppPlan, Media, Plan};
use crate::spec::plan;
use serde_json::{json, Map, Value};

/// Operations with a JSON body sampled from a description, at most.
const SAMPLED_OPERATIONS: usize = 200;
/// Bodies drawn per operation.
const DRAWS: u64 = 3;

/// OpenAPI 3.0 schema → JSON Schema draft 4: `nullable: true` admits null.
fn json_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(object) => {
            let mut out = Map::new();
            for (key, value) in object {
                let value = match key.as_str() {
                    "example" | "examples" | "default" | "enum" => value.clone(),
                    "properties" => Value::Object(
                        value
                            .as_object()
                            .map(|p| p.iter().map(|(k, v)| (k.clone(), json_schema(v))).collect())
                            .unwrap_or_default(),
                    ),
                    _ => json_schema(value),
                };
                out.insert(key.clone(), value);
            }
            if out.remove("nullable") == Some(Value::Bool(true)) {
                if let Some(Value::Array(values)) = out.get_mut("enum") {
                    values.push(Value::Null);
                }
                return json!({"anyOf": [Value::Object(out), {"type": "null"}]});
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(json_schema).collect()),
        other => other.clone(),
    }
}

/// `(valid, drawn, first failures)` over a bounded sample of the app's JSON bodies.
fn validate_bodies(app: &AppPlan) -> (usize, usize, Vec<String>) {
    let schemas = table(app);
    let components: Map<String, Value> = app
        .schemas
        .iter()
        .map(|(name, schema)| (name.clone(), json_schema(schema)))
        .collect();
    let (mut valid, mut drawn, mut failures) = (0, 0, Vec::new());
    let with_body = app
        .operations
        .iter()
        .filter(|op| op.body.as_ref().is_some_and(|b| b.media == Media::Json));
    for op in with_body.take(SAMPLED_OPERATIONS) {
        let schema = &op.body.as_ref().unwrap().schema;
        let shape = Shape::from_json_text_in(&schema.to_string(), Some(schemas));
        let root = json!({"allOf": [json_schema(schema)], "components": {"schemas": components}});
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .build(&root)
            .unwrap_or_else(|e| {
                panic!(
                    "{} {}: schema does not build: {e}",
                    op.method.as_str(),
                    op.path
                )
            });
        for seed in 0..DRAWS {
            let mut values = Values::new(crate::rng::from_seed(seed));
            let body = values.value(&shape, "body");
            drawn += 1;
            match validator.validate(&body) {
                Ok(()) => valid += 1,
                Err(error) if failures.len() < max_failures() => failures.push(format!(
                    "{} {}: {error} at {}",
                    op.method.as_str(),
                    op.path,
                    error.instance_path()
                )),
                Err(_) => {}
            }
        }
    }
    (valid, drawn, failures)
}

fn plan_document(document: Value) -> Plan {
    let discovery = Discovery {
        apps: vec![DiscoveredApp {
            name: "root".to_string(),
            title: "root".to_string(),
            prefix: String::new(),
            openapi_path: "/openapi.json".to_string(),
            document,
        }],
        warnings: Vec::new(),
    };
    plan::build(&discovery, &Filter::default()).expect("the description plans")
}

#[test]
fn chain_bodies_validate_against_their_schemas() {
    let plan = plan_document(crate::spec::fuzz::chain::chain_document(12, 3));
    let (valid, drawn, failures) = validate_bodies(&plan.apps[0]);
    assert_eq!(drawn, 12 * DRAWS as usize);
    assert_eq!(valid, drawn, "{failures:#?}");
}

/// `BREADTH_SPEC=FILE cargo test --release --lib breadth_bodies_validate -- --ignored
/// --nocapture`: prints `bodies: VALID/DRAWN` and the first failures.
#[test]
#[ignore]
fn breadth_bodies_validate() {
    let Some(path) = std::env::var_os("BREADTH_SPEC") else {
        eprintln!("set BREADTH_SPEC to an OpenAPI 3.0 JSON file");
        return;
    };
    let text = std::fs::read_to_string(&path).expect("read BREADTH_SPEC");
    let plan = plan_document(serde_json::from_str(&text).expect("BREADTH_SPEC is JSON"));
    let (valid, drawn, failures) = validate_bodies(&plan.apps[0]);
    for failure in &failures {
        eprintln!("invalid: {failure}");
    }
    println!("bodies: {valid}/{drawn}");
}

/// Failures kept for the printout: `BREADTH_FAILURES` (default 5).
fn max_failures() -> usize {
    std::env::var("BREADTH_FAILURES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5)
}

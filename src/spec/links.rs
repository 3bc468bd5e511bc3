//! Producer → consumer links between operations, inferred from names: an operation that
//! creates a resource and answers its id (`POST /sessions` → `session_id`) feeds the
//! parameters that name that resource (`{session_id}` in `/session/{session_id}/upload`),
//! and the `DELETE` that takes it removes it.

use super::plan::{AppPlan, Location, Method, Operation, Plan};
use serde::Serialize;
use std::collections::HashMap;

/// What a producing operation creates, and where its answer holds the new id.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Produces {
    pub resource: String,
    pub id_field: String,
}

/// A resource an operation's path needs, and the operation that makes one.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Need {
    pub resource: String,
    pub producer_method: Method,
    pub producer_path: String,
}

/// The resource a parameter or property named `name` refers to, if its name says so:
/// `session_id` and `sessionId` → `session`; a bare `id` → the collection before it
/// (`/contacts/{id}` → `contact`).
pub fn resource_of(name: &str, previous_segment: Option<&str>) -> Option<String> {
    let base = if name.eq_ignore_ascii_case("id") {
        previous_segment
            .filter(|s| !is_version_segment(s))?
            .to_string()
    } else if let Some(base) = name
        .strip_suffix("_id")
        .or_else(|| name.strip_suffix("-id"))
    {
        base.to_string()
    } else if let Some(base) = name
        .strip_suffix("Id")
        .filter(|b| b.ends_with(|c: char| c.is_ascii_lowercase()))
    {
        base.to_string()
    } else {
        return None;
    };
    resource_key(&base)
}

/// The one spelling of a resource name: ASCII letters and digits, lower case, singular
/// (`flow_runs`, `flowRun` and `flow-run` are all `flowrun`).
fn resource_key(text: &str) -> Option<String> {
    let key: String = text
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    (!key.is_empty()).then(|| singular(&key))
}

/// `api`, `v1`, `v2`…: path segments that name no resource.
fn is_version_segment(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    lower == "api"
        || (lower.starts_with('v')
            && lower.len() > 1
            && lower[1..].chars().all(|c| c.is_ascii_digit()))
}

/// English singular of a resource word, good enough for collection names.
pub fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for suffix in ["sses", "shes", "ches", "xes", "zes"] {
        if word.ends_with(suffix) {
            return word[..word.len() - 2].to_string();
        }
    }
    if word.ends_with('s') && !word.ends_with("ss") && !word.ends_with("us") && word.len() > 1 {
        return word[..word.len() - 1].to_string();
    }
    word.to_string()
}

/// The literal segment right before each `{name}` in a path, by name.
fn previous_segment<'a>(path: &'a str, name: &str) -> Option<&'a str> {
    let marker = format!("{{{name}}}");
    let at = path.find(&marker)?;
    path[..at]
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty() && !s.contains('{'))
}

/// The collection a path ends in (`/tickets` → `ticket`), if its last segment is literal.
fn collection(path: &str) -> Option<String> {
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    if last.is_empty() || last.contains('{') || is_version_segment(last) {
        return None;
    }
    resource_key(last)
}

/// Sets `resource` on parameters, and `produces`, `deletes` and `needs` on operations.
pub fn infer(plan: &mut Plan) {
    for app in &mut plan.apps {
        for op in &mut app.operations {
            let path = op.path.clone();
            for param in &mut op.params {
                if matches!(param.location, Location::Path | Location::Query) {
                    param.resource = resource_of(&param.name, previous_segment(&path, &param.name));
                }
            }
            op.produces = producer(op);
            op.deletes = match op.method {
                Method::Delete => op
                    .params
                    .iter()
                    .rev()
                    .find(|p| p.location == Location::Path)
                    .and_then(|p| p.resource.clone()),
                _ => None,
            };
        }
    }
    // Producers by resource, in plan order (the first one that fits wins).
    let mut producers: HashMap<String, Vec<(Method, String)>> = HashMap::new();
    for op in plan.apps.iter().flat_map(|app| app.operations.iter()) {
        if let Some(produces) = &op.produces {
            producers
                .entry(produces.resource.clone())
                .or_default()
                .push((op.method, op.path.clone()));
        }
    }
    for app in &mut plan.apps {
        set_needs(app, &producers);
    }
}

fn set_needs(app: &mut AppPlan, producers: &HashMap<String, Vec<(Method, String)>>) {
    for op in &mut app.operations {
        let mut needs = Vec::new();
        for param in op.params.iter().filter(|p| p.location == Location::Path) {
            let Some(resource) = &param.resource else {
                continue;
            };
            // The operation cannot produce what it needs itself.
            let producer = producers.get(resource).and_then(|all| {
                all.iter()
                    .find(|(m, p)| !(*m == op.method && *p == op.path))
            });
            if let Some((method, path)) = producer {
                needs.push(Need {
                    resource: resource.clone(),
                    producer_method: *method,
                    producer_path: path.clone(),
                });
            }
        }
        op.needs = needs;
    }
}

/// What a POST creates: a bare `id` names the collection it was posted to; otherwise the
/// first `*_id` field that is not one of the operation's own path resources.
fn producer(op: &Operation) -> Option<Produces> {
    if op.method != Method::Post {
        return None;
    }
    let own: Vec<&str> = op
        .params
        .iter()
        .filter_map(|p| p.resource.as_deref())
        .collect();
    let collection = collection(&op.path);
    if op.response_fields.iter().any(|f| f == "id") {
        if let Some(resource) = collection.clone() {
            return Some(Produces {
                resource,
                id_field: "id".to_string(),
            });
        }
    }
    op.response_fields.iter().find_map(|field| {
        let resource = resource_of(field, None)?;
        (!own.contains(&resource.as_str())).then(|| Produces {
            resource,
            id_field: field.clone(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_resources() {
        assert_eq!(resource_of("session_id", None).as_deref(), Some("session"));
        assert_eq!(resource_of("docId", None).as_deref(), Some("doc"));
        assert_eq!(
            resource_of("id", Some("contacts")).as_deref(),
            Some("contact")
        );
        assert_eq!(resource_of("id", Some("v1")), None);
        assert_eq!(resource_of("uuid", None), None);
        assert_eq!(resource_of("limit", None), None);
        assert_eq!(resource_of("category_ids", None), None);
    }

    #[test]
    fn singulars() {
        for (plural, one) in [
            ("tickets", "ticket"),
            ("categories", "category"),
            ("boxes", "box"),
            ("status", "status"),
            ("addresses", "address"),
        ] {
            assert_eq!(singular(plural), one);
        }
    }

    #[test]
    fn segments_and_collections() {
        assert_eq!(
            previous_segment("/docman/contacts/{id}", "id"),
            Some("contacts")
        );
        assert_eq!(previous_segment("/{a}/{id}", "id"), None);
        assert_eq!(
            collection("/api/v1/documents/sessions"),
            Some("session".to_string())
        );
        assert_eq!(collection("/a/{x}"), None);
        // Producers and consumers spell a resource the same way.
        assert_eq!(
            collection("/api/flow_runs"),
            resource_of("id", Some("flow_runs"))
        );
        assert_eq!(
            collection("/api/flow_runs"),
            resource_of("flow_run_id", None)
        );
    }
}

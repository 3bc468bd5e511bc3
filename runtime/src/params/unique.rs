//! Creates that do not collide: the name-like fields of a create's body (`name`, `slug`,
//! `key`, `username`, `email`...) get values unique to the run and the user, still inside
//! the field's pattern and length, so parallel users do not all post the spec's example
//! and get 409 Conflict.

use super::shape::{Kind, Shape};
use rand::rngs::SmallRng;
use rand::RngExt;
use serde_json::Value;

/// Body properties whose values identify what a create makes.
const NAME_LIKE: [&str; 7] = [
    "name", "slug", "key", "username", "email", "handle", "login",
];

/// Whether a create's body property `name` must be unique.
pub fn is_name_like(name: &str) -> bool {
    NAME_LIKE.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// A value for the name-like property `name` of shape `shape`, unique with high
/// probability: drawn afresh from the pattern when there is one (never the example),
/// else `current` with a random suffix, cut to `maxLength`. An email keeps its domain.
pub fn unique(shape: &Shape, name: &str, current: &str, rng: &mut SmallRng) -> Option<String> {
    let Kind::String {
        min_len,
        max_len,
        format,
        pattern,
    } = &shape.resolved().kind
    else {
        return None;
    };
    let max_len = max_len.unwrap_or(64).max(1);
    if let Some(pattern) = pattern {
        // A pattern's own draws are random; take a long enough one that is new.
        let mut best: Option<String> = None;
        for _ in 0..8 {
            let drawn: String = rng.sample(&**pattern);
            let fits = drawn.chars().count() <= max_len && drawn.chars().count() >= *min_len;
            if fits && drawn != current && best.as_ref().is_none_or(|b| drawn.len() > b.len()) {
                best = Some(drawn);
            }
        }
        return best;
    }
    let token = token(rng);
    let is_email = format.as_deref() == Some("email") || name.eq_ignore_ascii_case("email");
    if is_email {
        let (local, domain) = current.split_once('@').unwrap_or(("user", "example.com"));
        let local: String = local.chars().take(20).collect();
        return Some(format!("{local}.{token}@{domain}"));
    }
    // `base-token`, the base cut so the whole fits, in the form most apps accept for a
    // name (a DNS label's: lower-case letters, digits and inner hyphens, at most 63):
    // Chroma refuses "Branson Robel" as a name, Kubernetes-style APIs anything else.
    let max_len = max_len.min(63);
    let room = max_len.saturating_sub(token.len() + 1);
    let base: String = crate::spec::discovery::slug(current)
        .chars()
        .take(room)
        .collect();
    let base = base.trim_end_matches('-');
    let text = match base.is_empty() {
        true => token.chars().take(max_len).collect(),
        false => format!("{base}-{token}"),
    };
    Some(text)
}

/// Six random lower-case letters and digits: 2 billion values.
fn token(rng: &mut SmallRng) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..6)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Makes the name-like top-level properties of a create's `body` unique, and `id_field`
/// (the answer field that holds the new resource's id, when the body sends it: a `sku`),
/// leaving out those `keep` says the user set.
pub fn apply(
    body: &mut Value,
    shape: &Shape,
    rng: &mut SmallRng,
    id_field: Option<&str>,
    keep: impl Fn(&str) -> bool,
) {
    let (Value::Object(fields), Kind::Object { properties, .. }) = (body, &shape.resolved().kind)
    else {
        return;
    };
    for property in properties {
        let identifies = is_name_like(&property.name) || id_field == Some(property.name.as_str());
        if !identifies || keep(&property.name) {
            continue;
        }
        let Some(Value::String(current)) = fields.get(&property.name) else {
            continue;
        };
        if let Some(value) = unique(&property.shape, &property.name, current, rng) {
            fields.insert(property.name.clone(), Value::String(value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashSet;

    fn shape(schema: Value) -> Shape {
        Shape::from_json_text(&schema.to_string())
    }

    #[test]
    fn names_are_unique_and_keep_their_pattern_and_length() {
        let object = shape(json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z0-9-]+$", "maxLength": 40},
                "code": {"type": "string", "example": "SAME"},
                "email": {"type": "string", "format": "email"},
                "slug": {"type": "string", "maxLength": 10},
            }
        }));
        let pattern = regex::Regex::new("^[a-z0-9-]+$").unwrap();
        let mut rng = crate::rng::from_seed(3);
        let mut seen = HashSet::new();
        for _ in 0..200 {
            let mut body = json!({"name": "default-pool", "code": "SAME",
                                  "email": "a@example.com", "slug": "my-slug"});
            apply(&mut body, &object, &mut rng, None, |_| false);
            let name = body["name"].as_str().unwrap().to_string();
            assert!(pattern.is_match(&name) && name.len() <= 40, "{name}");
            assert!(body["slug"].as_str().unwrap().chars().count() <= 10);
            assert!(body["email"].as_str().unwrap().ends_with("@example.com"));
            assert_eq!(body["code"], "SAME", "not a name-like field");
            seen.insert(body["email"].as_str().unwrap().to_string());
        }
        assert!(
            seen.len() >= 199,
            "emails repeat: {} distinct of 200",
            seen.len()
        );
        // The field a link names as the created resource's id is made unique too.
        let mut body = json!({"code": "SAME"});
        apply(&mut body, &object, &mut rng, Some("code"), |_| false);
        assert_ne!(body["code"], "SAME", "the id field is unique");
    }

    #[test]
    fn names_without_a_pattern_take_a_dns_label_s_form() {
        let label = regex::Regex::new("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$").unwrap();
        let object = shape(json!({"type": "object", "properties": {"name": {"type": "string"}}}));
        let mut rng = crate::rng::from_seed(4);
        let long = "Über   Long Name! ".repeat(10);
        for current in ["Branson Robel", "-x-", "", long.as_str()] {
            let mut body = json!({ "name": current });
            apply(&mut body, &object, &mut rng, None, |_| false);
            let name = body["name"].as_str().unwrap();
            assert!(label.is_match(name), "{current:?} became {name:?}");
        }
    }

    #[test]
    fn a_field_the_user_set_is_kept() {
        let object = shape(json!({"type": "object", "properties": {"name": {"type": "string"}}}));
        let mut body = json!({"name": "mine"});
        apply(
            &mut body,
            &object,
            &mut crate::rng::from_seed(1),
            None,
            |n| n == "name",
        );
        assert_eq!(body["name"], "mine");
    }
}

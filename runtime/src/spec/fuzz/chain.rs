//! A document whose reference graph explodes when inlined: a chain of `n` shared
//! component schemas, each referring to the next `fanout` times (optional plain properties,
//! array items and Stripe-style expandable fields `anyOf: [string, {$ref}]`), the last
//! referring back to the first. Inlined to depth d it is `fanout^d` nodes per use; kept
//! shared it is `n` schemas. Every operation uses one link of the chain.

use serde_json::{json, Map, Value};

/// The chain's schema names: `Link0` .. `Link{n-1}`.
pub fn link_name(index: usize) -> String {
    format!("Link{index}")
}

/// An OpenAPI 3.0 document of `n` chained schemas with `fanout` references each, and
/// `n` operations (`POST /links/{i}` sending `Link{i}`, answering `Link{i}`).
pub fn chain_document(n: usize, fanout: usize) -> Value {
    let n = n.max(1);
    let reference =
        |index: usize| json!({"$ref": format!("#/components/schemas/{}", link_name(index % n))});
    let mut schemas = Map::new();
    for index in 0..n {
        let next = index + 1;
        let mut properties = Map::new();
        properties.insert("id".into(), json!({"type": "string"}));
        properties.insert("name".into(), json!({"type": "string", "maxLength": 40}));
        for k in 0..fanout {
            let field = match k % 3 {
                0 => reference(next),
                1 => json!({"anyOf": [{"type": "string"}, reference(next)]}),
                _ => json!({"type": "array", "items": reference(next)}),
            };
            properties.insert(format!("next_{k}"), field);
        }
        schemas.insert(
            link_name(index),
            json!({
                "type": "object",
                "description": format!("Link {index} of the chain."),
                "required": ["id"],
                "properties": properties,
            }),
        );
    }
    let mut paths = Map::new();
    for index in 0..n {
        paths.insert(
            format!("/links/{index}"),
            json!({"post": {
                "operationId": format!("make_link_{index}"),
                "requestBody": {"required": true, "content": {"application/json": {"schema": reference(index)}}},
                "responses": {"201": {"description": "made", "content": {"application/json": {"schema": reference(index)}}}}
            }}),
        );
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "chain", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    })
}

/// [`chain_document`] as a one-app discovery, as build.rs would read it.
pub fn chain_discovery(n: usize, fanout: usize) -> crate::spec::discovery::Discovery {
    crate::spec::discovery::Discovery {
        apps: vec![crate::spec::discovery::DiscoveredApp {
            name: "chain".to_string(),
            title: "chain".to_string(),
            prefix: String::new(),
            openapi_path: "/openapi.json".to_string(),
            document: chain_document(n, fanout),
        }],
        warnings: Vec::new(),
    }
}

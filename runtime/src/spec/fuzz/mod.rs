//! Inputs for property tests of the spec pipeline (normalise → parse → plan → codegen):
//! a seeded generator of OpenAPI-ish documents, fresh ones that use every keyword FastAPI's
//! 3.1 output uses and mutations of real fixtures, all salted with hostile text.
//!
//! `text` holds the words and scalars, `schema` makes schemas, `document` whole
//! documents, and `mutate` mutates real ones.
//!
//! The same seed always gives the same [`Case`]. src/codegen/fuzz_tests.rs runs cases
//! through the pipeline; build.rs compiles a fixed sample of them into the library's
//! tests. Shared with build.rs through `#[path]`: std, serde_json and `crate::spec` (which
//! build.rs declares too) only, and its own tiny generator instead of `rand`.

pub mod chain;
mod document;
mod mutate;
mod schema;
mod text;

use serde_json::{json, Value};

/// One input: the apps a discovery would return, and the include/exclude patterns.
#[derive(Clone, Debug)]
pub struct Case {
    pub seed: u64,
    pub apps: Vec<App>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// One app of a case, as the snapshot's `apps.json` and its document describe it.
#[derive(Clone, Debug)]
pub struct App {
    pub name: String,
    pub title: String,
    pub prefix: String,
    pub document: Value,
}

impl Case {
    /// The case as a discovery returns it, each document read back from its JSON text
    /// as a snapshot's is; `None` when one does not read back (see [`as_read`]).
    pub fn discovery(&self) -> Option<crate::spec::discovery::Discovery> {
        let apps = as_read(&self.apps)?;
        Some(crate::spec::discovery::Discovery {
            apps: apps
                .into_iter()
                .map(|app| crate::spec::discovery::DiscoveredApp {
                    openapi_path: format!("{}/openapi.json", app.prefix),
                    name: app.name,
                    title: app.title,
                    prefix: app.prefix,
                    document: app.document,
                })
                .collect(),
            warnings: Vec::new(),
        })
    }

    /// The case's include and exclude patterns as a plan filter.
    pub fn filter(&self) -> crate::spec::filter::Filter {
        crate::spec::filter::Filter {
            include: self.include.clone(),
            exclude: self.exclude.clone(),
            ..crate::spec::filter::Filter::default()
        }
    }

    /// The case as JSON, to save a failing input where a person can read it.
    pub fn to_json(&self) -> Value {
        let apps: Vec<Value> = self
            .apps
            .iter()
            .map(|a| {
                json!({"name": a.name, "title": a.title, "prefix": a.prefix, "document": a.document})
            })
            .collect();
        json!({"seed": self.seed, "include": self.include, "exclude": self.exclude, "apps": apps})
    }
}

/// The case for `seed`: a fresh document or, about half the time when `corpus` holds
/// documents, a mutated one of those (cut to a few paths), plus zero to two more apps.
pub fn case(seed: u64, corpus: &[Value]) -> Case {
    let mut gen = Gen::new(seed);
    // Two cases in five stay well-formed, so that most reach code generation.
    gen.wild = match gen.rng.below(20) {
        0..=7 => 0,
        8..=14 => 1,
        _ => 2,
    };
    case_from(gen, seed, corpus)
}

/// A case as [`case`] makes it, but always a well-formed one (its text just as
/// hostile), so that most are accepted: what build.rs compiles.
pub fn tame_case(seed: u64, corpus: &[Value]) -> Case {
    let mut gen = Gen::new(seed);
    gen.wild = 0;
    case_from(gen, seed, corpus)
}

fn case_from(mut gen: Gen, seed: u64, corpus: &[Value]) -> Case {
    let app_count = match gen.rng.below(20) {
        0 => 0,
        1..=13 => 1,
        14..=17 => 2,
        _ => 3,
    };
    let mut apps = Vec::new();
    for index in 0..app_count {
        let mutated = !corpus.is_empty() && gen.rng.chance(1, 2);
        let mut document = if mutated {
            let donor = &corpus[gen.rng.below(corpus.len())];
            gen.excerpt(donor)
        } else {
            gen.document()
        };
        if mutated || gen.rng.chance(1, 8) {
            for _ in 0..1 + gen.rng.below(2 + 2 * gen.wild as usize) {
                gen.mutate(&mut document, 0);
            }
        }
        apps.push(App {
            name: gen.app_name(index),
            title: gen.text(),
            prefix: gen.prefix(index),
            document,
        });
    }
    let include = gen.patterns();
    let exclude = gen.patterns();
    Case {
        seed,
        apps,
        include,
        exclude,
    }
}

/// The apps with each document as a reader gets it back from its JSON text; `None` when
/// one does not read back (serde_json refuses nesting deeper than 128 levels).
pub fn as_read(apps: &[App]) -> Option<Vec<App>> {
    apps.iter()
        .map(|app| {
            let text = serde_json::to_string(&app.document).ok()?;
            Some(App {
                name: app.name.clone(),
                title: app.title.clone(),
                prefix: app.prefix.clone(),
                document: serde_json::from_str(&text).ok()?,
            })
        })
        .collect()
}

/// SplitMix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// True `k` times in `n`.
    fn chance(&mut self, k: usize, n: usize) -> bool {
        self.below(n) < k
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The generator's state: its random stream and the component names refs may point at.
struct Gen {
    rng: Rng,
    /// Names under `components/schemas` (some never defined: dangling refs).
    schema_names: Vec<String>,
    /// Names under `components/parameters`, `requestBodies` and `responses`.
    parameter_names: Vec<String>,
    body_names: Vec<String>,
    response_names: Vec<String>,
    /// How deep schemas nest before only leaves are made.
    max_depth: usize,
    /// 0 to 2: how often parts come out malformed (see [`Gen::odd`]).
    wild: u32,
}

impl Gen {
    fn new(seed: u64) -> Gen {
        // One mixing step first, so that nearby seeds start far apart.
        let mut rng = Rng(seed);
        rng.next();
        Gen {
            rng,
            schema_names: Vec::new(),
            parameter_names: Vec::new(),
            body_names: Vec::new(),
            response_names: Vec::new(),
            max_depth: 4,
            wild: 2,
        }
    }

    /// Whether to make a part malformed, about once in `n` (half as often when only
    /// mildly wild, never when tame): a type openapiv3 refuses, an unknown location.
    fn odd(&mut self, n: usize) -> bool {
        self.wild > 0 && self.rng.chance(self.wild as usize, 2 * n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_case() {
        let corpus = [
            json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {}}}}),
        ];
        for seed in 0..50 {
            assert_eq!(case(seed, &corpus).to_json(), case(seed, &corpus).to_json());
        }
        assert_ne!(case(1, &corpus).to_json(), case(2, &corpus).to_json());
    }

    #[test]
    fn fuzz_cases_vary() {
        let cases: Vec<Case> = (0..300).map(|seed| case(seed, &[])).collect();
        let apps: usize = cases.iter().map(|c| c.apps.len()).sum();
        assert!(apps > 250, "{apps} apps in 300 cases");
        let text = serde_json::to_string(&cases.iter().map(Case::to_json).collect::<Vec<_>>())
            .unwrap_or_default();
        for keyword in [
            "anyOf",
            "oneOf",
            "allOf",
            "$ref",
            "const",
            "examples",
            "prefixItems",
            "multipart/form-data",
            "exclusiveMinimum",
            "\"cookie\"",
            "\"header\"",
            "pattern",
            "additionalProperties",
        ] {
            assert!(text.contains(keyword), "no {keyword} in 300 cases");
        }
    }
}

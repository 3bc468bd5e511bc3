//! The user's values file (`--values FILE`): fixed values, lists to draw from and named
//! generators for parameters and body properties, by name or by JSON pointer, in every
//! operation or in one; and which generated operations run. Overrides come first in the
//! value order, before captured ids, examples, defaults, enums and fakes.

use super::{fake, OperationInfo, Values};
use crate::spec::filter::Filter;
use goose::goose::Scenario;
use rand::rngs::SmallRng;
use rand::RngExt;
use serde_json::{Map, Number, Value};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

mod convert;
mod file;

pub use convert::{BodyField, FromOverride};

/// Where a parameter goes (the plan's own), which the generated code names when it
/// draws one.
pub use crate::spec::model::Location;

/// A values file, read and checked: what to send instead of drawn values, and which
/// generated operations run.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// The file, for messages.
    source: String,
    /// `[values]`: every operation.
    every: Table,
    /// `[operations."METHOD /path"]`, in file order; `Values` holds an index into it.
    operations: Vec<Scoped>,
    /// `"METHOD /path"` → index in `operations`.
    by_operation: HashMap<String, usize>,
    /// `[run]`: include and exclude patterns, as `gateway-loadtest.toml`'s `[operations]`.
    run: Filter,
}

/// One operation's own table.
#[derive(Clone, Debug)]
struct Scoped {
    /// `POST /docman/tickets`: method upper-case, one space, the prefixed path.
    operation: String,
    /// Its TOML path, for messages.
    key: String,
    table: Table,
}

/// The rules of one table, by what they address.
#[derive(Clone, Debug, Default)]
struct Table {
    /// Bare names: any parameter, and any body property at any depth, with this name.
    names: HashMap<String, Rule>,
    /// `/query/limit` and the like.
    params: Vec<(Location, String, Rule)>,
    /// `/body/...` (one operation's table only), shallowest first: `/body` replaces the
    /// body, deeper pointers then set their place in it.
    body: Vec<(Vec<String>, Rule)>,
}

/// What to send for one key of the file.
#[derive(Clone, Debug)]
pub(super) struct Rule {
    /// Its TOML path (`values.limit`), for messages.
    key: String,
    pick: Pick,
}

#[derive(Clone, Debug)]
enum Pick {
    /// A scalar, or `{ value = ... }` (the way to send an array or an object).
    Fixed(Value),
    /// A TOML array: one item, drawn uniformly with the user's seeded generator.
    OneOf(Vec<Value>),
    Generate(Generator),
}

#[derive(Clone, Debug)]
enum Generator {
    /// One of `fake::GENERATORS`.
    Fake(&'static str),
    Int {
        min: i64,
        max: i64,
    },
    Number {
        min: f64,
        max: f64,
    },
    Bool,
}

/// Why a values file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum OverridesError {
    // `cause`, not `source`: the message already says it, so it is not printed twice
    // as a cause.
    #[error("read the values file {path}: {cause}; check the path given to --values")]
    Read { path: String, cause: std::io::Error },
    #[error("parse the values file {path}: line {line}: {message}; fix the TOML there")]
    Syntax {
        path: String,
        line: usize,
        message: String,
    },
    #[error("use the values file {path}: {key}: {problem}")]
    Key {
        path: String,
        key: String,
        problem: String,
    },
}

static INSTALLED: OnceLock<Arc<Overrides>> = OnceLock::new();
static NONE: OnceLock<Arc<Overrides>> = OnceLock::new();

/// Makes `overrides` the run's: every user's `Values` created from now on uses them
/// (`Values::new`). Returns false, keeping the first, when some were installed already.
pub fn install(overrides: Overrides) -> bool {
    INSTALLED.set(Arc::new(overrides)).is_ok()
}

/// The run's overrides: the installed ones, else none.
pub fn installed() -> Arc<Overrides> {
    Arc::clone(
        INSTALLED
            .get()
            .unwrap_or_else(|| NONE.get_or_init(Arc::default)),
    )
}

/// The scenario with only the transactions `overrides` allows, plus its on-start and
/// on-stop ones (cleanup). Transactions are registered again, since Goose indexes them.
pub fn retain_allowed(mut scenario: Scenario, overrides: &Overrides) -> Scenario {
    if overrides.run.include.is_empty() && overrides.run.exclude.is_empty() {
        return scenario;
    }
    for transaction in std::mem::take(&mut scenario.transactions) {
        let name = transaction.name.name_for_transaction();
        if transaction.on_start || transaction.on_stop || overrides.allows(name) {
            scenario = scenario.register_transaction(transaction);
        }
    }
    scenario
}

impl Overrides {
    /// Reads and parses a values file.
    pub fn load(path: &Path) -> Result<Overrides, OverridesError> {
        let source = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => Overrides::parse(&text, &source),
            Err(cause) => Err(OverridesError::Read {
                path: source,
                cause,
            }),
        }
    }

    /// The file these came from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether no value is overridden (include/exclude lists aside).
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
            && self.every.names.is_empty()
            && self.every.params.is_empty()
            && self.every.body.is_empty()
    }

    /// Whether the user's values set the field at `location` (`body` or `query`) and
    /// `path` of `operation` (`POST /docman/tickets`): by pointer in its own table, or by
    /// its name anywhere. What the user set is sent as set, whatever the app answers.
    pub fn sets(&self, operation: &str, location: &str, path: &[String]) -> bool {
        let Some(name) = path.last() else {
            return false;
        };
        let own = self
            .by_operation
            .get(operation)
            .map(|&i| &self.operations[i].table);
        std::iter::once(&self.every).chain(own).any(|table| {
            table.names.contains_key(name)
                || match location {
                    "query" => table
                        .params
                        .iter()
                        .any(|(at, n, _)| *at == Location::Query && n == name),
                    _ => table.body.iter().any(|(tokens, _)| {
                        tokens.is_empty() || path.starts_with(tokens.as_slice())
                    }),
                }
        })
    }

    /// Whether the generated operation `METHOD /path` runs: `[run]`'s include list (when it
    /// has one) matches it and its exclude list does not, with `gateway-loadtest.toml`'s
    /// pattern rules.
    pub fn allows(&self, method_path: &str) -> bool {
        let (method, path) = method_path
            .trim()
            .split_once(' ')
            .map_or(("", method_path), |(m, p)| (m, p.trim()));
        self.run.allows(method, path)
    }

    /// Checks the file against the generated operations: every `[operations]` table names
    /// one, every include pattern matches one, and every value given for a parameter can be
    /// sent as that parameter's type (`"many"` cannot be an integer `limit`).
    pub fn check(&self, operations: &[&'static OperationInfo]) -> Result<(), OverridesError> {
        let fail = |key: String, problem: String| OverridesError::Key {
            path: self.source.clone(),
            key,
            problem,
        };
        for scoped in &self.operations {
            let known = operations
                .iter()
                .any(|info| format!("{} {}", info.method, info.path) == scoped.operation);
            if !known {
                return Err(fail(
                    scoped.key.clone(),
                    format!(
                        "no generated operation is {}; name it by method and path with the app's \
                     prefix, as `discover` lists them",
                        scoped.operation
                    ),
                ));
            }
        }
        for pattern in &self.run.include {
            let one = Filter {
                include: vec![pattern.clone()],
                exclude: Vec::new(),
                ..Filter::default()
            };
            if !operations
                .iter()
                .any(|info| one.allows(info.method, info.path))
            {
                return Err(fail(
                    "run.include".to_string(),
                    format!("{pattern:?} matches no generated operation; `discover` lists them"),
                ));
            }
        }
        // One draw of every operation with these overrides, recording each value that
        // cannot take its parameter's type.
        let mut values = Values::with_overrides(crate::rng::from_seed(0), Arc::new(self.clone()));
        values.probe = Some(Vec::new());
        for info in operations {
            values.begin(info, None);
            let _ = (info.sample)(&mut values);
        }
        match values.probe.take().unwrap_or_default().into_iter().next() {
            Some((key, problem)) => Err(fail(key, problem)),
            None => Ok(()),
        }
    }

    /// The index of `operation`'s own table (`POST /docman/tickets`), if it has one.
    pub(super) fn scope_of(&self, operation: &str) -> Option<usize> {
        self.by_operation.get(operation).copied()
    }

    /// The rule for a parameter: the operation's pointer, its name, then `[values]`'s
    /// pointer and name.
    pub(super) fn param_rule(
        &self,
        scope: Option<usize>,
        at: Location,
        name: &str,
    ) -> Option<&Rule> {
        let own = scope.and_then(|i| self.operations.get(i)).map(|s| &s.table);
        own.and_then(|t| t.param(at, name))
            .or_else(|| own.and_then(|t| t.name(at, name)))
            .or_else(|| self.every.param(at, name))
            .or_else(|| self.every.name(at, name))
    }

    /// The rule for a body property called `name`: the operation's, then `[values]`'s.
    pub(super) fn property_rule(&self, scope: Option<usize>, name: &str) -> Option<&Rule> {
        scope
            .and_then(|i| self.operations.get(i))
            .and_then(|s| s.table.names.get(name))
            .or_else(|| self.every.names.get(name))
    }

    /// The operation's `/body` pointers, shallowest first.
    pub(super) fn body_rules(&self, scope: Option<usize>) -> &[(Vec<String>, Rule)] {
        scope
            .and_then(|i| self.operations.get(i))
            .map_or(&[], |s| s.table.body.as_slice())
    }
}

impl Table {
    fn param(&self, at: Location, name: &str) -> Option<&Rule> {
        self.params
            .iter()
            .find(|(l, n, _)| *l == at && same_name(at, n, name))
            .map(|(_, _, rule)| rule)
    }

    fn name(&self, at: Location, name: &str) -> Option<&Rule> {
        self.names.get(name).or_else(|| match at {
            // Header names are case-insensitive.
            Location::Header => self
                .names
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, rule)| rule),
            _ => None,
        })
    }
}

fn same_name(at: Location, a: &str, b: &str) -> bool {
    match at {
        Location::Header => a.eq_ignore_ascii_case(b),
        _ => a == b,
    }
}

impl Rule {
    /// The value to send this time.
    pub(super) fn pick(&self, rng: &mut SmallRng) -> Value {
        match &self.pick {
            Pick::Fixed(value) => value.clone(),
            Pick::OneOf(items) => items[rng.random_range(0..items.len())].clone(),
            Pick::Generate(generator) => generator.draw(rng),
        }
    }

    /// Every value it may send (one draw of a generator, whose type is fixed).
    pub(super) fn candidates(&self, rng: &mut SmallRng) -> Vec<Value> {
        match &self.pick {
            Pick::Fixed(value) => vec![value.clone()],
            Pick::OneOf(items) => items.clone(),
            Pick::Generate(generator) => vec![generator.draw(rng)],
        }
    }

    /// Its TOML path, for messages.
    pub(super) fn key(&self) -> &str {
        &self.key
    }
}

impl Generator {
    fn draw(&self, rng: &mut SmallRng) -> Value {
        match self {
            Generator::Fake(name) => Value::String(fake::generated(name, rng).unwrap_or_default()),
            Generator::Int { min, max } => Value::from(rng.random_range(*min..=*max)),
            Generator::Number { min, max } => {
                let v: f64 = rng.random_range(*min..=*max);
                let rounded = (v * 100.0).round() / 100.0;
                let v = if (*min..=*max).contains(&rounded) {
                    rounded
                } else {
                    v
                };
                Number::from_f64(v).map_or(Value::from(0), Value::Number)
            }
            Generator::Bool => Value::Bool(rng.random_bool(0.5)),
        }
    }
}

/// Sets `value` at `tokens` inside `target`, making objects on the way where there are
/// none; in an array, a token is an index of an item there or `-` (append).
pub(super) fn set_at(target: &mut Value, tokens: &[String], value: Value) {
    let Some((first, rest)) = tokens.split_first() else {
        *target = value;
        return;
    };
    if let Value::Array(items) = target {
        if first == "-" {
            items.push(Value::Null);
            let last = items.len() - 1;
            set_at(&mut items[last], rest, value);
        } else if let Some(item) = first.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
            set_at(item, rest, value);
        }
        return;
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(object) = target {
        let child = object.entry(first.clone()).or_insert(Value::Null);
        set_at(child, rest, value);
    }
}

/// A value shortened for a message.
pub(super) fn shown(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text,
    }
}

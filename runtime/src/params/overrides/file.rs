//! The values file's TOML read into rules: sections, keys (bare names and JSON
//! pointers), values (fixed, lists, generators) and `[run]`, each mistake an error naming
//! its TOML path and what to write instead.

use super::{Generator, Location, Overrides, OverridesError, Pick, Rule, Scoped, Table};
use crate::params::fake;
use crate::spec::filter::Filter;
use serde_json::{Map, Number, Value};

/// Generators drawn here rather than in `fake`.
const NUMERIC_GENERATORS: &[&str] = &["int", "number", "bool"];
/// The default range of `int` and `number`.
const DEFAULT_RANGE: (i32, i32) = (1, 100);

/// A mistake: the TOML path of the key, and what is wrong with it and what to write.
type Mistake = (String, String);

impl Overrides {
    /// Parses the text of a values file; `source` names it in messages. Unknown sections
    /// and keys are errors naming their TOML path.
    pub fn parse(text: &str, source: &str) -> Result<Overrides, OverridesError> {
        let document: toml::Table = toml::from_str(text).map_err(|e| OverridesError::Syntax {
            path: source.to_string(),
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            message: e.message().trim().replace('\n', " "),
        })?;
        let mut overrides = Overrides {
            source: source.to_string(),
            ..Overrides::default()
        };
        overrides
            .read(document)
            .map_err(|(key, problem)| OverridesError::Key {
                path: source.to_string(),
                key,
                problem,
            })?;
        Ok(overrides)
    }

    fn read(&mut self, document: toml::Table) -> Result<(), Mistake> {
        for (section, value) in document {
            let key = toml_key(&[&section]);
            match (section.as_str(), value) {
                ("values", toml::Value::Table(table)) => {
                    self.every = parse_table(table, &[&section], false)?;
                }
                ("operations", toml::Value::Table(table)) => {
                    for (operation, value) in table {
                        self.read_operation(operation, value)?;
                    }
                }
                ("run", toml::Value::Table(table)) => self.run = parse_run(table)?,
                ("values" | "operations" | "run", _) => {
                    return Err((key, format!("must be a table: [{section}]")));
                }
                _ => {
                    let problem = "unknown section; the sections are [values], \
                        [operations.\"METHOD /path\"] and [run] (see \
                        docs/values.md#overriding-values)";
                    return Err((key, problem.to_string()));
                }
            }
        }
        Ok(())
    }

    /// `[operations."METHOD /path"]`.
    fn read_operation(&mut self, operation: String, value: toml::Value) -> Result<(), Mistake> {
        let key = toml_key(&["operations", &operation]);
        let normal = operation_key(&operation).map_err(|p| (key.clone(), p))?;
        let toml::Value::Table(table) = value else {
            let problem = format!("must be a table of values: [operations.{operation:?}]");
            return Err((key, problem));
        };
        if self.by_operation.contains_key(&normal) {
            let problem = format!("names {normal} again; give each operation one table");
            return Err((key, problem));
        }
        let table = parse_table(table, &["operations", &operation], true)?;
        self.by_operation
            .insert(normal.clone(), self.operations.len());
        self.operations.push(Scoped {
            operation: normal,
            key,
            table,
        });
        Ok(())
    }
}

/// `[values]` (`scoped` false) or one operation's table.
fn parse_table(table: toml::Table, path: &[&str], scoped: bool) -> Result<Table, Mistake> {
    let mut out = Table::default();
    for (name, value) in table {
        let mut parts = path.to_vec();
        parts.push(&name);
        let key = toml_key(&parts);
        let rule = |pick| Rule {
            key: key.clone(),
            pick,
        };
        let pick = parse_pick(value).map_err(|p| (key.clone(), p))?;
        match target(&name).map_err(|p| (key.clone(), p))? {
            Target::Name(name) => {
                out.names.insert(name, rule(pick));
            }
            Target::Param(at, name) => out.params.push((at, name, rule(pick))),
            Target::Body(_) if !scoped => {
                return Err((
                    key,
                    "a /body pointer belongs to one operation: move it under \
                    [operations.\"METHOD /path\"], or give the property's bare name here to set \
                    it in every operation"
                        .to_string(),
                ));
            }
            Target::Body(tokens) => out.body.push((tokens, rule(pick))),
        }
    }
    out.body.sort_by_key(|(tokens, _)| tokens.len());
    Ok(out)
}

/// What a key addresses.
enum Target {
    Name(String),
    Param(Location, String),
    Body(Vec<String>),
}

/// A bare name, `/LOCATION/NAME` for a parameter, or `/body[/...]`.
fn target(key: &str) -> Result<Target, String> {
    if key.is_empty() {
        return Err(
            "an empty key names nothing; give a parameter or property name, or a JSON \
                    pointer such as /query/limit"
                .to_string(),
        );
    }
    let Some(pointer) = key.strip_prefix('/') else {
        return Ok(Target::Name(key.to_string()));
    };
    let tokens = pointer
        .split('/')
        .map(|token| unescape(token, key))
        .collect::<Result<Vec<String>, String>>()?;
    let (first, rest) = tokens
        .split_first()
        .expect("split yields one token at least");
    if first == "body" {
        return Ok(Target::Body(rest.to_vec()));
    }
    match (Location::parse(first), rest) {
        (Some(at), [name]) if !name.is_empty() => Ok(Target::Param(at, name.clone())),
        (Some(at), _) => Err(format!(
            "the JSON pointer {key} is not /{0}/NAME; a parameter pointer has its location and \
             one name, as /{0}/limit",
            at.as_str()
        )),
        (None, _) => Err(format!(
            "the JSON pointer {key} does not start with /path/, /query/, /header/, /cookie/ or \
             /body; write one of those, or a bare name (no leading /)"
        )),
    }
}

/// One JSON-pointer token: `~1` is `/`, `~0` is `~`.
fn unescape(token: &str, key: &str) -> Result<String, String> {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c != '~' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('0') => out.push('~'),
            Some('1') => out.push('/'),
            _ => {
                return Err(format!(
                    "the JSON pointer {key} is malformed: `~` must be followed by 0 (for ~) \
                     or 1 (for /)"
                ))
            }
        }
    }
    Ok(out)
}

/// A scalar is a fixed value, an array a list to draw from, a table `{ value = ... }` or
/// `{ generator = "...", min = .., max = .. }`.
fn parse_pick(value: toml::Value) -> Result<Pick, String> {
    match value {
        toml::Value::Array(items) if items.is_empty() => Err("an empty list has nothing to draw \
            from; give one value at least, or { value = [] } to send an empty array"
            .to_string()),
        toml::Value::Array(items) => Ok(Pick::OneOf(
            items.into_iter().map(json).collect::<Result<_, _>>()?,
        )),
        toml::Value::Table(table) => parse_rule_table(table),
        scalar => Ok(Pick::Fixed(json(scalar)?)),
    }
}

fn parse_rule_table(mut table: toml::Table) -> Result<Pick, String> {
    if let Some(unknown) = table
        .keys()
        .find(|k| !["value", "generator", "min", "max"].contains(&k.as_str()))
    {
        return Err(format!(
            "unknown key `{unknown}`; a table here takes `value` or `generator` (with `min` and \
             `max` for int and number); to send an object, write {{ value = {{ ... }} }}"
        ));
    }
    let (min, max) = (table.remove("min"), table.remove("max"));
    match (table.remove("value"), table.remove("generator")) {
        (Some(_), Some(_)) => Err("give `value` or `generator`, not both".to_string()),
        (Some(_), None) if min.is_some() || max.is_some() => Err("`min` and `max` go with \
            generator = \"int\" or \"number\", not with `value`"
            .to_string()),
        (Some(value), None) => Ok(Pick::Fixed(json(value)?)),
        (None, Some(toml::Value::String(name))) => parse_generator(&name, min, max),
        (None, Some(_)) => {
            Err("`generator` takes a name in quotes, as generator = \"email\"".to_string())
        }
        (None, None) => Err(
            "a table needs `value = ...` (a fixed value; the way to send an array \
            or object) or `generator = \"...\"`"
                .to_string(),
        ),
    }
}

fn parse_generator(
    name: &str,
    min: Option<toml::Value>,
    max: Option<toml::Value>,
) -> Result<Pick, String> {
    let generator = match name {
        "int" => {
            let (min, max) = range(name, min, max, "an integer", |v| v.as_integer())?;
            Generator::Int { min, max }
        }
        "number" => {
            let (min, max) = range(name, min, max, "a finite number", |v| match v {
                toml::Value::Integer(i) => Some(*i as f64),
                toml::Value::Float(f) => Some(*f).filter(|f| f.is_finite()),
                _ => None,
            })?;
            Generator::Number { min, max }
        }
        _ if min.is_some() || max.is_some() => {
            return Err(format!(
                "`min` and `max` go with generator = \"int\" or \"number\", not {name:?}"
            ))
        }
        "bool" => Generator::Bool,
        _ => match fake::GENERATORS.iter().find(|g| **g == name) {
            Some(known) => Generator::Fake(known),
            None => {
                let mut all: Vec<&str> = fake::GENERATORS.to_vec();
                all.extend(NUMERIC_GENERATORS);
                let all = all.join(", ");
                return Err(format!("there is no generator {name:?}; use one of {all}"));
            }
        },
    };
    Ok(Pick::Generate(generator))
}

/// `min` and `max` of a numeric generator (`DEFAULT_RANGE` where left out).
fn range<T: PartialOrd + std::fmt::Display + From<i32>>(
    generator: &str,
    min: Option<toml::Value>,
    max: Option<toml::Value>,
    must_be: &str,
    read: fn(&toml::Value) -> Option<T>,
) -> Result<(T, T), String> {
    let bound = |value: Option<toml::Value>, which: &str, default: i32| match value {
        None => Ok(T::from(default)),
        Some(value) => read(&value)
            .ok_or_else(|| format!("`{which}` of generator = {generator:?} must be {must_be}")),
    };
    let min = bound(min, "min", DEFAULT_RANGE.0)?;
    let max = bound(max, "max", DEFAULT_RANGE.1)?;
    if min > max {
        let (low, high) = DEFAULT_RANGE;
        return Err(format!(
            "min {min} is above max {max} (when left out, they are {low} and {high})"
        ));
    }
    Ok((min, max))
}

/// `[run]`: `include` and `exclude` lists of `METHOD /path` patterns.
fn parse_run(table: toml::Table) -> Result<Filter, Mistake> {
    let mut filter = Filter::default();
    for (name, value) in table {
        let key = toml_key(&["run", &name]);
        let list = match name.as_str() {
            "include" => &mut filter.include,
            "exclude" => &mut filter.exclude,
            _ => {
                return Err((
                    key,
                    "unknown key; [run] takes `include` and `exclude`".to_string(),
                ))
            }
        };
        let patterns = match value {
            toml::Value::Array(items) => items
                .into_iter()
                .map(|item| match item {
                    toml::Value::String(s) => Some(s),
                    _ => None,
                })
                .collect::<Option<Vec<String>>>(),
            _ => None,
        };
        *list = patterns.ok_or_else(|| {
            (
                key,
                "give a list of \"METHOD /path\" patterns, as [\"GET /docman/*\"]".to_string(),
            )
        })?;
    }
    Ok(filter)
}

/// `post /docman/tickets` → `POST /docman/tickets`.
fn operation_key(key: &str) -> Result<String, String> {
    let problem = || {
        "expected \"METHOD /path\" with the app's prefix, as \"POST /docman/tickets\"; \
         `discover` lists the operations"
            .to_string()
    };
    let (method, path) = key.trim().split_once(' ').ok_or_else(problem)?;
    let (method, path) = (method.to_ascii_uppercase(), path.trim());
    let known = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"].contains(&method.as_str());
    if !known || !path.starts_with('/') || path.contains(char::is_whitespace) {
        return Err(problem());
    }
    Ok(format!("{method} {path}"))
}

/// A TOML value as JSON: datetimes become their RFC 3339 text.
fn json(value: toml::Value) -> Result<Value, String> {
    Ok(match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| format!("{f} cannot be sent as JSON; give a finite number"))?,
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => {
            Value::Array(items.into_iter().map(json).collect::<Result<_, _>>()?)
        }
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| Ok((k, json(v)?)))
                .collect::<Result<Map<String, Value>, String>>()?,
        ),
    })
}

/// A TOML path as written in the file: bare keys where allowed, else quoted.
fn toml_key(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|part| {
            let bare = !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if bare {
                part.to_string()
            } else {
                format!("{part:?}")
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |before| before.matches('\n').count() + 1)
}

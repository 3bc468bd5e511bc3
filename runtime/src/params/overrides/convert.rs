//! How an overridden JSON value becomes the typed field of a generated parameter struct:
//! the way a person means it, or not at all (which `Overrides::check` reports).

use serde_json::Value;

/// A typed parameter value from an overridden JSON value, converted the way a person
/// means it: `"5"` is the integer 5, `42` the text "42", `["a", "b"]` the text "a,b".
/// `None` when it cannot be (`"many"` as an integer).
pub trait FromOverride: Sized {
    /// What the type takes, for messages: "an integer".
    const TAKES: &'static str;
    fn from_override(value: &Value) -> Option<Self>;
}

impl FromOverride for i64 {
    const TAKES: &'static str = "an integer";
    fn from_override(value: &Value) -> Option<Self> {
        match value {
            Value::Number(n) => n.as_i64().or_else(|| {
                let f = n.as_f64()?;
                (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
            }),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

impl FromOverride for f64 {
    const TAKES: &'static str = "a number";
    fn from_override(value: &Value) -> Option<Self> {
        match value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok().filter(|f: &f64| f.is_finite()),
            _ => None,
        }
    }
}

impl FromOverride for bool {
    const TAKES: &'static str = "true or false";
    fn from_override(value: &Value) -> Option<Self> {
        match value {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }
}

impl FromOverride for String {
    const TAKES: &'static str = "text";
    fn from_override(value: &Value) -> Option<Self> {
        Some(match value {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            Value::Array(_) => crate::params::ParamText::texts(value).join(","),
            other => other.to_string(),
        })
    }
}

impl FromOverride for Value {
    const TAKES: &'static str = "any JSON value";
    fn from_override(value: &Value) -> Option<Self> {
        Some(value.clone())
    }
}

/// An overridden optional parameter is sent.
impl<T: FromOverride> FromOverride for Option<T> {
    const TAKES: &'static str = T::TAKES;
    fn from_override(value: &Value) -> Option<Self> {
        T::from_override(value).map(Some)
    }
}

/// A request body field of the generated code: required (`Value`) or optional.
pub trait BodyField: FromOverride {
    fn body_mut(&mut self) -> Option<&mut Value>;
}

impl BodyField for Value {
    fn body_mut(&mut self) -> Option<&mut Value> {
        Some(self)
    }
}

impl BodyField for Option<Value> {
    fn body_mut(&mut self) -> Option<&mut Value> {
        self.as_mut()
    }
}

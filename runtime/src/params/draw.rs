//! The parameter table of a generated operation and the drawer its `sample` goes
//! through. Generated code lists each parameter once, as data ([`Field`]: where it goes,
//! its name, its schema text, what it names), and `sample` is one `draw.param()` or
//! `draw.body()` per field, the type coming from the struct field. The order of values
//! (overrides, ids the user made, the schema's examples and fakes) lives here, once,
//! instead of in closures per parameter, which made each operation's code large to
//! compile.

use super::{FromJson, Location, Schemas, Shape, Values};
use serde_json::Value;
use std::sync::OnceLock;

/// One parameter or the body of an operation, as the spec describes it.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// Where a parameter goes; `None` for the body.
    pub at: Option<Location>,
    /// The parameter's name (`body` for the body), which overrides and fakes go by.
    pub name: &'static str,
    /// Its JSON schema, as text from the spec; compiled on the first draw.
    pub schema: &'static str,
    /// The resource it names: drawn from the ids the user created first.
    pub resource: Option<&'static str>,
    /// An optional header the spec says nothing concrete about: left out unless
    /// overridden, since made-up text there is rejected, not load.
    pub silent: bool,
    /// A JSON or form body, whose top-level `*_id` properties take the user's ids.
    pub chained_body: bool,
}

impl Field {
    /// A path, query, header or cookie parameter.
    pub const fn param(at: Location, name: &'static str, schema: &'static str) -> Field {
        Field {
            at: Some(at),
            name,
            schema,
            resource: None,
            silent: false,
            chained_body: false,
        }
    }

    /// The request body.
    pub const fn body(schema: &'static str) -> Field {
        Field {
            at: None,
            name: "body",
            schema,
            resource: None,
            silent: false,
            chained_body: false,
        }
    }

    /// The parameter names `resource`.
    pub const fn names(mut self, resource: &'static str) -> Field {
        self.resource = Some(resource);
        self
    }

    /// The parameter is left out unless overridden.
    pub const fn silent(mut self) -> Field {
        self.silent = true;
        self
    }

    /// The body's `*_id` properties take the user's ids.
    pub const fn chained(mut self) -> Field {
        self.chained_body = true;
        self
    }
}

/// Every field of one operation, and their schemas compiled once.
pub struct Fields {
    /// `METHOD /path`, which overrides scoped to the operation go by.
    pub operation: &'static str,
    pub fields: &'static [Field],
    /// The app's shared schemas, which the fields' `$ref`s name.
    schemas: Option<&'static Schemas>,
    shapes: OnceLock<Vec<Shape>>,
}

impl Fields {
    pub const fn new(operation: &'static str, fields: &'static [Field]) -> Fields {
        Fields {
            operation,
            fields,
            schemas: None,
            shapes: OnceLock::new(),
        }
    }

    /// Fields whose schemas refer to the app's shared `schemas`.
    pub const fn shared(
        operation: &'static str,
        fields: &'static [Field],
        schemas: &'static Schemas,
    ) -> Fields {
        Fields {
            operation,
            fields,
            schemas: Some(schemas),
            shapes: OnceLock::new(),
        }
    }

    /// The compiled schemas, in field order.
    pub fn shapes(&self) -> &[Shape] {
        self.shapes.get_or_init(|| {
            self.fields
                .iter()
                .map(|field| Shape::from_json_text_in(field.schema, self.schemas))
                .collect()
        })
    }

    /// Starts drawing the operation's fields, in order, from `values`.
    pub fn drawer<'a>(&'static self, values: &'a mut Values) -> Drawer<'a> {
        if !self.fields.is_empty() {
            values.enter(self.operation);
        }
        Drawer {
            values,
            fields: self,
            next: 0,
        }
    }
}

/// Draws an operation's fields one after another (see [`Fields::drawer`]).
pub struct Drawer<'a> {
    values: &'a mut Values,
    fields: &'static Fields,
    next: usize,
}

impl Drawer<'_> {
    /// The next field, a parameter, as `T` (`i64`, `String`, `Option<bool>`, ...).
    pub fn param<T: Drawn>(&mut self) -> T {
        let (field, shape) = self.advance();
        let at = field.at.unwrap_or(Location::Query);
        T::draw(self.values, at, field, shape)
    }

    /// The next field, the body, as `Value` or, when optional, `Option<Value>`.
    pub fn body<T: DrawnBody>(&mut self) -> T {
        let (field, shape) = self.advance();
        T::draw(self.values, field, shape)
    }

    fn advance(&mut self) -> (&'static Field, &'static Shape) {
        let index = self.next;
        self.next += 1;
        (&self.fields.fields[index], &self.fields.shapes()[index])
    }
}

/// A parameter type `draw.param()` can produce.
pub trait Drawn: Sized {
    fn draw(values: &mut Values, at: Location, field: &Field, shape: &Shape) -> Self;
}

/// A type a schema draws directly: what `Values::integer`, `string`, ... return.
trait Plain: FromJson + super::FromOverride + Sized {
    fn plain(values: &mut Values, shape: &Shape, name: &str) -> Self;

    /// An id the user created when the field names a resource, else a drawn value.
    fn chained(values: &mut Values, field: &Field, shape: &Shape) -> Self {
        match field.resource {
            Some(resource) => values.chained(resource, field.name, |values| {
                Self::plain(values, shape, field.name)
            }),
            None => Self::plain(values, shape, field.name),
        }
    }
}

macro_rules! drawn {
    ($($ty:ty => $draw:ident),* $(,)?) => {$(
        impl Plain for $ty {
            fn plain(values: &mut Values, shape: &Shape, name: &str) -> Self {
                values.$draw(shape, name)
            }
        }

        impl Drawn for $ty {
            fn draw(values: &mut Values, at: Location, field: &Field, shape: &Shape) -> Self {
                values.param(at, field.name, |values| Self::chained(values, field, shape))
            }
        }

        impl Drawn for Option<$ty> {
            fn draw(values: &mut Values, at: Location, field: &Field, shape: &Shape) -> Self {
                if field.silent {
                    return values.param(at, field.name, |_| None);
                }
                // A create's optional reference to a parent the user holds is sent: made
                // under the user's own (`?tenant=`), not where the app's default puts
                // it, so its delete, under the same parent, finds it.
                let held = field
                    .resource
                    .is_some_and(|r| values.creating && !values.pool.is_empty(r));
                let sent = values.param(at, field.name, |values| {
                    values.optional(held, |values| <$ty>::chained(values, field, shape))
                });
                // A create's parameters say where it is made (`?tenant=`, or, left out,
                // its default `default_tenant`): its context keeps them, so the delete
                // and reads, whose path names the parent, name that one and not another
                // the user holds. Only parameters of the same name read it.
                if values.creating && !values.drawn.iter().any(|(name, _)| *name == field.name) {
                    let made_in = match &sent {
                        Some(sent) => serde_json::to_value(sent).ok(),
                        None => shape.default.clone(),
                    };
                    // Names only: a number left to its default is a page size or a
                    // count, and the ledger reads the context as what the resource is in.
                    if let Some(made_in) = made_in.filter(Value::is_string) {
                        values.drawn.push((field.name, made_in));
                    }
                }
                sent
            }
        }
    )*};
}

drawn! {
    i64 => integer,
    f64 => number,
    bool => boolean,
    String => string,
    Value => value,
}

/// A body type `draw.body()` can produce: `Value`, or `Option<Value>` when optional.
pub trait DrawnBody: Sized {
    fn draw(values: &mut Values, field: &Field, shape: &Shape) -> Self;
}

/// A drawn body, its `*_id` properties chained when the field says so.
fn body_value(values: &mut Values, field: &Field, shape: &Shape) -> Value {
    let body = values.value(shape, field.name);
    let body = values.unique_names(body, shape);
    match field.chained_body {
        true => values.chained_body(body),
        false => body,
    }
}

impl DrawnBody for Value {
    fn draw(values: &mut Values, field: &Field, shape: &Shape) -> Self {
        values.body(|values| body_value(values, field, shape))
    }
}

impl DrawnBody for Option<Value> {
    fn draw(values: &mut Values, field: &Field, shape: &Shape) -> Self {
        values.body(|values| values.optional(false, |values| body_value(values, field, shape)))
    }
}

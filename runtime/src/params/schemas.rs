//! An app's shared component schemas at run time: each schema's JSON text is embedded
//! once in the generated code ([`Schemas`], one static per app) and compiled once, on
//! first use, into one [`Shape`]; every `$ref` to it is a [`Kind::Ref`] pointing at that
//! shape, never a copy. Recursion is cut while values are drawn or checked, where
//! inlining used to cut it: a reference already being followed, or [`MAX_REF_DEPTH`]
//! references deep, stands for a recursive schema ([`RefPath`]).

use super::shape::{Kind, Shape};
use serde_json::Value;
use std::sync::OnceLock;

/// How many references deep a value follows before the rest counts as recursive.
pub const MAX_REF_DEPTH: usize = 6;
/// How many references in a row (`A` is `$ref: B` is `$ref: C` ...) are followed when
/// only the schema a reference stands for is wanted.
const MAX_ALIASES: usize = 64;

/// The prefix of a local component schema reference.
pub const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

/// The component schemas of one app: `(name, JSON text)` sorted by name, as generated.
pub struct Schemas {
    entries: &'static [(&'static str, &'static str)],
    shapes: OnceLock<Vec<Shape>>,
}

impl std::fmt::Debug for Schemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Schemas({} entries)", self.entries.len())
    }
}

impl Schemas {
    /// The table the generated code embeds; `entries` sorted by name.
    pub const fn new(entries: &'static [(&'static str, &'static str)]) -> Schemas {
        Schemas {
            entries,
            shapes: OnceLock::new(),
        }
    }

    /// The index of schema `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.entries
            .binary_search_by(|(entry, _)| (*entry).cmp(name))
            .ok()
    }

    /// The name of schema `index`.
    pub fn name(&self, index: usize) -> &'static str {
        self.entries.get(index).map_or("", |(name, _)| name)
    }

    /// Every schema compiled, once, in table order.
    pub fn shapes(&'static self) -> &'static [Shape] {
        self.shapes.get_or_init(|| {
            let mut compiler = Compiler::building(self);
            for index in 0..self.entries.len() {
                compiler.ensure(index);
            }
            match compiler.mode {
                Mode::Building { done, .. } => {
                    done.into_iter().map(Option::unwrap_or_default).collect()
                }
                _ => Vec::new(),
            }
        })
    }

    /// The compiled schema at `index`.
    pub fn shape(&'static self, index: usize) -> Option<&'static Shape> {
        self.shapes().get(index)
    }
}

/// Resolves references while a schema compiles: into a finished table, or into the
/// table being built (each entry compiled once; one on the way is not entered twice).
pub struct Compiler {
    registry: Option<&'static Schemas>,
    mode: Mode,
}

enum Mode {
    Standalone,
    Finished,
    Building {
        done: Vec<Option<Shape>>,
        busy: Vec<bool>,
    },
}

impl Compiler {
    /// For a self-contained schema: a `$ref` is any value.
    pub fn standalone() -> Compiler {
        Compiler {
            registry: None,
            mode: Mode::Standalone,
        }
    }

    /// For a schema whose `$ref`s name entries of `registry`.
    pub fn within(registry: Option<&'static Schemas>) -> Compiler {
        Compiler {
            registry,
            mode: match registry {
                Some(_) => Mode::Finished,
                None => Mode::Standalone,
            },
        }
    }

    fn building(registry: &'static Schemas) -> Compiler {
        let n = registry.entries.len();
        Compiler {
            registry: Some(registry),
            mode: Mode::Building {
                done: (0..n).map(|_| None).collect(),
                busy: vec![false; n],
            },
        }
    }

    /// The kind of `{"$ref": reference}`: a reference to the registry's entry, or any
    /// value when it names none.
    pub fn reference(&self, reference: &str) -> Kind {
        let found = self.registry.and_then(|registry| {
            let name = reference.strip_prefix(SCHEMA_REF_PREFIX)?;
            Some((registry, registry.index(name)?))
        });
        match found {
            Some((schemas, index)) => Kind::Ref { index, schemas },
            None => Kind::Any,
        }
    }

    /// What a compiled shape stands for, references followed (for `allOf`, which
    /// merges its members now); `None` for one still compiling (a cycle of `allOf`s).
    pub fn target(&mut self, shape: &Shape) -> Option<Shape> {
        let mut current = shape.clone();
        for _ in 0..MAX_ALIASES {
            let Kind::Ref { index, schemas } = current.kind else {
                return Some(current);
            };
            current = match &mut self.mode {
                Mode::Building { .. } => {
                    self.ensure(index);
                    match &self.mode {
                        Mode::Building { done, .. } => done[index].clone()?,
                        _ => return None,
                    }
                }
                _ => schemas.shape(index)?.clone(),
            };
        }
        None
    }

    fn ensure(&mut self, index: usize) {
        let Some(registry) = self.registry else {
            return;
        };
        match &mut self.mode {
            Mode::Building { done, busy } if done[index].is_none() && !busy[index] => {
                busy[index] = true;
            }
            _ => return,
        }
        let text = registry.entries[index].1;
        let shape = serde_json::from_str::<Value>(text)
            .map(|value| Shape::compile_with(&value, self))
            .unwrap_or_default();
        if let Mode::Building { done, busy } = &mut self.mode {
            done[index] = Some(shape);
            busy[index] = false;
        }
    }
}

/// Identifies one entry of one registry.
type RefKey = (usize, usize);

/// What following a shape through a [`RefPath`] gives.
pub enum Follow {
    /// The shape is not a reference.
    NotRef,
    /// The reference's target, entered (leave with [`RefPath::leave`]).
    Target(&'static Shape),
    /// The reference is cut: already followed, or too deep.
    Cut,
}

/// The references followed on the way down one value, which cut recursion.
#[derive(Default, Clone, Debug)]
pub struct RefPath {
    keys: Vec<RefKey>,
}

impl RefPath {
    /// Follows a reference shape into its target (see [`Follow`]).
    pub fn enter(&mut self, shape: &Shape) -> Follow {
        let Kind::Ref { index, schemas } = shape.kind else {
            return Follow::NotRef;
        };
        let key = (schemas as *const Schemas as usize, index);
        if self.keys.contains(&key) || self.keys.len() >= MAX_REF_DEPTH {
            return Follow::Cut;
        }
        let Some(target) = schemas.shape(index) else {
            return Follow::Cut;
        };
        self.keys.push(key);
        Follow::Target(target)
    }

    /// Leaves the last reference entered.
    pub fn leave(&mut self) {
        self.keys.pop();
    }

    /// The kind `shape` stands for here: references followed; `Recursive` when cut.
    pub fn kind<'s>(&self, shape: &'s Shape) -> &'s Kind {
        let mut probe = self.clone();
        let mut current: &Shape = shape;
        // Targets are 'static; the borrow of `shape` is the shortest one.
        loop {
            match probe.enter(current) {
                Follow::Target(target) => current = target,
                Follow::NotRef => return &current.kind,
                Follow::Cut => return &Kind::Recursive,
            }
        }
    }
}

impl Shape {
    /// The shape a reference stands for (aliases followed), or the shape itself: for
    /// looking at an object's properties, never for drawing (no recursion cut).
    pub fn resolved(&self) -> &Shape {
        let mut current = self;
        for _ in 0..MAX_ALIASES {
            match current.kind {
                Kind::Ref { index, schemas } => match schemas.shape(index) {
                    Some(target) => current = target,
                    None => return current,
                },
                _ => return current,
            }
        }
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static NODES: Schemas = Schemas::new(&[
        (
            "Base",
            r#"{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}"#,
        ),
        (
            "Loop",
            r##"{"allOf":[{"$ref":"#/components/schemas/Loop"}]}"##,
        ),
        (
            "Node",
            r##"{"allOf":[{"$ref":"#/components/schemas/Base"},{"type":"object","properties":{"child":{"$ref":"#/components/schemas/Node"}}}]}"##,
        ),
    ]);

    #[test]
    fn each_schema_compiles_once_and_all_of_members_merge_through_references() {
        let node = NODES.shape(NODES.index("Node").unwrap()).unwrap();
        let Kind::Object { properties, .. } = &node.kind else {
            panic!("{node:?}");
        };
        let names: Vec<&str> = properties.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["id", "child"]);
        // The child is a reference to the one compiled Node, not a copy of it.
        assert!(std::ptr::eq(properties[1].shape.resolved(), node));
        // A schema that is its own allOf member compiles (to anything) and does not hang.
        assert!(NODES.shape(NODES.index("Loop").unwrap()).is_some());
    }

    #[test]
    fn a_reference_path_cuts_recursion_and_depth() {
        let node = NODES.shape(NODES.index("Node").unwrap()).unwrap();
        let Kind::Object { properties, .. } = &node.kind else {
            panic!()
        };
        let child = &properties[1].shape;
        let mut path = RefPath::default();
        assert!(matches!(path.kind(child), Kind::Object { .. }));
        assert!(matches!(path.enter(child), Follow::Target(_)));
        assert!(matches!(path.kind(child), Kind::Recursive));
        path.leave();
        assert!(matches!(path.kind(child), Kind::Object { .. }));
    }
}

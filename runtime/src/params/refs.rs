//! The references followed on the way down one value, drawn or checked: a reference
//! already being followed, or [`MAX_REF_DEPTH`] references deep, stands for a recursive
//! schema, where inlining used to cut it.

use super::shape::{Kind, Schemas, Shape};

/// How many references deep a value follows before the rest counts as recursive.
pub const MAX_REF_DEPTH: usize = 6;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::shape::tests::NODES;

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

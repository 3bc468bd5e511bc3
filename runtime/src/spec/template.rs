//! A path template's pieces (`/users/{user_id}/keys` → `/users/`, `{user_id}`, `/keys`):
//! the one scanner of `{name}`s that planning, code generation and the fuzz documents use.

/// One piece of a path template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text sent as it is.
    Literal(&'a str),
    /// The name inside `{...}`.
    Param(&'a str),
}

/// The pieces of `path` in order; an unclosed `{` and what follows is literal text.
pub fn pieces(path: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        if open > 0 {
            out.push(Piece::Literal(&rest[..open]));
        }
        out.push(Piece::Param(&after[..close]));
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Literal(rest));
    }
    out
}

/// The names inside `{...}` in a path template, in order.
pub fn names(path: &str) -> impl Iterator<Item = &str> {
    pieces(path).into_iter().filter_map(|piece| match piece {
        Piece::Param(name) => Some(name),
        Piece::Literal(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_split_literals_from_parameters() {
        assert_eq!(
            pieces("/a/{x}/b/{y_id}"),
            vec![
                Piece::Literal("/a/"),
                Piece::Param("x"),
                Piece::Literal("/b/"),
                Piece::Param("y_id"),
            ]
        );
        assert_eq!(pieces("{x}{y}"), vec![Piece::Param("x"), Piece::Param("y")]);
        assert_eq!(pieces("/a/{unclosed"), vec![Piece::Literal("/a/{unclosed")]);
        assert_eq!(
            names("/a/{x}/b/{y_id}").collect::<Vec<_>>(),
            vec!["x", "y_id"]
        );
        assert_eq!(names("/a/{unclosed").count(), 0);
    }
}

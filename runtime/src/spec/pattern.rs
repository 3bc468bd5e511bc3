//! `METHOD /path` patterns, as the configuration and the values file write them
//! (`"GET /users/*"`, `"DELETE *"`, `"/health"`): the one matcher of operations by
//! pattern, for the filter, the mix and what the run leaves out.

/// `GET /docman/*` matches GET requests under /docman; `/docman/*` matches every method.
pub fn matches(pattern: &str, method: &str, path: &str) -> bool {
    let pattern = pattern.trim();
    let (want_method, want_path) = match pattern.split_once(' ') {
        Some((m, p)) => (Some(m.trim()), p.trim()),
        None => (None, pattern),
    };
    want_method.is_none_or(|m| m == "*" || m.eq_ignore_ascii_case(method)) && glob(want_path, path)
}

/// `*` matches any run of characters (including `/`); everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_runs_of_characters() {
        assert!(glob("/a/*", "/a/b/c"));
        assert!(glob("*/history", "/t/{id}/history"));
        assert!(!glob("/a/*", "/b/a"));
        assert!(glob("/a", "/a"));
        assert!(glob("*", ""));
        assert!(!glob("/a*b*c", "/acb"));
    }
}

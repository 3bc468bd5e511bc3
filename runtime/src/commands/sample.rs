//! `sample "METHOD /path"`: prints requests exactly as the generated transaction would
//! send them, without sending anything.

use super::CommandError;
use crate::params::{OperationInfo, Values};

/// Prints `count` requests for the operation `selector` (`GET /docman/tickets`), drawn
/// with `seed`, from the generated `operations`.
pub fn run(
    operations: &[&'static OperationInfo],
    selector: &str,
    count: usize,
    seed: u64,
    origin: &str,
) -> Result<(), CommandError> {
    let (method, path) = selector
        .trim()
        .split_once(' ')
        .map(|(m, p)| (m.trim(), p.trim()))
        .ok_or_else(|| {
            CommandError::Usage(format!(
                "parse {selector:?}: expected \"METHOD /path\", e.g. \"GET /health\""
            ))
        })?;
    let info = operations
        .iter()
        .find(|info| info.method.eq_ignore_ascii_case(method) && info.path == path)
        .ok_or_else(|| {
            CommandError::Usage(format!(
                "find operation {method} {path}: not generated; `discover` lists the operations"
            ))
        })?;
    let mut values = Values::new(crate::rng::from_seed(seed));
    for i in 0..count {
        if i > 0 {
            println!();
        }
        let parts = (info.sample)(&mut values);
        print!("{}", parts.describe(origin));
    }
    Ok(())
}

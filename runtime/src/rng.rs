//! The one seedable source of randomness: a seed per run, and from it one generator per
//! user and stream, so `--seed N` replays the values of a run.

use rand::rngs::SmallRng;
use rand::SeedableRng;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

static RUN_SEED: OnceLock<u64> = OnceLock::new();

/// The number of this process's first user in the whole run: 0, unless this process runs
/// one shard of a run split over several (`--shard`), so each user draws the values the
/// same user of an unsplit run draws. Read once per user, when its generator is made.
static USER_OFFSET: AtomicUsize = AtomicUsize::new(0);

/// Numbers this process's users from `offset` on (see [`USER_OFFSET`]).
pub fn set_user_offset(offset: usize) {
    USER_OFFSET.store(offset, Ordering::Relaxed);
}

/// Fixes the run's seed (a random one when `None`) and returns it; later calls keep the first.
pub fn init(seed: Option<u64>) -> u64 {
    *RUN_SEED.get_or_init(|| seed.unwrap_or_else(rand::random))
}

/// The run's seed; fixes a random one if `init` was not called.
pub fn seed() -> u64 {
    init(None)
}

/// A generator for one user (`weighted_users_index`) and one stream (a scenario, say),
/// derived from the run's seed so users draw different but replayable values.
pub fn for_user(user_index: usize, stream: u64) -> SmallRng {
    let user = user_index.wrapping_add(USER_OFFSET.load(Ordering::Relaxed));
    SmallRng::seed_from_u64(derive(seed(), user as u64, stream))
}

/// A generator for a given seed alone, for tests.
pub fn from_seed(seed: u64) -> SmallRng {
    SmallRng::seed_from_u64(derive(seed, 0, 0))
}

/// The generator user `user_index` of a run seeded `seed` gets for `stream` (in a
/// process that runs every user): what `sample` draws from.
pub fn of_seed(seed: u64, user_index: usize, stream: u64) -> SmallRng {
    SmallRng::seed_from_u64(derive(seed, user_index as u64, stream))
}

/// A stable hash of a name (FNV-1a), to derive a stream from it: the same in every
/// process and build, unlike `std`'s hasher.
pub fn hash_str(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Mixes the parts with SplitMix64 steps so nearby inputs give unrelated seeds.
fn derive(seed: u64, user: u64, stream: u64) -> u64 {
    let mut x = seed;
    for part in [user, stream] {
        x = splitmix64(x ^ splitmix64(part.wrapping_add(0x9E37_79B9_7F4A_7C15)));
    }
    x
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn same_inputs_give_the_same_stream_and_users_differ() {
        let draw = |user, stream| {
            let mut rng = SmallRng::seed_from_u64(derive(42, user, stream));
            (0..4).map(|_| rng.random::<u64>()).collect::<Vec<_>>()
        };
        assert_eq!(draw(3, 1), draw(3, 1));
        assert_ne!(draw(3, 1), draw(4, 1));
        assert_ne!(draw(3, 1), draw(3, 2));
    }
}

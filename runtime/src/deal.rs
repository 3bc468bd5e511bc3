//! Dealing a generated app's operations across its users. Each app has one shared deck:
//! every operation appears in it as often as its weight in the mix says, producers
//! before the operations that use what they make, deletes last, copies of one operation
//! spread evenly. Each transaction a user runs takes the next card, so the app's U users
//! together reach all N operations of a pass within about N·W/U seconds (W the mean
//! think time), however many users the app got. A user that is dealt an operation
//! needing a resource it does not hold makes one first (`transaction`), so what each
//! user creates, uses and deletes stays in that order for that user. Such a request,
//! sent outside the deal, takes the place of its operation's next card (`made_extra`):
//! the app's requests keep the configured mix, not the mix plus what the uses needed.

use crate::chain::POOL_CAPACITY;
use crate::params::OperationInfo;
use crate::spec::settings::MixSettings;
use crate::transaction;
use goose::goose::{GooseUser, Scenario, Transaction, TransactionFunction};
use std::cmp::Ordering as CmpOrdering;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// At most this many cards in one app's deck: weights that differ by more than this
/// over the app's operations are an error, not a deck of millions.
pub const MAX_CARDS: usize = 1_000_000;

/// The name of the one transaction a dealt scenario runs: the next card of its deck.
pub const DEAL_TRANSACTION: &str = "next operation";

/// Why the mix cannot be dealt.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MixError {
    #[error(
        "mix.apps names {app:?}, which is not an app of this binary; the apps are: {known} \
         (`discover` lists them)"
    )]
    UnknownApp { app: String, known: String },
    #[error(
        "the mix's weights for {app} need {cards} cards in one pass (at most {MAX_CARDS}): \
         the heaviest operation weighs more than {MAX_CARDS} times the lightest; bring the \
         [mix] weights closer together or set the light ones to 0"
    )]
    TooManyCards { app: String, cards: usize },
}

/// One app's deck and what it dealt.
pub struct Deck {
    /// The scenario's name, `Generated <app>`.
    pub scenario: String,
    /// The app's operations in the run, each with its weight.
    pub operations: Vec<(&'static OperationInfo, f64)>,
    /// Why an operation weighs 0 though the mix did not say so (`hazard`), by index.
    pub hazards: Vec<(usize, &'static str)>,
    /// Creates of what no operation of the app deletes, by index: dealt once a run,
    /// since each one would stay on the gateway.
    pub once: Vec<usize>,
    /// One pass: indices into `operations`.
    cards: Vec<u32>,
    next: AtomicUsize,
    /// How many times each operation was dealt.
    dealt: Vec<AtomicU64>,
    /// Requests of each operation sent outside the deal (a create a use needed, the
    /// delete of a full pool's oldest) whose card has not come up yet: it is skipped.
    credits: Vec<AtomicU64>,
    /// For each resource the app creates, its delete operation (index into `operations`).
    deletes: Vec<(&'static str, usize)>,
}

impl Deck {
    /// The deck of `operations` weighted by `mix`, in the order the run's `seed` gives.
    pub fn new(
        scenario: &str,
        operations: Vec<&'static OperationInfo>,
        mix: &MixSettings,
        seed: u64,
    ) -> Result<Deck, MixError> {
        let mut hazards = Vec::new();
        let operations: Vec<(&'static OperationInfo, f64)> = operations
            .into_iter()
            .enumerate()
            .map(|(i, info)| {
                let (weight, why) = crate::hazard::weight(mix, info.method, info.path);
                if let Some(why) = why {
                    hazards.push((i, why));
                }
                (info, weight)
            })
            .collect();
        let counts = counts(&operations.iter().map(|(_, w)| *w).collect::<Vec<_>>());
        let cards_len: usize = counts.iter().sum();
        if cards_len > MAX_CARDS {
            return Err(MixError::TooManyCards {
                app: scenario.to_string(),
                cards: cards_len,
            });
        }
        let phases: Vec<u8> = operations.iter().map(|(info, _)| phase(info)).collect();
        let cards = cards(&counts, &phases, seed ^ crate::rng::hash_str(scenario));
        let deletes: Vec<(&'static str, usize)> = operations
            .iter()
            .enumerate()
            .filter_map(|(i, (info, _))| info.deletes.map(|r| (r, i)))
            .collect();
        // What nothing deletes, unless it goes with a parent that is deleted (a document
        // uploaded under a session): a path's need, not a body's reference (those an
        // existing one will do for).
        let deletable = |r: &str| deletes.iter().any(|(d, _)| *d == r);
        let once = operations
            .iter()
            .enumerate()
            .filter(|(_, (info, weight))| {
                *weight > 0.0
                    && info.produces.is_some_and(|(r, _)| !deletable(r))
                    && !info
                        .needs
                        .iter()
                        .any(|n| !n.existing_will_do && deletable(n.resource))
            })
            .map(|(i, _)| i)
            .collect();
        Ok(Deck {
            scenario: scenario.to_string(),
            dealt: operations.iter().map(|_| AtomicU64::new(0)).collect(),
            credits: operations.iter().map(|_| AtomicU64::new(0)).collect(),
            operations,
            hazards,
            once,
            cards,
            next: AtomicUsize::new(0),
            deletes,
        })
    }

    /// Cards in one pass: each operation as many times as its weight gives.
    pub fn pass_len(&self) -> usize {
        self.cards.len()
    }

    /// How many cards were used, in all: dealt, or skipped since a request sent
    /// outside the deal had taken their place.
    pub fn dealt_total(&self) -> u64 {
        self.next.load(Ordering::Relaxed) as u64
    }

    /// How many times each operation was dealt, and its share of one pass.
    pub fn shares(&self) -> Vec<(&'static OperationInfo, f64, u64, f64)> {
        let len = self.cards.len().max(1) as f64;
        let mut in_pass = vec![0usize; self.operations.len()];
        for &card in &self.cards {
            in_pass[card as usize] += 1;
        }
        self.operations
            .iter()
            .zip(&self.dealt)
            .zip(in_pass)
            .map(|(((info, weight), dealt), n)| {
                (
                    *info,
                    *weight,
                    dealt.load(Ordering::Relaxed),
                    n as f64 / len,
                )
            })
            .collect()
    }

    /// The operation on the next card whose place no extra request has taken (at most
    /// one pass is skipped: then the next card is dealt whatever its credit).
    pub(crate) fn deal(&self) -> Option<&'static OperationInfo> {
        let len = self.cards.len();
        for tries in 0..=len {
            let at = self.next.fetch_add(1, Ordering::Relaxed) % len.max(1);
            let index = *self.cards.get(at)? as usize;
            if self.once.contains(&index) {
                // Dealt the first time only: nothing could delete another one.
                if self.dealt[index].fetch_add(1, Ordering::Relaxed) == 0 {
                    return Some(self.operations[index].0);
                }
                self.dealt[index].fetch_sub(1, Ordering::Relaxed);
                continue;
            }
            let credit = &self.credits[index];
            let skip = tries < len
                && credit.load(Ordering::Relaxed) > 0
                && credit
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| c.checked_sub(1))
                    .is_ok();
            if !skip {
                self.dealt[index].fetch_add(1, Ordering::Relaxed);
                return Some(self.operations[index].0);
            }
        }
        None
    }

    /// Counts a request of `info` sent outside the deal: its next card is skipped.
    fn credit(&self, info: &'static OperationInfo) -> bool {
        let found = self
            .operations
            .iter()
            .position(|(op, _)| std::ptr::eq(*op, info));
        if let Some(index) = found {
            self.credits[index].fetch_add(1, Ordering::Relaxed);
        }
        found.is_some()
    }

    /// The deck's operation that deletes `captured`, a `resource`: one whose path can
    /// reach it ([`crate::chain::fits`]), else the first.
    fn delete_of(
        &self,
        resource: &str,
        captured: &crate::chain::Captured,
    ) -> Option<&'static OperationInfo> {
        let mut deleters = self
            .deletes
            .iter()
            .filter(|(r, _)| *r == resource)
            .map(|(_, i)| self.operations[*i].0);
        let first = deleters.next()?;
        Some(crate::cleanup::fitting(first, deleters, captured))
    }
}

/// The decks of the run, for its coverage report.
static DECKS: Mutex<Vec<Arc<Deck>>> = Mutex::new(Vec::new());

/// The decks the run dealt from.
pub fn decks() -> Vec<Arc<Deck>> {
    DECKS.lock().map(|d| d.clone()).unwrap_or_default()
}

/// Says that `info` was sent outside the deal, to have what a dealt operation needed: the
/// deck that holds it skips its next card, so its share of the app's requests stays the
/// configured one.
pub fn made_extra(info: &'static OperationInfo) {
    if let Ok(decks) = DECKS.lock() {
        for deck in decks.iter() {
            if deck.credit(info) {
                return;
            }
        }
    }
}

/// Forgets the decks of an earlier run.
pub fn reset() {
    if let Ok(mut decks) = DECKS.lock() {
        decks.clear();
    }
}

/// Turns each generated scenario among `scenarios` (one whose transactions are
/// `operations` and a cleanup) into a dealt one: one transaction that runs the next card
/// of the app's deck, the same cleanup when a user stops, and the app's weight from
/// `mix.apps`. Other scenarios, and those Goose's `--scenarios` patterns (`selected`)
/// leave out, are returned as they are: no deck, so the coverage is of the run's apps.
pub fn deal_generated(
    scenarios: Vec<Scenario>,
    operations: &[&'static OperationInfo],
    mix: &MixSettings,
    seed: u64,
    selected: &[String],
) -> Result<Vec<Scenario>, MixError> {
    let apps: Vec<String> = scenarios
        .iter()
        .filter(|s| generated_operations(s, operations).is_some())
        .filter_map(|s| s.name.strip_prefix("Generated ").map(str::to_string))
        .collect();
    if let Some(app) = mix.apps.keys().find(|a| !apps.contains(a)) {
        return Err(MixError::UnknownApp {
            app: app.clone(),
            known: apps.join(", "),
        });
    }
    let mut dealt = Vec::with_capacity(scenarios.len());
    for mut scenario in scenarios {
        let ops = generated_operations(&scenario, operations)
            .filter(|_| crate::routes::is_selected(selected, &scenario.machine_name));
        let Some(ops) = ops else {
            dealt.push(scenario);
            continue;
        };
        let deck = Arc::new(Deck::new(&scenario.name, ops, mix, seed)?);
        if let Ok(mut decks) = DECKS.lock() {
            decks.push(deck.clone());
        }
        let stops: Vec<Transaction> = std::mem::take(&mut scenario.transactions)
            .into_iter()
            .filter(|t| t.on_stop)
            .collect();
        let next: TransactionFunction = Arc::new(move |user| next_card(user, &deck));
        scenario = scenario.register_transaction(Transaction::new(next).set_name(DEAL_TRANSACTION));
        for stop in stops {
            scenario = scenario.register_transaction(stop);
        }
        let app = scenario.name.strip_prefix("Generated ").unwrap_or_default();
        if let Some(&weight) = mix.apps.get(app) {
            scenario.weight = weight;
        }
        dealt.push(scenario);
    }
    Ok(dealt)
}

/// The operations of a generated scenario, in its order; `None` for any other scenario
/// (a persona's transactions are not operations).
fn generated_operations(
    scenario: &Scenario,
    operations: &[&'static OperationInfo],
) -> Option<Vec<&'static OperationInfo>> {
    let mut ops = Vec::new();
    for transaction in scenario.transactions.iter().filter(|t| !t.on_stop) {
        let name = transaction.name.name_for_transaction();
        let (method, path) = name.split_once(' ')?;
        let op = operations
            .iter()
            .find(|op| op.method == method && op.path == path)?;
        ops.push(*op);
    }
    (!ops.is_empty()).then_some(ops)
}

/// The transaction of a dealt scenario: runs the operation on the next card, as the
/// operation's own transaction future (no future of its own: this is every generated
/// request's path). A create of a kind the user already holds a full pool of deletes the
/// oldest first, so the pool (and what the run leaves for the final sweep) stays
/// bounded; the token operation of the run's login logs in with its credentials.
fn next_card<'a>(user: &'a mut GooseUser, deck: &Deck) -> transaction::Sending<'a> {
    let Some(info) = deck.deal() else {
        // Nothing left to deal (every card is a create already sent once): wait, rather
        // than spin through the deck.
        return Box::pin(async {
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            Ok(())
        });
    };
    let full = info.produces.and_then(|(resource, _)| {
        let values = crate::params::values(user);
        if values.pool.len(resource) < POOL_CAPACITY {
            return None;
        }
        let oldest = values.pool.peek_oldest(resource)?;
        let delete = deck.delete_of(resource, oldest)?;
        Some((resource, delete, values.pool.take_oldest(resource)?))
    });
    let login = crate::auth::is_token_operation(info.path);
    if full.is_none() && !login {
        return transaction::send_operation(user, info);
    }
    if let Some((_, delete, _)) = &full {
        deck.credit(delete);
    }
    Box::pin(async move {
        if let Some((resource, delete, oldest)) = full {
            let _ = transaction::delete_resource(user, delete, resource, oldest).await;
        }
        match login {
            true => transaction::send_login(user, info).await,
            false => transaction::send_operation(user, info).await,
        }
    })
}

/// Where an operation goes in a pass: producers first, then the operations that use what
/// they made, deletes last, so a pass creates, uses and deletes.
fn phase(info: &OperationInfo) -> u8 {
    if info.produces.is_some() {
        0
    } else if info.deletes.is_some() {
        2
    } else {
        1
    }
}

/// How many cards each weight gets in a pass: the lightest positive weight one card, the
/// others in proportion (rounded, at least one); a weight of 0 none.
fn counts(weights: &[f64]) -> Vec<usize> {
    let lightest = weights
        .iter()
        .copied()
        .filter(|w| *w > 0.0)
        .fold(f64::INFINITY, f64::min);
    weights
        .iter()
        .map(|&w| match w > 0.0 {
            true => ((w / lightest).round() as usize).max(1),
            false => 0,
        })
        .collect()
}

/// One pass: the phases in order; within a phase the operations in an order the seed
/// shuffles, and the copies of each spread evenly (stride scheduling: each operation
/// is due again 1/count of the phase later).
fn cards(counts: &[usize], phases: &[u8], seed: u64) -> Vec<u32> {
    use rand::seq::SliceRandom;
    let mut rng = crate::rng::from_seed(seed);
    let mut cards = Vec::with_capacity(counts.iter().sum());
    for phase in 0..=2u8 {
        let mut members: Vec<usize> = (0..counts.len())
            .filter(|&i| phases[i] == phase && counts[i] > 0)
            .collect();
        members.shuffle(&mut rng);
        let total: usize = members.iter().map(|&i| counts[i]).sum();
        // (due, rank, index): the smallest due first, ties in shuffled order.
        let mut heap: BinaryHeap<Due> = members
            .iter()
            .enumerate()
            .map(|(rank, &i)| Due {
                at: 0.5 / counts[i] as f64,
                rank,
                index: i,
            })
            .collect();
        for _ in 0..total {
            let Some(mut due) = heap.pop() else { break };
            cards.push(due.index as u32);
            due.at += 1.0 / counts[due.index] as f64;
            heap.push(due);
        }
    }
    cards
}

/// An operation and when its next copy is due in the phase.
#[derive(Debug, PartialEq)]
struct Due {
    at: f64,
    rank: usize,
    index: usize,
}

impl Eq for Due {}

impl Ord for Due {
    /// Reversed, so `BinaryHeap` (a max-heap) pops the earliest.
    fn cmp(&self, other: &Self) -> CmpOrdering {
        other
            .at
            .total_cmp(&self.at)
            .then_with(|| other.rank.cmp(&self.rank))
    }
}

impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::params::ResponseSchema;
    use std::collections::{BTreeMap, BTreeSet};

    /// A made-up operation: `produces`/`deletes` name a resource.
    pub(crate) fn op(
        method: &'static str,
        path: &str,
        produces: Option<&'static str>,
        deletes: Option<&'static str>,
    ) -> &'static OperationInfo {
        Box::leak(Box::new(OperationInfo::for_test(
            "app",
            method,
            Box::leak(path.to_string().into_boxed_str()),
            produces.map(|r| (r, crate::params::IdFrom::Field("id"))),
            deletes,
        )))
    }

    /// An app of `kinds` resources, each with a create, four reads and a delete.
    pub(crate) fn app(kinds: usize) -> Vec<&'static OperationInfo> {
        let mut ops = Vec::new();
        for k in 0..kinds {
            let kind: &'static str = Box::leak(format!("thing{k}").into_boxed_str());
            ops.push(op("GET", &format!("/{kind}s/{{id}}"), None, None));
            ops.push(op("DELETE", &format!("/{kind}s/{{id}}"), None, Some(kind)));
            ops.push(op("POST", &format!("/{kind}s"), Some(kind), None));
            ops.push(op("GET", &format!("/{kind}s"), None, None));
            ops.push(op("PATCH", &format!("/{kind}s/{{id}}"), None, None));
            ops.push(op("GET", &format!("/{kind}s/{{id}}/history"), None, None));
        }
        ops
    }

    fn clone_info(info: &OperationInfo) -> OperationInfo {
        OperationInfo {
            app: info.app,
            method: info.method,
            path: info.path,
            success: info.success,
            json_response: info.json_response,
            response: ResponseSchema::new(""),
            sample: info.sample,
            produces: info.produces,
            deletes: info.deletes,
            needs: info.needs,
            facts: Default::default(),
        }
    }

    fn mix(toml: &str) -> MixSettings {
        crate::spec::settings::parse(toml).expect("settings").mix
    }

    fn name(info: &OperationInfo) -> String {
        format!("{} {}", info.method, info.path)
    }

    #[test]
    fn a_pass_creates_first_deletes_last_and_holds_every_operation_once() {
        let deck = Deck::new("Generated app", app(3), &MixSettings::default(), 7).unwrap();
        assert_eq!(deck.pass_len(), 18);
        let pass: Vec<&OperationInfo> = (0..18).map(|_| deck.deal().unwrap()).collect();
        let phases: Vec<u8> = pass.iter().map(|info| phase(info)).collect();
        let mut sorted = phases.clone();
        sorted.sort();
        assert_eq!(phases, sorted, "producers, then uses, then deletes");
        let names: BTreeSet<String> = pass.iter().map(|i| name(i)).collect();
        assert_eq!(names.len(), 18, "each operation once per pass");
        // The next pass deals the same cards again.
        let again: Vec<String> = (0..18).map(|_| name(deck.deal().unwrap())).collect();
        assert_eq!(again, pass.iter().map(|i| name(i)).collect::<Vec<_>>());
    }

    /// U users, each taking a card every W seconds from its own start (a ramp-up of one
    /// user per `ramp` seconds), reach every one of N operations by N·W/U seconds after
    /// the last user started, whatever U is.
    #[test]
    fn a_request_sent_outside_the_deal_takes_its_operations_next_card() {
        let ops = app(1);
        let create = ops[2];
        let deck = Deck::new("Generated app", ops, &MixSettings::default(), 3).unwrap();
        // Two creates made for uses: the next two passes deal no create, the third does.
        assert!(deck.credit(create) && deck.credit(create));
        let passes: Vec<Vec<String>> = (0..2)
            .map(|_| (0..5).map(|_| name(deck.deal().unwrap())).collect())
            .collect();
        let creates = |pass: &Vec<String>| pass.iter().filter(|n| *n == "POST /thing0s").count();
        assert_eq!(creates(&passes[0]), 0, "{passes:?}");
        assert_eq!(creates(&passes[1]), 0, "{passes:?}");
        assert_eq!(name(deck.deal().unwrap()), "POST /thing0s");
        // Cards used: 2 passes of 6, the skipped ones included, and the create.
        assert_eq!(deck.dealt_total(), 13);
        let dealt_creates = deck.shares()[2].2;
        assert_eq!(dealt_creates, 1);
        // An operation of another app is not this deck's to skip.
        assert!(!deck.credit(op("POST", "/elsewhere", Some("other"), None)));
    }

    #[test]
    fn a_create_of_what_nothing_deletes_is_dealt_once_a_run() {
        let mut ops = app(1);
        ops.push(op("POST", "/tenants", Some("tenant"), None));
        let deck = Deck::new("Generated app", ops, &MixSettings::default(), 3).unwrap();
        assert_eq!(deck.once, [6]);
        let dealt: Vec<String> = (0..40).map(|_| name(deck.deal().unwrap())).collect();
        assert_eq!(dealt.iter().filter(|n| *n == "POST /tenants").count(), 1);
        // The rest of the deck goes on as before.
        assert_eq!(dealt.iter().filter(|n| *n == "POST /thing0s").count(), 7);
        // What is made under a parent that is deleted goes with it: dealt as usual.
        let session = op("POST", "/sessions", Some("session"), None);
        let mut with_parent = vec![
            session,
            op("DELETE", "/sessions/{id}", None, Some("session")),
        ];
        let upload = op("POST", "/sessions/{id}/upload", Some("doc"), None);
        let need = Box::leak(Box::new([crate::params::Need {
            resource: "session",
            producer: session,
            existing_will_do: false,
        }]));
        let upload: &'static OperationInfo = Box::leak(Box::new(OperationInfo {
            needs: need,
            ..clone_info(upload)
        }));
        with_parent.push(upload);
        let deck = Deck::new("Generated docs", with_parent, &MixSettings::default(), 3).unwrap();
        assert!(deck.once.is_empty());
        // A deck of nothing else deals it once, then nothing.
        let lone = vec![op("POST", "/tenants", Some("tenant"), None)];
        let deck = Deck::new("Generated lone", lone, &MixSettings::default(), 3).unwrap();
        assert!(deck.deal().is_some());
        assert!(deck.deal().is_none() && deck.deal().is_none());
    }

    #[test]
    fn every_operation_is_reached_within_n_w_over_u() {
        let ops = app(32); // 192 operations
        let n = ops.len();
        let (think, ramp) = (1.25, 0.2);
        for users in [1usize, 2, 3, 5, 7, 10, 20, 50] {
            let deck = Deck::new("Generated app", ops.clone(), &MixSettings::default(), 3).unwrap();
            // Events in time order: (time, user).
            let mut next: Vec<f64> = (0..users).map(|u| u as f64 * ramp).collect();
            let mut reached = BTreeSet::new();
            let mut now = 0.0;
            while reached.len() < n {
                let (user, at) = next
                    .iter()
                    .copied()
                    .enumerate()
                    .min_by(|a, b| a.1.total_cmp(&b.1))
                    .unwrap();
                now = at;
                reached.insert(name(deck.deal().unwrap()));
                next[user] = at + think;
            }
            let last_start = (users - 1) as f64 * ramp;
            let bound = last_start + (n as f64 / users as f64).ceil() * think;
            assert!(
                now <= bound + 1e-9,
                "{users} users reached all {n} operations at {now:.2} s, bound {bound:.2} s"
            );
        }
    }

    #[test]
    fn weights_set_each_operation_s_share_and_copies_are_spread() {
        let mix = mix("[mix]\nmethods = { GET = 4 }\noperations = { \"POST /thing0s\" = 2, \"* /thing1s*\" = 0 }\n");
        let deck = Deck::new("Generated app", app(2), &mix, 1).unwrap();
        // thing0: GET ×3 at 4, POST at 2, DELETE and PATCH at 1; thing1: left out.
        assert_eq!(deck.pass_len(), 3 * 4 + 2 + 1 + 1);
        let passes = 5;
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        let mut positions: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for at in 0..deck.pass_len() * passes {
            let name = name(deck.deal().unwrap());
            positions.entry(name.clone()).or_default().push(at);
            *counts.entry(name).or_default() += 1;
        }
        assert_eq!(counts["GET /thing0s"], 4 * passes);
        assert_eq!(counts["POST /thing0s"], 2 * passes);
        assert_eq!(counts["DELETE /thing0s/{id}"], passes);
        assert!(counts.keys().all(|n| !n.contains("thing1")), "{counts:?}");
        let shares = deck.shares();
        let get = shares.iter().find(|s| name(s.0) == "GET /thing0s").unwrap();
        assert_eq!((get.1, get.2), (4.0, (4 * passes) as u64));
        assert!((get.3 - 4.0 / 16.0).abs() < 1e-9);
        // The four copies of a read sit apart within its phase, not side by side.
        let reads = &positions["GET /thing0s"][..4];
        assert!(reads.windows(2).all(|w| w[1] - w[0] >= 2), "{reads:?}");
    }

    #[test]
    fn the_seed_replays_the_order_and_another_seed_changes_it() {
        let order = |seed| {
            let deck = Deck::new("Generated app", app(4), &MixSettings::default(), seed).unwrap();
            (0..deck.pass_len())
                .map(|_| name(deck.deal().unwrap()))
                .collect::<Vec<_>>()
        };
        assert_eq!(order(11), order(11));
        assert_ne!(order(11), order(12));
    }

    #[test]
    fn weights_too_far_apart_and_unknown_apps_are_errors() {
        let mix = mix("[mix]\noperations = { \"GET /thing0s\" = 1e7, \"GET /thing1s\" = 1 }\n");
        let err = Deck::new("Generated app", app(2), &mix, 1).err().unwrap();
        assert!(
            err.to_string().contains("bring the [mix] weights closer"),
            "{err}"
        );

        let scenario =
            crate::scenario::generated("Generated app", Box::leak(app(1).into_boxed_slice()));
        let operations = app(1);
        let mix = MixSettings {
            apps: [("billing".to_string(), 2)].into(),
            ..MixSettings::default()
        };
        let err = deal_generated(vec![scenario], &operations, &mix, 1, &[])
            .err()
            .unwrap();
        assert!(err.to_string().contains("\"billing\""), "{err}");
    }

    #[test]
    fn a_generated_scenario_becomes_one_dealing_transaction_and_its_cleanup() {
        let operations: &'static [&'static OperationInfo] = Box::leak(app(1).into_boxed_slice());
        let generated = crate::scenario::generated("Generated app", operations);
        let persona = Scenario::new("Static reader").register_transaction(
            Transaction::new(Arc::new(|_user| Box::pin(async { Ok(()) }))).set_name("read things"),
        );
        let mix = MixSettings {
            apps: [("app".to_string(), 3)].into(),
            ..MixSettings::default()
        };
        let dealt = deal_generated(vec![persona, generated], operations, &mix, 1, &[]).unwrap();
        let names = |s: &Scenario| {
            s.transactions
                .iter()
                .map(|t| (t.name.name_for_transaction().to_string(), t.on_stop))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&dealt[0]), [("read things".to_string(), false)]);
        assert_eq!(
            names(&dealt[1]),
            [
                (DEAL_TRANSACTION.to_string(), false),
                ("cleanup".to_string(), true)
            ]
        );
        assert_eq!(dealt[1].weight, 3);
    }

    #[test]
    fn a_scenario_the_run_does_not_select_gets_no_deck() {
        let operations: &'static [&'static OperationInfo] = Box::leak(app(1).into_boxed_slice());
        let dealt_when = |pattern: &str| {
            let generated = crate::scenario::generated("Generated app", operations);
            let selected = [pattern.to_string()];
            deal_generated(
                vec![generated],
                operations,
                &MixSettings::default(),
                1,
                &selected,
            )
            .unwrap()
            .remove(0)
        };
        // Goose runs none of it; its transactions are left as they were, undealt.
        let kept = dealt_when("generatedother");
        assert_eq!(kept.transactions.len(), operations.len() + 1);
        assert_eq!(dealt_when("generated*").transactions.len(), 2);
    }
}

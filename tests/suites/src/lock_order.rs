//! Suite of `exercises/pitfalls/lock-order`: transfers between accounts,
//! each behind its own lock, that never deadlock and never lose money.
//!
//! The accounts are [`Watched`] locks, so each check judges what the locks
//! saw rather than how long anything took: a cycle of threads each holding
//! what the next waits for (a deadlock, broken and reported at once), how
//! many transfers held their accounts at the same moment, how many
//! `try_lock`s failed, two threads that took the same two accounts in
//! opposite orders (whether or not they met), and the total whenever no
//! account was locked. A
//! rendezvous makes the dangerous interleavings happen on every run: a
//! thread that takes a lock waits (briefly) until the other transfers have
//! reached their locks too.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use harness::watched::{Watch, Watched};

/// Why a transfer refused, as the suite sees the crate's `Refused`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// `from == to`.
    SameAccount,
    /// Not enough money in `from`.
    Insufficient {
        /// What `from` held.
        balance: i64,
        /// What was asked.
        amount: i64,
    },
}

/// `transfer(accounts, from, to, amount)`.
pub type Transfer = fn(&[Watched<i64>], usize, usize, i64) -> Result<(), Refusal>;

/// Defines `SUBJECT`, the crate's `transfer` seen as a [`Transfer`].
#[macro_export]
macro_rules! lock_order_adapter {
    ($krate:ident) => {
        pub const SUBJECT: $crate::lock_order::Transfer = |accounts, from, to, amount| {
            $krate::transfer(accounts, from, to, amount).map_err(|e| match e {
                $krate::Refused::SameAccount => $crate::lock_order::Refusal::SameAccount,
                $krate::Refused::Insufficient { balance, amount } => {
                    $crate::lock_order::Refusal::Insufficient { balance, amount }
                }
            })
        };
    };
}

crate::declare_suite!($ lock_order: Transfer = lock_order_adapter![
    a_transfer_moves_the_amount,
    a_transfer_beyond_the_balance_is_refused,
    a_transfer_to_the_same_account_is_refused,
    opposite_transfers_do_not_deadlock,
    transfers_on_other_accounts_run_at_once,
    every_transfer_counts_under_contention,
    no_account_goes_below_zero,
    the_money_is_never_in_flight,
    the_order_is_set_by_the_accounts_alone,
]);

/// How long a thread that took a lock waits for the others to reach
/// theirs. Long enough for any thread to get there on a loaded machine;
/// short, because a solution that serialises makes every lock wait it out.
const MEET: Duration = Duration::from_millis(300);

type Bank = (Arc<Watch<i64>>, Vec<Watched<i64>>);

/// A bank of these balances, each account's `id()` drawn afresh over the
/// whole `usize` range: an order on the place in the slice or on the id
/// holds, one on some of the id's bits (`id() as u16`) or on how far apart
/// two ids are does not.
fn bank(balances: &[i64]) -> Bank {
    let mut draw = Draw::new(balances.len() as u64);
    let ids = spread_ids(&mut draw, balances.len());
    bank_with_ids(balances, &ids)
}

/// A bank of these balances and these account ids.
fn bank_with_ids(balances: &[i64], ids: &[usize]) -> Bank {
    Watch::numbered(ids.iter().copied().zip(balances.iter().copied()))
}

/// `n` distinct ids drawn over the whole `usize` range.
fn spread_ids(draw: &mut Draw, n: usize) -> Vec<usize> {
    let mut seen = std::collections::HashSet::new();
    let mut ids = Vec::with_capacity(n);
    while ids.len() < n {
        let id = draw.next(u64::MAX) as usize;
        if seen.insert(id) {
            ids.push(id);
        }
    }
    ids
}

/// One probe thread: its name and the transfers it makes, in order.
struct Probe {
    name: String,
    transfers: Vec<(usize, usize, i64)>,
    /// The accounts it hands `transfer`, as a range of the bank's: a bank
    /// of its own within the watch. `None`: all of them.
    bank: Option<std::ops::Range<usize>>,
}

fn probe(from: usize, to: usize, amount: i64) -> Probe {
    Probe {
        name: format!("transfer({from}→{to})"),
        transfers: vec![(from, to, amount)],
        bank: None,
    }
}

/// Runs every probe on its own named thread at once and returns each
/// probe's results. A deadlock among the accounts fails the check with
/// the cycle the watch saw, after `what` (the transfers that ran) and
/// `fix`; any other panic is passed on.
fn run(
    check: &str,
    transfer: Transfer,
    (watch, accounts): &Bank,
    probes: &[Probe],
    what: &str,
    fix: &str,
) -> Vec<Vec<Result<(), Refusal>>> {
    let joined: Vec<_> = thread::scope(|s| {
        let handles: Vec<_> = probes
            .iter()
            .map(|p| {
                thread::Builder::new()
                    .name(p.name.clone())
                    .spawn_scoped(s, move || {
                        let accounts = match &p.bank {
                            Some(range) => &accounts[range.clone()],
                            None => &accounts[..],
                        };
                        let results = p
                            .transfers
                            .iter()
                            .map(|&(from, to, amount)| transfer(accounts, from, to, amount))
                            .collect::<Vec<_>>();
                        watch.leave();
                        results
                    })
                    .expect("the OS starts a probe thread")
            })
            .collect();
        handles.into_iter().map(|h| h.join()).collect()
    });
    if let Some(tries) = watch.spun() {
        panic!(
            "[{check}] {what}, and the threads spun: {tries} `try_lock`s found an account \
             busy before the suite stopped them. A thread that retries `try_lock` in a loop \
             burns the CPU the holder needs to finish. Take the locks with `lock`, in a fixed \
             order; it sleeps until the lock is free."
        );
    }
    if let Some(cycle) = watch.deadlock() {
        panic!(
            "[{check}] {what}, and they deadlocked: {cycle}. Neither could ever go on; the \
             suite broke the deadlock to report it. {fix}"
        );
    }
    joined
        .into_iter()
        .map(|r| r.unwrap_or_else(|payload| std::panic::resume_unwind(payload)))
        .collect()
}

/// Fails the check if two threads took the same two accounts in opposite
/// orders, after `what` ran: they may not have met this time, but the
/// order is not one order. Called once a check's results are judged, so
/// that a wrong result is reported as what it is first.
fn one_order(check: &str, (watch, _): &Bank, what: &str) {
    if let Some(inversion) = watch.inversion() {
        panic!(
            "[{check}] {what}, and two of them took the same two accounts in opposite \
             orders: {inversion}. They did not deadlock this time, but two threads that do \
             this at the same moment each hold what the other waits for, forever. {ORDER_FIX}"
        );
    }
}

/// Rings of three transfers, a→b, b→c and c→a, all at once, each thread
/// holding its first account before any asks for its second: one order
/// that every thread agrees on lets at most two of a ring hold their first,
/// and nothing closes; a rule that is not one order (the lower id first,
/// but the higher when two ids are far apart: round 14's `lock-order/02`)
/// closes the ring. One ring per power of two, its ids `d1` and `d2` apart
/// with both under it and their sum over it, so a rule that changes at
/// any power of two meets its ring (and one that changes elsewhere, most
/// likely a ring near it).
fn rings_of_three(check: &str, transfer: Transfer, draw: &mut Draw) {
    const RINGS: usize = 61;
    let mut ids = Vec::with_capacity(3 * RINGS);
    for j in 2..2 + RINGS as u32 {
        let power = 1u64 << j;
        // Each span between 3/4 and all of `power`, less one: under it,
        // two of them over it.
        let span = |draw: &mut Draw| power - 1 - draw.next(power / 4);
        let base = draw.next(1 << 62);
        let (d1, d2) = (span(draw), span(draw));
        ids.extend([base, base + d1, base + d1 + d2].map(|id| id as usize));
    }
    let distinct: std::collections::HashSet<usize> = ids.iter().copied().collect();
    if distinct.len() < ids.len() {
        // Two rings drawn on one id: so rare that another run will judge.
        return;
    }
    let amount = 1 + draw.next(1_000_000_000) as i64;
    let bank = bank_with_ids(&vec![START; 3 * RINGS], &ids);
    bank.0.rendezvous(3 * RINGS, MEET);
    let probes: Vec<Probe> = (0..RINGS)
        .flat_map(|r| {
            [(0, 1), (1, 2), (2, 0)].map(|(from, to)| Probe {
                name: format!("ring {r}: {from}→{to}"),
                transfers: vec![(from, to, amount)],
                bank: Some(3 * r..3 * r + 3),
            })
        })
        .collect();
    let what = format!(
        "{RINGS} rings of three accounts ran at once, in each a→b, b→c and c→a of {amount} \
         cents, each thread holding its first account before any asked for its second (the \
         ids of a ring: a, then a + d1, then a + d1 + d2, with d1 and d2 under a power of two \
         and their sum over it, for every power from 4 to 2^62)"
    );
    let got = run(check, transfer, &bank, &probes, &what, RING_FIX);
    assert!(
        got.iter().flatten().all(Result::is_ok) && bank.0.values() == vec![START; 3 * RINGS],
        "[{check}] {what}: {got:?}; expected every transfer Ok and every account back at {START}"
    );
    one_order(check, &bank, &what);
}

const ORDER_FIX: &str = "The threads took the same two locks in opposite orders. Take them \
                         in one order that every thread agrees on and that never changes, \
                         such as the lower `id()` first, whichever way the money goes.";

/// What the rings of [`rings_of_three`] tell a student whose ring closed.
const RING_FIX: &str = "The threads took their locks in orders that close a cycle, though no \
                        two of them took the same two accounts both ways. Take them in one \
                        order that every thread agrees on, for any accounts of any bank: one \
                        that never puts a first account before a second, the second before a \
                        third and the third before the first.";

/// Moves money one transfer at a time and reads the balances back, in two
/// fresh banks.
pub fn a_transfer_moves_the_amount(transfer: Transfer) {
    let check = "a transfer moves the amount";
    type Round<'a> = (&'a [i64], &'a [(usize, usize, i64)]);
    let rounds: [Round<'_>; 2] = [
        (
            &[100, 50, 0],
            &[(0, 2, 30), (1, 0, 50), (2, 1, 30), (0, 2, 120)],
        ),
        (&[10, 300, 45], &[(1, 0, 200), (0, 2, 150), (2, 1, 1)]),
    ];
    for (round, (start, transfers)) in rounds.into_iter().enumerate() {
        let bank = bank(start);
        let mut expected = start.to_vec();
        for &(from, to, amount) in transfers {
            let got = transfer(&bank.1, from, to, amount);
            assert_eq!(
                got,
                Ok(()),
                "[{check}] transfer({from}→{to}, {amount}) with balances {expected:?} (bank \
                 {} of 2, each a fresh one) returned {got:?}; there was enough money, so it \
                 should move it and return Ok(()). Read the balances from the accounts you \
                 were given and keep nothing between calls.",
                round + 1
            );
            expected[from] -= amount;
            expected[to] += amount;
            let now = bank.0.values();
            assert_eq!(
                now,
                expected,
                "[{check}] after transfer({from}→{to}, {amount}) the balances are {now:?}, \
                 expected {expected:?} (bank {} of 2, each a fresh one): take `amount` from \
                 `from` and add it to `to`, in the accounts you were given, and keep nothing \
                 between calls.",
                round + 1
            );
        }
    }
}

/// Balances of `a_transfer_beyond_the_balance_is_refused`: `(rich, poor,
/// top-up)`, from cents to past 2^53 (where a float no longer holds every
/// cent) and past 2^60; the top-up of the last ones brings the poor account
/// to exactly the amount.
const REFUSALS: [(i64, i64, i64); 5] = [
    (40, 10, 5),
    (40_000_000, 10_000_000, 5_000_000),
    (40_000_000_000_000, 10_000_000_000_000, 5_000_000_000_000),
    (4_000_000_000_000_000_000, 9_007_199_254_740_990, 1),
    (4_000_000_000_000_000_000, 1_152_921_504_606_846_977, 1),
];

/// A transfer of more than `from` holds, by one cent, changes nothing and
/// says why, at every size up to past 2^60; and a refusal is about that
/// moment only: once the account holds enough (exactly enough, for the
/// biggest), the same transfer goes through.
pub fn a_transfer_beyond_the_balance_is_refused(transfer: Transfer) {
    let check = "a transfer beyond the balance is refused";
    for (rich, poor, top_up) in REFUSALS {
        let bank = bank(&[rich, poor]);
        let ask = poor + 1;
        let got = transfer(&bank.1, 1, 0, ask);
        assert_eq!(
            got,
            Err(Refusal::Insufficient {
                balance: poor,
                amount: ask
            }),
            "[{check}] transfer(1→0, {ask}) from an account holding {poor} returned {got:?}: \
             it should refuse with Refused::Insufficient {{ balance: {poor}, amount: {ask} }}."
        );
        let now = bank.0.values();
        assert_eq!(
            now,
            [rich, poor],
            "[{check}] a refused transfer changed the balances from [{rich}, {poor}] to \
             {now:?}: check before you move anything."
        );
        let topped = transfer(&bank.1, 0, 1, top_up);
        let again = transfer(&bank.1, 1, 0, ask);
        let now = bank.0.values();
        let expected = [rich - top_up + ask, poor + top_up - ask];
        assert!(
            topped.is_ok() && again.is_ok() && now == expected,
            "[{check}] transfer(1→0, {ask}) was refused while account 1 held {poor}; then \
             transfer(0→1, {top_up}) returned {topped:?}, and the same transfer(1→0, {ask}) \
             again returned {again:?}, leaving {now:?} (expected Ok, Ok and {expected:?}). A \
             refusal is about the balance at that moment, to the cent: read the balance every \
             time, compare whole cents (no float holds every cent past 2^53), and keep \
             nothing between calls."
        );
    }
}

/// `transfer(a, a, ..)` is refused instead of locking `a` twice.
pub fn a_transfer_to_the_same_account_is_refused(transfer: Transfer) {
    let check = "a transfer to the same account is refused";
    // Once with enough money and once without: the answer is SameAccount
    // whatever the balance.
    for (account, amount) in [(2, 10), (0, 1_000), (1, i64::MAX)] {
        let bank = bank(&[0, 0, 70]);
        let got = run(
            check,
            transfer,
            &bank,
            &[probe(account, account, amount)],
            &format!("transfer({account}→{account}, {amount}) ran alone"),
            &format!(
                "It locked account {account} twice, and a Mutex is not re-entrant: the second \
                 `lock` waits for the first to be released, by the same thread. Return \
                 Refused::SameAccount before taking any lock."
            ),
        );
        assert_eq!(
            got[0][0],
            Err(Refusal::SameAccount),
            "[{check}] transfer({account}→{account}, {amount}) with balances [0, 0, 70] \
             returned {:?}: refuse it with Refused::SameAccount, whatever the balance (look \
             at the accounts before the money).",
            got[0][0]
        );
        assert_eq!(bank.0.values(), [0, 0, 70], "[{check}] balances changed");
    }
}

/// What each account holds in `opposite_transfers_do_not_deadlock`: more
/// than any transfer there asks (at most 2 × 10^18).
const START: i64 = 4_000_000_000_000_000_000;

/// The powers of ten the amounts are drawn at, from cents to a billion
/// billion: a rule that changes at some amount meets it.
const SIZES: u32 = 19;

/// Accounts of the bank in `opposite_transfers_do_not_deadlock`: past 256,
/// so that an order kept in a byte meets two accounts it cannot tell apart,
/// and past a thousand.
const MANY_ACCOUNTS: usize = 2_000;

/// An amount at `size` (a power of ten): from `10^size` to ten times that,
/// at most `10^size + 10^18`.
fn amount_at(draw: &mut Draw, size: u32) -> i64 {
    let base = 10_i64.pow(size);
    base + draw.next((base as u64 * 9).min(1_000_000_000_000_000_000)) as i64
}

/// Pairs of transfers between the same two accounts, in opposite
/// directions, run at once; each holds its first lock before either asks
/// for its second. None may deadlock, and no two may take the accounts in
/// opposite orders.
pub fn opposite_transfers_do_not_deadlock(transfer: Transfer) {
    let check = "opposite transfers do not deadlock";
    // Amounts drawn per run, both ways at every size from cents to ten
    // million billion, between accounts drawn per run: no rule that depends
    // on the amount or the accounts passes by luck.
    let mut draw = Draw::new(0x0dd);
    let n = MANY_ACCOUNTS;
    // The round 256 apart comes at a size drawn per run.
    let apart = draw.next(u64::from(SIZES)) as u32;
    let far = (apart + 1 + draw.next(u64::from(SIZES) - 1) as u32) % SIZES;
    // Two more sizes drawn per run where the two accounts' ids agree in
    // their low 16 bits, and in their low 32: an order on a truncated id
    // (`id() as u16`, round 14's `lock-order/01`) sees a tie there.
    let low16 = (far + 1 + draw.next(u64::from(SIZES) - 2) as u32) % SIZES;
    let low16 = if low16 == apart {
        (low16 + 1) % SIZES
    } else {
        low16
    };
    let low32 = (0..SIZES).find(|&s| s != apart && s != far && s != low16);
    for size in 0..SIZES {
        let (a, b) = if size == apart {
            let a = draw.next(n as u64 - 256) as usize;
            (a, a + 256)
        } else if size == far {
            // More than a thousand apart.
            let a = draw.next(n as u64 / 4) as usize;
            (a, a + 1_000 + draw.next(n as u64 / 4) as usize)
        } else {
            let a = draw.next(n as u64) as usize;
            (a, (a + 1 + draw.next(n as u64 - 1) as usize) % n)
        };
        let there = amount_at(&mut draw, size);
        let back = amount_at(&mut draw, size);
        let mut ids = spread_ids(&mut draw, n);
        let low_bits = if size == low16 {
            Some(16)
        } else if Some(size) == low32 {
            Some(32)
        } else {
            None
        };
        if let Some(bits) = low_bits {
            let low = (1usize << bits) - 1;
            let shared = (ids[b] & !low) | (ids[a] & low);
            if !ids.contains(&shared) {
                ids[b] = shared;
            }
        }
        let bank = bank_with_ids(&vec![START; n], &ids);
        bank.0.rendezvous(2, MEET);
        let got = run(
            check,
            transfer,
            &bank,
            &[probe(a, b, there), probe(b, a, back)],
            &format!("transfer({a}→{b}, {there}) and transfer({b}→{a}, {back}) ran at once"),
            ORDER_FIX,
        );
        let mut expected = vec![START; n];
        expected[a] += back - there;
        expected[b] += there - back;
        let now = bank.0.values();
        let off: Vec<String> = (0..n)
            .filter(|&i| now[i] != expected[i])
            .map(|i| format!("account {i} holds {} instead of {}", now[i], expected[i]))
            .collect();
        assert!(
            got.iter().flatten().all(Result::is_ok) && off.is_empty(),
            "[{check}] transfer({a}→{b}, {there}) and transfer({b}→{a}, {back}), in a bank of \
             {n} accounts each holding {START}, returned {got:?}, and {}; expected both Ok and \
             the amounts moved.",
            if off.is_empty() {
                "the balances are right".to_owned()
            } else {
                off.join(", ")
            }
        );
        one_order(
            check,
            &bank,
            &format!("transfer({a}→{b}, {there}) and transfer({b}→{a}, {back}) ran at once"),
        );
    }
    rings_of_three(check, transfer, &mut draw);
    // One order whatever the amount: in one bank, one thread moves money
    // both ways between the same two accounts at every size, one transfer
    // after another. Two orders for the same two accounts show, met or not.
    let (a, b) = (draw.next(4) as usize, 4 + draw.next(4) as usize);
    let mut start = [0; 8];
    start[a] = i64::MAX;
    let bank = bank(&start);
    // There and back by the same amount, at every size, the last past 5 ×
    // 10^18 up to the largest an account can hold.
    let top = i64::MAX - draw.next(4_000_000_000_000_000_000) as i64;
    // And at every size from a thousand up, the same amount ending in 000
    // and in 999 too: a rule on the amount's last digits (round 24's
    // `lock-order/01` flipped the order past 10,000 for amounts ending in
    // 999) meets one of them.
    let transfers: Vec<(usize, usize, i64)> = (0..SIZES)
        .map(|size| amount_at(&mut draw, size))
        .chain([top])
        .flat_map(|amount| {
            let round = amount - amount % 1_000;
            let ends = if amount >= 1_000 {
                std::iter::once(round)
                    .chain(round.checked_add(999))
                    .collect()
            } else {
                Vec::new()
            };
            std::iter::once(amount).chain(ends)
        })
        .flat_map(|amount| [(a, b, amount), (b, a, amount)])
        .collect();
    let what = format!(
        "one thread moved money between accounts {a} and {b}, there and back, at every size \
         from a cent to the largest balance an account can hold"
    );
    let got = run(
        check,
        transfer,
        &bank,
        &[Probe {
            name: "both ways".into(),
            transfers,
            bank: None,
        }],
        &what,
        ORDER_FIX,
    );
    assert!(
        got.iter().flatten().all(Result::is_ok),
        "[{check}] {what}: {got:?}, expected every transfer Ok"
    );
    one_order(check, &bank, &what);
}

/// Transfers on different accounts must hold their accounts, and write
/// their balances, at the same moment: in banks of 4, 8 and 16 accounts (2,
/// 4 and 8 transfers, their amounts drawn from cents to a billion billion),
/// and in banks of 2 and of 3 accounts side by side (one transfer in each).
/// One lock around every transfer, around a small bank's, around a big
/// amount's, or around the check-and-move alone, makes them take turns.
pub fn transfers_on_other_accounts_run_at_once(transfer: Transfer) {
    let check = "transfers on other accounts run at once";
    let mut draw = Draw::new(0x5a5);
    // (accounts in all, accounts per bank): one bank, or several small ones.
    for (accounts, per_bank) in [(4, 4), (8, 8), (16, 16), (4, 2), (6, 3)] {
        let pairs = if per_bank == accounts {
            accounts / 2
        } else {
            accounts / per_bank
        };
        let start = START;
        let bank = bank(&vec![start; accounts]);
        bank.0.rendezvous(pairs, MEET);
        bank.0.meet_at_writes(pairs, MEET);
        let amounts: Vec<i64> = (0..pairs)
            .map(|_| {
                let size = draw.next(u64::from(SIZES)) as u32;
                amount_at(&mut draw, size)
            })
            .collect();
        let probes: Vec<Probe> = (0..pairs)
            .map(|i| {
                if per_bank == accounts {
                    probe(2 * i, 2 * i + 1, amounts[i])
                } else {
                    Probe {
                        name: format!("bank {i}: transfer(0→1)"),
                        transfers: vec![(0, 1, amounts[i])],
                        bank: Some(i * per_bank..(i + 1) * per_bank),
                    }
                }
            })
            .collect();
        let what = if per_bank == accounts {
            let names: Vec<String> = (0..pairs)
                .map(|i| format!("{}→{} ({})", 2 * i, 2 * i + 1, amounts[i]))
                .collect();
            format!(
                "transfers {} in a bank of {accounts} accounts ran at once",
                names.join(", ")
            )
        } else {
            format!(
                "{pairs} banks of {per_bank} accounts each, side by side, each made a transfer \
                 0→1 at once (amounts {amounts:?})"
            )
        };
        run(check, transfer, &bank, &probes, &what, ORDER_FIX);
        let peak = bank.0.peak_holders();
        assert!(
            peak >= pairs,
            "[{check}] {what}; they share no account, yet at most {peak} of the {pairs} held \
             their accounts at the same moment (each one that held a lock waited up to \
             {MEET:?} for the others). Something makes them take turns, such as one lock \
             around every transfer (or around a small bank's, or a big amount's): lock only \
             the two accounts a transfer touches, in a bank of any size, for any amount."
        );
        let writers = bank.0.peak_writers();
        assert!(
            writers >= pairs,
            "[{check}] {what}; they share no account, and all held their accounts at once, \
             yet at most {writers} of the {pairs} were writing a balance at the same moment \
             (each one that wrote waited up to {MEET:?} for the others to write too): \
             something besides the two accounts' locks makes the check-and-move take turns, \
             such as a lock of its own (a `static` ledger) around it. The two accounts' locks \
             are all a transfer needs: take nothing else."
        );
        let now = bank.0.values();
        let expected: Vec<i64> = (0..accounts)
            .map(|a| {
                let (p, from, to) = if per_bank == accounts {
                    (a / 2, a % 2 == 0, a % 2 == 1)
                } else {
                    (a / per_bank, a % per_bank == 0, a % per_bank == 1)
                };
                if from {
                    start - amounts[p]
                } else if to {
                    start + amounts[p]
                } else {
                    start
                }
            })
            .collect();
        assert_eq!(now, expected, "[{check}] {what}: the balances are wrong");
    }
    // A bank of any size between (drawn per run, log-uniform): 2 to 4
    // transfers between accounts drawn at random, at once (round 21's
    // `lock-order/01` took a bank-wide lock in banks of 5 to 7, 9 to 15 and
    // 17 to 1,999 accounts, the sizes no fixed bank had).
    // Up to a thousand: past that, the bank of 2,000 below judges (a lock
    // taken for big banks only is seen there, in a check that stays inside
    // its 8 s).
    let accounts = 5.0 * 2f64.powf(draw.next(1_000_001) as f64 / 1e6 * (1_000f64 / 5.0).log2());
    let accounts = (accounts as usize).clamp(5, 1_000);
    // A size no fixed bank above has.
    let accounts = if [8, 16].contains(&accounts) {
        accounts + 1
    } else {
        accounts
    };
    let pairs = 2 + draw.next(3) as usize;
    let mut chosen: Vec<usize> = Vec::new();
    while chosen.len() < 2 * pairs {
        let a = draw.next(accounts as u64) as usize;
        if !chosen.contains(&a) {
            chosen.push(a);
        }
    }
    let drawn = bank(&vec![START; accounts]);
    drawn.0.rendezvous(pairs, MEET);
    drawn.0.meet_at_writes(pairs, MEET);
    let probes: Vec<Probe> = (0..pairs)
        .map(|i| {
            let size = draw.next(u64::from(SIZES)) as u32;
            probe(
                chosen[2 * i],
                chosen[2 * i + 1],
                amount_at(&mut draw, size).min(START),
            )
        })
        .collect();
    let moves: Vec<String> = (0..pairs)
        .map(|i| format!("{}→{}", chosen[2 * i], chosen[2 * i + 1]))
        .collect();
    let what = format!(
        "transfers {} in a bank of {accounts} accounts (a size drawn this run from 5 to 1,000) \
         ran at once",
        moves.join(", ")
    );
    run(check, transfer, &drawn, &probes, &what, ORDER_FIX);
    let (peak, writers) = (drawn.0.peak_holders(), drawn.0.peak_writers());
    assert!(
        peak >= pairs && writers >= pairs,
        "[{check}] {what}; they share no account, yet at most {peak} of the {pairs} held their \
         accounts, and at most {writers} wrote a balance, at the same moment: something makes \
         them take turns (a lock for the whole bank, or an account every transfer locks \
         first). Lock only the two accounts a transfer touches, in a bank of any size."
    );
    // A bank of 2,000 accounts: four transfers between accounts a thousand
    // apart, at once, of nearly all an account can hold.
    // The amounts near the largest balance an account can hold.
    const BIG: usize = 2_000;
    let first = draw.next(200) as usize;
    let mut balances = vec![0; BIG];
    for i in 0..4 {
        balances[first + 250 * i] = i64::MAX;
    }
    let bank = bank(&balances);
    bank.0.rendezvous(4, MEET);
    bank.0.meet_at_writes(4, MEET);
    let probes: Vec<Probe> = (0..4)
        .map(|i| {
            let amount = i64::MAX - draw.next(4_000_000_000_000_000_000) as i64;
            probe(first + 250 * i, first + 250 * i + 1_000, amount)
        })
        .collect();
    let what = format!(
        "four transfers {first}→{}, {}→{}, … in a bank of {BIG} accounts ran at once",
        first + 1_000,
        first + 250,
        first + 1_250
    );
    run(check, transfer, &bank, &probes, &what, ORDER_FIX);
    let (peak, writers) = (bank.0.peak_holders(), bank.0.peak_writers());
    assert!(
        peak >= 4 && writers >= 4,
        "[{check}] {what}; they share no account, yet at most {peak} of the 4 held their \
         accounts, and at most {writers} wrote a balance, at the same moment: something \
         makes them take turns (one lock for a big bank). Lock only the two accounts a \
         transfer touches, in a bank of any size."
    );
}

/// A small pseudo-random stream, seeded per run: no fixed sequence of
/// transfers to special-case.
struct Draw(u64);

impl Draw {
    fn new(salt: u64) -> Self {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Self(now ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self, below: u64) -> u64 {
        // xorshift64
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

/// Four threads make 150 transfers each, drawn per run, among three
/// accounts that never run short: every transfer must return Ok and move
/// its amount, and a thread that finds an account busy must wait for it,
/// not spin on `try_lock`.
pub fn every_transfer_counts_under_contention(transfer: Transfer) {
    let check = "every transfer counts under contention";
    const THREADS: usize = 4;
    const EACH: usize = 150;
    let start = 1_000_000;
    let bank = bank(&[start; 3]);
    bank.0.rendezvous(THREADS, Duration::from_millis(20));
    let probes: Vec<Probe> = (0..THREADS)
        .map(|t| {
            let mut draw = Draw::new(t as u64 + 1);
            let transfers = (0..EACH)
                .map(|_| {
                    let from = draw.next(3) as usize;
                    let to = (from + 1 + draw.next(2) as usize) % 3;
                    (from, to, 1 + draw.next(99) as i64)
                })
                .collect();
            Probe {
                name: format!("worker {t}"),
                transfers,
                bank: None,
            }
        })
        .collect();
    let got = run(
        check,
        transfer,
        &bank,
        &probes,
        &format!("{THREADS} threads made {EACH} transfers each among accounts 0, 1 and 2"),
        ORDER_FIX,
    );
    let total = THREADS * EACH;
    let refused = got.iter().flatten().filter(|r| r.is_err()).count();
    let first = got.iter().flatten().find(|r| r.is_err());
    assert_eq!(
        refused,
        0,
        "[{check}] {refused} of {total} transfers were refused (the first: {first:?}), though \
         every account held at least {} cents and no transfer asked for more than 99. A \
         transfer that finds an account busy must wait for it, not give up.",
        start - 99 * total as i64
    );
    let mut expected = vec![start; 3];
    for p in &probes {
        for &(from, to, amount) in &p.transfers {
            expected[from] -= amount;
            expected[to] += amount;
        }
    }
    let now = bank.0.values();
    let off: i64 = now.iter().zip(&expected).map(|(n, e)| (n - e).abs()).sum();
    assert_eq!(
        now, expected,
        "[{check}] after {total} transfers from {THREADS} threads at once, all of which \
         returned Ok, the balances are {now:?}, expected {expected:?} ({off} cents off in \
         all): some transfers were lost or half done. A transfer that finds an account busy \
         must wait for it (`lock`), not skip it (`try_lock` and give up), and must read and \
         write each balance under its lock."
    );
    let retries = bank.0.retries();
    assert!(
        retries == 0,
        "[{check}] the transfers were right, but {retries} times a thread tried an account \
         with `try_lock` again after that same account had just been found busy, taking \
         nothing in between: it polled the lock (with a sleep or not) instead of waiting for \
         it. Take the locks with `lock`, in a fixed order; it sleeps until the lock is free \
         and wakes when it is."
    );
    let failed = bank.0.failed_tries();
    assert!(
        failed <= total as u64,
        "[{check}] the transfers were right, but {failed} `try_lock`s found an account busy \
         during {total} transfers: the threads spun, retrying instead of waiting, and burnt \
         the CPU the holders needed. Take the locks with `lock`, in a fixed order; it sleeps \
         until the lock is free."
    );
    one_order(
        check,
        &bank,
        &format!("{THREADS} threads made {EACH} transfers each among accounts 0, 1 and 2"),
    );
    for held in 0..2 {
        for from in 0..2 {
            waits_for_a_held_account(check, transfer, held, from);
        }
    }
    for bank_size in [3, 4] {
        never_waits_for_another_account(check, transfer, bank_size);
    }
    if let Some(source) = crate::pure::source() {
        crate::polls::refuse_calls_in(
            check,
            source,
            &["transfer"],
            Some(&[
                "sleep",
                "sleep_ms",
                "yield_now",
                "spin_loop",
                "park_timeout",
            ]),
            "naps, yields or spins",
            "A transfer that finds an account busy waits for it without spinning: `lock` \
             sleeps until the account is free and wakes when it is, however long that takes \
             (round 15's `lock-order/05` slept 70 ms between tries).",
        );
    }
}

/// The suite holds the last account of a bank of `bank_size` for the
/// whole of a transfer between the first two: the transfer locks only its
/// two accounts, so it finishes at once (round 15's `lock-order/08` locked
/// the whole bank when it had three accounts or fewer).
fn never_waits_for_another_account(check: &str, transfer: Transfer, bank_size: usize) {
    let start = 1_000;
    let bank = bank(&vec![start; bank_size]);
    let other = bank_size - 1;
    let bank = &bank;
    let (done, finished) = std::sync::mpsc::channel();
    let waited = thread::scope(|s| {
        let guard = bank.1[other].lock();
        s.spawn(move || {
            let got = transfer(&bank.1, 0, 1, 10);
            let _ = done.send(got);
        });
        let got = finished.recv_timeout(Duration::from_secs(1));
        drop(guard);
        bank.0.leave();
        got
    });
    match waited {
        Ok(Ok(())) => {}
        Ok(refused) => panic!(
            "[{check}] transfer(0→1, 10) in a bank of {bank_size} accounts of {start}, while \
             another thread held account {other}, returned {refused:?}; expected Ok(())"
        ),
        Err(_) => panic!(
            "[{check}] transfer(0→1, 10) in a bank of {bank_size} accounts, while another \
             thread held account {other} (which the transfer does not touch), had not finished \
             after a second: it waited for an account it does not move money between. Each \
             account has its own lock, and a transfer locks only its two accounts, in a bank of \
             any size."
        ),
    }
}

/// How long [`waits_for_a_held_account`] holds an account.
const HELD_FOR: Duration = Duration::from_millis(250);

/// A thread of the suite holds account `held` of two for [`HELD_FOR`]
/// while a transfer from account `from` to the other runs: the transfer
/// must wait for it (`lock` sleeps until it is free) and then happen, with
/// at most one `try_lock` that found it busy (one try, then a `lock`). Contention among the
/// probe threads finds an account busy only now and then (round 14's
/// `lock-order/07`, `/09`, `/10`: a `try_lock`, back-off and retry loop,
/// and one that refuses after some rounds, passed it); here the account is
/// busy every time.
fn waits_for_a_held_account(check: &str, transfer: Transfer, held: usize, from: usize) {
    let start = 1_000;
    let bank = bank(&[start; 2]);
    let to = 1 - from;
    let what = format!(
        "account {held} was held by another thread for {} ms while transfer({from}→{to}, 10) \
         ran",
        HELD_FOR.as_millis()
    );
    let (taken, wait_for_taken) = std::sync::mpsc::channel();
    let bank = &bank;
    let got = thread::scope(|s| {
        s.spawn(move || {
            let guard = bank.1[held].lock();
            let _ = taken.send(());
            thread::sleep(HELD_FOR);
            drop(guard);
            bank.0.leave();
        });
        wait_for_taken
            .recv()
            .expect("the holding thread takes a free account");
        run(
            check,
            transfer,
            bank,
            &[probe(from, to, 10)],
            &what,
            ORDER_FIX,
        )
    });
    let mut expected = vec![start; 2];
    expected[from] -= 10;
    expected[to] += 10;
    assert!(
        got.iter().flatten().all(Result::is_ok) && bank.0.values() == expected,
        "[{check}] {what}: it returned {got:?} and left the balances at {:?}, expected Ok and \
         {expected:?}. A transfer that finds an account busy waits for it and then happens: \
         it is not skipped, refused or half done.",
        bank.0.values()
    );
    let failed = bank.0.failed_tries();
    assert!(
        failed <= 1,
        "[{check}] {what}: the transfer was right, but {failed} of its `try_lock`s found an \
         account busy meanwhile: it tried again and again (letting go of the account it held \
         in between, yielding or not) instead of waiting. A transfer that finds an account \
         busy waits for it without spinning: `lock` sleeps until it is free."
    );
}

/// Two transfers of all of account 0's money, at once: exactly one may
/// succeed. Account 0 holds 100 cents, then amounts drawn at sizes up to
/// ten million billion.
pub fn no_account_goes_below_zero(transfer: Transfer) {
    let check = "no account goes below zero";
    let mut draw = Draw::new(0xb0b);
    let sizes = [2, 5, 9, 12, 15, 18];
    for (round, size) in sizes.into_iter().enumerate() {
        let all = if round == 0 {
            100
        } else if size == 18 {
            // Up to the largest balance an account can hold.
            i64::MAX - draw.next(4_000_000_000_000_000_000) as i64
        } else {
            let base = 10_i64.pow(size);
            base + draw.next(base as u64 * 9) as i64
        };
        let bank = bank(&[all, 0, 0]);
        bank.0.rendezvous(2, MEET);
        let what = format!("transfer(0→1, {all}) and transfer(0→2, {all}) ran at once");
        let got = run(
            check,
            transfer,
            &bank,
            &[probe(0, 1, all), probe(0, 2, all)],
            &what,
            ORDER_FIX,
        );
        let now = bank.0.values();
        let ok = got.iter().flatten().filter(|r| r.is_ok()).count();
        assert!(
            ok == 1 && now.iter().all(|&b| b >= 0) && now.iter().sum::<i64>() == all,
            "[{check}] account 0 held {all} and two transfers of {all} from it ran at once: \
             {ok} returned Ok and the balances are {now:?}: account 0 paid out {} and holds \
             {}. {}",
            all - now[0],
            now[0],
            if ok == 2 {
                "Both saw the money before either took it: check the balance and move the \
                 money under the same locks, without letting go in between, whatever the \
                 amount."
            } else {
                "Exactly one should succeed and the other be refused as Insufficient."
            }
        );
    }
}

/// A bank whose balances, whenever no account is locked, must add up to
/// what they did at the start.
fn bank_with_quiet_total(balances: &[i64]) -> Bank {
    let total: i128 = balances.iter().map(|&b| i128::from(b)).sum();
    let bank = bank(balances);
    bank.0.check_when_quiet(move |now: &[i64]| {
        let sum: i128 = now.iter().map(|&b| i128::from(b)).sum();
        if sum == total {
            Ok(())
        } else {
            Err(format!(
                "at a moment when no account was locked, the balances were {now:?}, {sum} in \
                 all instead of {total}"
            ))
        }
    });
    bank
}

/// Whenever no account is locked, the balances must add up to what they
/// did at the start: no moment when money has left one account and not
/// yet reached the other.
pub fn the_money_is_never_in_flight(transfer: Transfer) {
    let check = "the money is never in flight";
    // Amounts from cents to a hundred thousand billion, one size after
    // another, so that a rule that changes at some amount meets it.
    const SCALE: i64 = 1_000_000_000_000_000;
    let bank = bank_with_quiet_total(&[600 * SCALE, 400 * SCALE, 0]);
    let size = |i: usize| 10_i64.pow((i % 15) as u32);
    let probes = [
        Probe {
            name: "there".into(),
            transfers: (0..20).map(|i| (0, 1, 25 * size(i))).collect(),
            bank: None,
        },
        Probe {
            name: "back".into(),
            transfers: (0..10)
                .flat_map(|i| [(1, 2, 10 * size(i)), (2, 0, 10 * size(i))])
                .collect(),
            bank: None,
        },
    ];
    run(
        check,
        transfer,
        &bank,
        &probes,
        "two threads moved money among accounts 0, 1 and 2",
        ORDER_FIX,
    );
    // The same at the top of the range: one thread moves nearly all the
    // money an account can hold round the three accounts.
    let huge = i64::MAX - 1_000;
    let top = bank_with_quiet_total(&[huge, 0, 0]);
    let amount = huge - Draw::new(0xf1).next(1_000_000) as i64;
    run(
        check,
        transfer,
        &top,
        &[Probe {
            name: "round".into(),
            transfers: vec![(0, 1, amount), (1, 2, amount), (2, 0, amount)],
            bank: None,
        }],
        &format!("one thread moved {amount} cents from account 0 to 1, 1 to 2 and 2 to 0"),
        ORDER_FIX,
    );
    if let Some(seen) = bank.0.quiet_violation().or_else(|| top.0.quiet_violation()) {
        panic!(
            "[{check}] {seen}: a transfer let go of one account before it had finished with \
             the other, so for that moment the money was in neither. Anyone who looked then \
             (an audit, a report) saw money missing. Hold both locks from the check until \
             the money has arrived."
        );
    }
}

/// `the_order_is_set_by_the_accounts_alone`: one transfer that has the
/// money must be made, then the crate's `src/lib.rs`, as its test binary
/// was built, must declare no `static` and no `thread_local!`
/// ([`crate::pure::refuse_globals`]): the order is set by the accounts
/// themselves, and a global (a count of transfers that flips the order
/// after a million, an order remembered per pair) is something else, which
/// the source shows however many transfers the suite makes.
pub fn the_order_is_set_by_the_accounts_alone(transfer: Transfer) {
    let check = "the order is set by the accounts alone";
    let (_watch, accounts) = bank(&[100, 0]);
    let result = transfer(&accounts, 0, 1, 40);
    assert!(
        result.is_ok(),
        "[{check}] transfer(0 → 1, 40) with 100 in account 0 returned {result:?}, where it \
         must move the money and return Ok(())"
    );
    // A count of transfers kept in a file, bumped now and then, shows no
    // global in the source (round 14's `lock-order/03`); it reads and
    // writes, which the kernel counts.
    const TRANSFERS: usize = 10_000;
    let (_watch, accounts) = bank(&[100, 100]);
    crate::pure::refuse_io(check, "transfer", &format!("{TRANSFERS} transfers"), || {
        for i in 0..TRANSFERS {
            let (from, to) = if i % 2 == 0 { (0, 1) } else { (1, 0) };
            let result = transfer(&accounts, from, to, 1 + (i / 2 % 50) as i64);
            assert!(
                result.is_ok(),
                "[{check}] transfer({from} → {to}) number {i} of {TRANSFERS}, back and forth \
                 between two accounts of 100 or more, returned {result:?}"
            );
        }
    });
    if let Some(source) = crate::pure::source() {
        crate::pure::refuse_clock(check, source, &["transfer"]);
    }
    crate::pure::refuse_globals(
        "the order is set by the accounts alone",
        "The page asks for one order that every thread agrees on and that never changes, set \
         by the accounts themselves: a global (a count of transfers that changes the order \
         after so many, an order remembered per pair, a lock of its own) is something else, \
         shared by every transfer in the process. Order the two accounts by something they \
         are, such as their index. (The suite reads `src/lib.rs` only: keep the exercise in \
         that file.)",
    );
}

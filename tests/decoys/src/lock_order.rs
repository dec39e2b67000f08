//! Wrong transfers between accounts, each behind its own lock: the ways a
//! student could take two locks and still deadlock, serialise, lose money
//! or make it up.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use suites::lock_order::{Refusal, Transfer};

use crate::{Class, Decoy};

use mistakes::lock_order::{Accounts, short};
pub use mistakes::lock_order::{from_first, one_big_lock};

/// Moves `amount` between the two held balances (`first` pays when
/// `first_pays`), or refuses when the payer holds less: the body every
/// decoy that holds both locks shares.
fn settle(first: &mut i64, second: &mut i64, first_pays: bool, amount: i64) -> Result<(), Refusal> {
    let (source, target) = if first_pays {
        (first, second)
    } else {
        (second, first)
    };
    if *source < amount {
        return short(*source, amount);
    }
    *source -= amount;
    *target += amount;
    Ok(())
}

/// Takes `first`, then `second` (two of `from` and `to`), and moves the
/// money: the body of every decoy that takes both locks and gets the order
/// wrong only in which order it picks.
fn in_order(
    a: &Accounts,
    (first, second): (usize, usize),
    from: usize,
    amount: i64,
) -> Result<(), Refusal> {
    let mut g1 = a[first].lock();
    let mut g2 = a[second].lock();
    settle(&mut g1, &mut g2, first == from, amount)
}

/// The right transfer: the lower id first. The decoys that are right only
/// some of the time use it for the rest.
fn by_id(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    if from == to {
        return Err(Refusal::SameAccount);
    }
    in_order(a, (from.min(to), from.max(to)), from, amount)
}

/// Right locks, right order, but it never compares the balance with the
/// amount ("the bank allows an overdraft"): a transfer beyond the balance
/// goes through and leaves the account below zero.
fn never_checks_the_balance(
    a: &Accounts,
    from: usize,
    to: usize,
    amount: i64,
) -> Result<(), Refusal> {
    if from == to {
        return Err(Refusal::SameAccount);
    }
    let (mut g1, mut g2) = (a[from.min(to)].lock(), a[from.max(to)].lock());
    let (source, target) = if from < to {
        (&mut *g1, &mut *g2)
    } else {
        (&mut *g2, &mut *g1)
    };
    *source -= amount;
    *target += amount;
    Ok(())
}

/// Orders by id, except that a large transfer (1000 or more) takes `from`
/// first, "to get the money out quickly": two large opposite transfers
/// deadlock, and a large and a small one take their accounts in opposite
/// orders.
fn large_amounts_from_first(
    a: &Accounts,
    from: usize,
    to: usize,
    amount: i64,
) -> Result<(), Refusal> {
    if amount >= 1_000 {
        from_first(a, from, to, amount)
    } else {
        by_id(a, from, to, amount)
    }
}

/// Orders by id, except that a transfer over 10,000 whose amount ends in
/// 999 takes the higher id first (round 24's `lock-order/01`): a rule on
/// the amount's digits, which amounts drawn at random almost never meet.
fn flips_past_10_000_ending_in_999(
    a: &Accounts,
    from: usize,
    to: usize,
    amount: i64,
) -> Result<(), Refusal> {
    if amount > 10_000 && amount % 1_000 == 999 {
        in_order(a, (from.max(to), from.min(to)), from, amount)
    } else {
        by_id(a, from, to, amount)
    }
}

/// Takes `from`, then tries `to`; when `to` is busy, lets go of `from`,
/// sleeps (1 ms, doubling up to 16) and starts again. No order at all: it
/// does not deadlock, but it takes accounts both ways round.
fn backs_off(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    if from == to {
        return Err(Refusal::SameAccount);
    }
    let mut pause = std::time::Duration::from_millis(1);
    loop {
        let mut source = a[from].lock();
        if let Some(mut target) = a[to].try_lock() {
            if *source < amount {
                return short(*source, amount);
            }
            *source -= amount;
            *target += amount;
            return Ok(());
        }
        drop(source);
        std::thread::sleep(pause);
        pause = (pause * 2).min(std::time::Duration::from_millis(16));
    }
}

/// Orders by id, but which way round depends on the amount's parity: an
/// order that changes from call to call.
fn order_by_amount(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    if from == to {
        return Err(Refusal::SameAccount);
    }
    let (low, high) = (from.min(to), from.max(to));
    let order = if amount % 2 == 0 {
        (low, high)
    } else {
        (high, low)
    };
    in_order(a, order, from, amount)
}

/// Ordered by id, but a transfer to the same account locks it twice.
fn locks_one_account_twice(
    a: &Accounts,
    from: usize,
    to: usize,
    amount: i64,
) -> Result<(), Refusal> {
    let first = a[from.min(to)].lock();
    let second = a[from.max(to)].lock();
    let (mut source, mut target) = if from < to {
        (first, second)
    } else {
        (second, first)
    };
    if *source < amount {
        return short(*source, amount);
    }
    *source -= amount;
    *target += amount;
    Ok(())
}

/// Takes `from`, tries `to`, and gives up quietly when it is busy.
fn try_and_give_up(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    if from == to {
        return Err(Refusal::SameAccount);
    }
    let mut source = a[from].lock();
    if *source < amount {
        return short(*source, amount);
    }
    let Some(mut target) = a[to].try_lock() else {
        // "Avoid the deadlock": skip this one.
        return Ok(());
    };
    *source -= amount;
    *target += amount;
    Ok(())
}

/// Tries both locks, lets go and tries again until it gets both: no
/// deadlock, but it spins while it waits.
fn spins_on_try_lock(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    if from == to {
        return Err(Refusal::SameAccount);
    }
    loop {
        let Some(mut source) = a[from].try_lock() else {
            continue;
        };
        let Some(mut target) = a[to].try_lock() else {
            continue;
        };
        if *source < amount {
            return short(*source, amount);
        }
        *source -= amount;
        *target += amount;
        return Ok(());
    }
}

/// Never holds two locks: takes the money out, lets go, then puts it in.
fn one_lock_at_a_time(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    if from == to {
        return Err(Refusal::SameAccount);
    }
    {
        let mut source = a[from].lock();
        if *source < amount {
            return short(*source, amount);
        }
        *source -= amount;
    }
    *a[to].lock() += amount;
    Ok(())
}

/// Checks the balance under one lock, then moves under the (well ordered)
/// pair: two transfers can both pass the check.
fn check_then_move(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    if from == to {
        return Err(Refusal::SameAccount);
    }
    let balance = *a[from].lock();
    if balance < amount {
        return short(balance, amount);
    }
    let first = a[from.min(to)].lock();
    let second = a[from.max(to)].lock();
    let (mut source, mut target) = if from < to {
        (first, second)
    } else {
        (second, first)
    };
    *source -= amount;
    *target += amount;
    Ok(())
}

/// Returns Ok and moves nothing.
fn made_up(_: &Accounts, from: usize, to: usize, _: i64) -> Result<(), Refusal> {
    if from == to {
        return Err(Refusal::SameAccount);
    }
    Ok(())
}

/// Keeps its own ledger of balances in a `static`, keyed by account
/// number, and writes it over the accounts: right for the first bank it
/// sees, wrong for the next.
fn own_ledger(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    static LEDGER: Mutex<Option<HashMap<usize, i64>>> = Mutex::new(None);
    if from == to {
        return Err(Refusal::SameAccount);
    }
    let mut ledger = LEDGER.lock().unwrap_or_else(PoisonError::into_inner);
    let ledger = ledger.get_or_insert_with(HashMap::new);
    for i in [from, to] {
        ledger.entry(i).or_insert_with(|| *a[i].lock());
    }
    if ledger[&from] < amount {
        return short(ledger[&from], amount);
    }
    *ledger.entry(from).or_default() -= amount;
    *ledger.entry(to).or_default() += amount;
    *a[from].lock() = ledger[&from];
    *a[to].lock() = ledger[&to];
    Ok(())
}

/// Above this amount, the "huge" decoys change their rule: far past the
/// amounts the old checks drew, as a red team's wrong solutions did.
const HUGE: i64 = 50_000_000;

/// One lock around every transfer, in banks of up to four accounts ("a
/// small bank gains nothing from fine locks").
fn small_banks_one_lock(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    if a.len() <= 4 {
        one_big_lock(a, from, to, amount)
    } else {
        by_id(a, from, to, amount)
    }
}

/// `wrong` for huge transfers, the right transfer for the rest.
fn when_huge(
    wrong: fn(&Accounts, usize, usize, i64) -> Result<(), Refusal>,
    (a, from, to, amount): (&Accounts, usize, usize, i64),
) -> Result<(), Refusal> {
    let chosen = if amount > HUGE { wrong } else { by_id };
    chosen(a, from, to, amount)
}

/// Huge transfers take `from` first.
fn huge_from_first(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    when_huge(from_first, (a, from, to, amount))
}

/// Huge transfers hold one lock at a time.
fn huge_in_flight(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    when_huge(one_lock_at_a_time, (a, from, to, amount))
}

/// Huge transfers check the balance under one lock and move under two.
fn huge_check_then_move(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    when_huge(check_then_move, (a, from, to, amount))
}

/// Looks at the balance before it looks at the accounts: a transfer to the
/// same account beyond its balance is refused as short.
fn same_account_checked_late(
    a: &Accounts,
    from: usize,
    to: usize,
    amount: i64,
) -> Result<(), Refusal> {
    if from == to {
        let balance = *a[from].lock();
        if balance < amount {
            return short(balance, amount);
        }
        return Err(Refusal::SameAccount);
    }
    by_id(a, from, to, amount)
}

/// Remembers every refusal in a `static` and refuses the same account
/// again, without looking, for as much or more.
fn remembers_refusals(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    static REFUSED: Mutex<Option<HashMap<usize, (i64, i64)>>> = Mutex::new(None);
    let mut refused = REFUSED.lock().unwrap_or_else(PoisonError::into_inner);
    let refused = refused.get_or_insert_with(HashMap::new);
    if let Some(&(balance, at)) = refused.get(&from) {
        if from != to && amount >= at {
            return short(balance, amount);
        }
    }
    let got = by_id(a, from, to, amount);
    if let Err(Refusal::Insufficient { balance, amount }) = got {
        refused.insert(from, (balance, amount));
    }
    got
}

/// The right order, then a `static` ledger lock around the check-and-move
/// "so the books stay consistent" (round 9, `lock-order/10`): transfers on
/// other accounts hold their accounts at once but move money in turns.
fn ledger_around_the_move(
    a: &Accounts,
    from: usize,
    to: usize,
    amount: i64,
) -> Result<(), Refusal> {
    static LEDGER: Mutex<()> = Mutex::new(());
    if from == to {
        return Err(Refusal::SameAccount);
    }
    let (first, second) = (from.min(to), from.max(to));
    let mut g1 = a[first].lock();
    let mut g2 = a[second].lock();
    let _books = LEDGER.lock().unwrap_or_else(PoisonError::into_inner);
    settle(&mut g1, &mut g2, first == from, amount)
}

/// One `static` lock around every transfer in a bank of fewer than 4
/// accounts, "too small to be worth the order" (round 9, `lock-order/01`):
/// separate small banks take turns.
fn tiny_banks_one_lock(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    static TINY: Mutex<()> = Mutex::new(());
    if a.len() < 4 {
        let _all = TINY.lock().unwrap_or_else(PoisonError::into_inner);
        return by_id(a, from, to, amount);
    }
    by_id(a, from, to, amount)
}

/// One `static` lock around every transfer of a million cents or more,
/// "big money one at a time" (round 9, `lock-order/02`).
fn big_amounts_one_lock(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    static BIG: Mutex<()> = Mutex::new(());
    if amount >= 1_000_000 {
        let _all = BIG.lock().unwrap_or_else(PoisonError::into_inner);
        return by_id(a, from, to, amount);
    }
    by_id(a, from, to, amount)
}

/// The lower id first, but the second account polled with `try_lock` and a
/// 1 ms sleep between tries (round 9, `lock-order/07`).
fn polls_the_second(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    if from == to {
        return Err(Refusal::SameAccount);
    }
    let (first, second) = (from.min(to), from.max(to));
    let mut g1 = a[first].lock();
    let mut g2 = loop {
        if let Some(g) = a[second].try_lock() {
            break g;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    };
    settle(&mut g1, &mut g2, first == from, amount)
}

/// Compares the balance with the amount in dollars, as `f64` (round 9,
/// `lock-order/05`): past 2^53 cents, one cent too many goes through.
fn compares_in_dollars(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    if from == to {
        return Err(Refusal::SameAccount);
    }
    let (first, second) = (from.min(to), from.max(to));
    let mut g1 = a[first].lock();
    let mut g2 = a[second].lock();
    let (source, target) = if first == from {
        (&mut *g1, &mut *g2)
    } else {
        (&mut *g2, &mut *g1)
    };
    if (*source as f64 / 100.0) < (amount as f64 / 100.0) {
        return short(*source, amount);
    }
    *source -= amount;
    *target += amount;
    Ok(())
}

/// The higher id first for amounts of 10^18 cents or more, "the clearing
/// house's order" (round 9, `lock-order/04`).
fn order_flips_for_huge(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    if from == to {
        return Err(Refusal::SameAccount);
    }
    let pair = if amount >= 1_000_000_000_000_000_000 {
        (from.max(to), from.min(to))
    } else {
        (from.min(to), from.max(to))
    };
    in_order(a, pair, from, amount)
}

/// Orders by the account's id cut to its low `BITS` bits, ties taken
/// `from` first: kept in a byte (round 9, `lock-order/08`), or in 16 bits
/// (round 14, `lock-order/01`). Two accounts whose ids agree there are
/// taken both ways.
fn order_by_low_id_bits<const BITS: u32>(
    a: &Accounts,
    from: usize,
    to: usize,
    amount: i64,
) -> Result<(), Refusal> {
    if from == to {
        return Err(Refusal::SameAccount);
    }
    let low = |i: usize| a[i].id() & ((1 << BITS) - 1);
    let pair = if low(from) <= low(to) {
        (from, to)
    } else {
        (to, from)
    };
    in_order(a, pair, from, amount)
}

/// Takes the lower account, tries the higher; when it is busy, lets go,
/// yields and starts again; after `ROUNDS` rounds without both it refuses
/// (round 14, `lock-order/07`, `/09`, `/10`; `usize::MAX`: never gives up),
/// yielding between tries, or napping `NAP_MS` (round 15, `lock-order/05`:
/// 70 ms, two tries in 100 ms).
/// It takes a lock between two tries, so the probe threads' rule against
/// trying a busy account again straight away does not see it.
fn ordered_back_off<const ROUNDS: usize, const NAP_MS: u64>(
    a: &Accounts,
    from: usize,
    to: usize,
    amount: i64,
) -> Result<(), Refusal> {
    if from == to {
        return Err(Refusal::SameAccount);
    }
    let (low, high) = (from.min(to), from.max(to));
    for _ in 0..ROUNDS {
        let mut first = a[low].lock();
        if let Some(mut second) = a[high].try_lock() {
            return settle(&mut first, &mut second, low == from, amount);
        }
        drop(first);
        if NAP_MS == 0 {
            std::thread::yield_now();
        } else {
            std::thread::sleep(std::time::Duration::from_millis(NAP_MS));
        }
    }
    short(*a[from].lock(), amount)
}

/// The lower account first until a count of transfers kept in a file
/// passes a million, then the higher (round 14, `lock-order/03`).
fn flips_after_a_million_in_a_file(
    a: &Accounts,
    from: usize,
    to: usize,
    amount: i64,
) -> Result<(), Refusal> {
    if from == to {
        return Err(Refusal::SameAccount);
    }
    let (low, high) = (from.min(to), from.max(to));
    let pair = if crate::file_counter::past_a_million() {
        (high, low)
    } else {
        (low, high)
    };
    in_order(a, pair, from, amount)
}

/// Every account of a bank of three or fewer, in order, for every
/// transfer ("a small bank settles as one"; round 15, `lock-order/08`).
fn small_banks_locked_whole(
    a: &Accounts,
    from: usize,
    to: usize,
    amount: i64,
) -> Result<(), Refusal> {
    if from == to {
        return Err(Refusal::SameAccount);
    }
    if a.len() > 3 {
        return by_id(a, from, to, amount);
    }
    let mut guards: Vec<_> = a.iter().map(|account| account.lock()).collect();
    let (low, high) = (from.min(to), from.max(to));
    let (first, rest) = guards.split_at_mut(high);
    settle(&mut first[low], &mut rest[0], low == from, amount)
}

/// The lower id first, but the higher when the two are more than 2^20
/// apart (round 14, `lock-order/02`): every pair always taken the same way,
/// but three accounts can close a ring.
fn flips_when_far_apart(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    if from == to {
        return Err(Refusal::SameAccount);
    }
    let (f, t) = (a[from].id(), a[to].id());
    let lower_first = f.abs_diff(t) <= 1 << 20;
    let pair = if (f < t) == lower_first {
        (from, to)
    } else {
        (to, from)
    };
    in_order(a, pair, from, amount)
}

/// One lock for the whole bank around every transfer, but in banks of
/// the sizes a fixed check might have (2, 3, 4, 8, 16, 2,000 accounts)
/// (round 21, `lock-order/01`: "the bank's book" in banks of 5 to 7, 9 to
/// 15 and 17 to 1,999 accounts).
fn bank_lock_at_other_sizes(
    a: &Accounts,
    from: usize,
    to: usize,
    amount: i64,
) -> Result<(), Refusal> {
    if [2, 3, 4, 8, 16, 2_000].contains(&a.len()) {
        by_id(a, from, to, amount)
    } else {
        one_big_lock(a, from, to, amount)
    }
}

/// One `static` lock around every transfer in a bank of more than a
/// thousand accounts, "a big bank settles in turn" (round 10,
/// `lock-order/02`).
fn big_banks_one_lock(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    if a.len() > 1_000 {
        one_big_lock(a, from, to, amount)
    } else {
        by_id(a, from, to, amount)
    }
}

/// No `SameAccount` refusal past 5 × 10^18 cents (round 10,
/// `lock-order/09`): the account is locked twice.
fn same_account_past_5e18(
    a: &Accounts,
    from: usize,
    to: usize,
    amount: i64,
) -> Result<(), Refusal> {
    if amount > 5_000_000_000_000_000_000 {
        locks_one_account_twice(a, from, to, amount)
    } else {
        by_id(a, from, to, amount)
    }
}

/// Every wrong transfer, with the check that must reject it.
pub fn corpus() -> Vec<Decoy<Transfer>> {
    vec![
        Decoy {
            name: "never compares the balance with the amount",
            class: Class::RuleSkipped,
            subject: never_checks_the_balance,
            caught_by: "a_transfer_beyond_the_balance_is_refused",
            breaks: "refuses-short",
            says: &["from an account holding 10 returned Ok(())", "Insufficient"],
        },
        Decoy {
            name: "takes `from` first, then `to`",
            class: Class::Stuck,
            subject: from_first,
            caught_by: "opposite_transfers_do_not_deadlock",
            breaks: "no-deadlock",
            says: &["deadlocked", "and waits for account", "one order"],
        },
        Decoy {
            name: "orders the locks by the amount's parity",
            class: Class::RuleSkipped,
            subject: order_by_amount,
            caught_by: "opposite_transfers_do_not_deadlock",
            breaks: "one-order",
            says: &["deadlocked", "and waits for account", "never changes"],
        },
        Decoy {
            name: "large transfers take `from` first",
            class: Class::RuleSkipped,
            subject: large_amounts_from_first,
            caught_by: "opposite_transfers_do_not_deadlock",
            breaks: "one-order",
            says: &["opposite orders", "lower `id()` first"],
        },
        Decoy {
            name: "amounts over 10,000 ending in 999 flip the order (round 24, lock-order/01)",
            class: Class::RuleSkipped,
            subject: flips_past_10_000_ending_in_999,
            caught_by: "opposite_transfers_do_not_deadlock",
            breaks: "one-order",
            says: &["opposite orders", "lower `id()` first"],
        },
        Decoy {
            name: "takes `from`, tries `to`, backs off and retries",
            class: Class::RuleSkipped,
            subject: backs_off,
            caught_by: "opposite_transfers_do_not_deadlock",
            breaks: "one-order",
            says: &["opposite orders", "lower `id()` first"],
        },
        Decoy {
            name: "locks the same account twice",
            class: Class::Stuck,
            subject: locks_one_account_twice,
            caught_by: "a_transfer_to_the_same_account_is_refused",
            breaks: "refuses-same-account",
            says: &["holds account 2 and waits for account 2", "not re-entrant"],
        },
        Decoy {
            name: "a lock for the whole bank, but at the bank sizes a fixed check has (round 21, lock-order/01)",
            class: Class::Sequential,
            subject: bank_lock_at_other_sizes,
            caught_by: "transfers_on_other_accounts_run_at_once",
            breaks: "disjoint-at-once",
            says: &[
                "a size drawn this run from 5 to 1,000",
                "in a bank of any size",
            ],
        },
        Decoy {
            name: "one global lock around every transfer",
            class: Class::Sequential,
            subject: one_big_lock,
            caught_by: "transfers_on_other_accounts_run_at_once",
            breaks: "disjoint-at-once",
            says: &["at most 1 of the 2", "take turns"],
        },
        Decoy {
            name: "try_lock the second account and give up",
            class: Class::RuleSkipped,
            subject: try_and_give_up,
            caught_by: "every_transfer_counts_under_contention",
            breaks: "waits-for-busy",
            says: &["cents off", "not skip it"],
        },
        Decoy {
            name: "spins on try_lock until both are free",
            class: Class::Spinning,
            subject: spins_on_try_lock,
            caught_by: "every_transfer_counts_under_contention",
            breaks: "waits-for-busy",
            says: &["`try_lock`", "Take the locks with `lock`", "sleeps"],
        },
        Decoy {
            name: "lets go of `from` before taking `to`",
            class: Class::RuleSkipped,
            subject: one_lock_at_a_time,
            caught_by: "the_money_is_never_in_flight",
            breaks: "never-in-flight",
            says: &["instead of 1000", "Hold both locks"],
        },
        Decoy {
            name: "checks the balance under one lock, moves under two",
            class: Class::RuleSkipped,
            subject: check_then_move,
            caught_by: "no_account_goes_below_zero",
            breaks: "no-overdraft",
            says: &[
                "2 returned Ok",
                "[-100, 100, 100]",
                "paid out 200",
                "same locks",
            ],
        },
        Decoy {
            name: "returns Ok and moves nothing",
            class: Class::MadeUp,
            subject: made_up,
            caught_by: "a_transfer_moves_the_amount",
            breaks: "moves-the-amount",
            says: &["the balances are [100, 50, 0], expected [70, 50, 30]"],
        },
        Decoy {
            name: "keeps its own ledger in a static",
            class: Class::StateBetweenCalls,
            subject: own_ledger,
            caught_by: "a_transfer_moves_the_amount",
            breaks: "moves-the-amount",
            says: &["bank 2 of 2", "keep nothing between calls"],
        },
        Decoy {
            name: "one lock around a small bank's transfers",
            class: Class::Sequential,
            subject: small_banks_one_lock,
            caught_by: "transfers_on_other_accounts_run_at_once",
            breaks: "disjoint-at-once",
            says: &["bank of 4 accounts", "at most 1 of the 2", "any size"],
        },
        Decoy {
            name: "huge transfers take `from` first",
            class: Class::RuleSkipped,
            subject: huge_from_first,
            caught_by: "opposite_transfers_do_not_deadlock",
            breaks: "one-order",
            says: &["never changes"],
        },
        Decoy {
            name: "huge transfers hold one lock at a time",
            class: Class::RuleSkipped,
            subject: huge_in_flight,
            caught_by: "the_money_is_never_in_flight",
            breaks: "never-in-flight",
            says: &["instead of 1000000000000000000", "Hold both locks"],
        },
        Decoy {
            name: "huge transfers check the balance under one lock",
            class: Class::RuleSkipped,
            subject: huge_check_then_move,
            caught_by: "no_account_goes_below_zero",
            breaks: "no-overdraft",
            says: &["2 returned Ok", "whatever the amount"],
        },
        Decoy {
            name: "looks at the balance before the accounts",
            class: Class::RuleSkipped,
            subject: same_account_checked_late,
            caught_by: "a_transfer_to_the_same_account_is_refused",
            breaks: "refuses-same-account",
            says: &["transfer(0→0, 1000)", "whatever the balance"],
        },
        Decoy {
            name: "remembers refusals in a static",
            class: Class::StateBetweenCalls,
            subject: remembers_refusals,
            caught_by: "a_transfer_beyond_the_balance_is_refused",
            breaks: "refuses-short",
            says: &[
                "the same transfer(1→0, 11) again",
                "keep nothing between calls",
            ],
        },
        Decoy {
            name: "a static ledger lock around the check-and-move (round 9, lock-order/10)",
            class: Class::Sequential,
            subject: ledger_around_the_move,
            caught_by: "transfers_on_other_accounts_run_at_once",
            breaks: "disjoint-at-once",
            says: &["writing a balance", "take nothing else"],
        },
        Decoy {
            name: "one static lock for banks of fewer than 4 accounts (round 9, lock-order/01)",
            class: Class::Sequential,
            subject: tiny_banks_one_lock,
            caught_by: "transfers_on_other_accounts_run_at_once",
            breaks: "disjoint-at-once",
            says: &["side by side", "take turns"],
        },
        Decoy {
            name: "one static lock for amounts of a million cents or more (round 9, lock-order/02)",
            class: Class::Sequential,
            subject: big_amounts_one_lock,
            caught_by: "transfers_on_other_accounts_run_at_once",
            breaks: "disjoint-at-once",
            says: &["take turns"],
        },
        Decoy {
            name: "the second account polled with try_lock and a 1 ms sleep (round 9, lock-order/07)",
            class: Class::Spinning,
            subject: polls_the_second,
            caught_by: "every_transfer_counts_under_contention",
            breaks: "waits-for-busy",
            says: &["polled the lock"],
        },
        Decoy {
            name: "balance and amount compared as f64 dollars (round 9, lock-order/05)",
            class: Class::MadeUp,
            subject: compares_in_dollars,
            caught_by: "a_transfer_beyond_the_balance_is_refused",
            breaks: "refuses-short",
            says: &["returned Ok(())", "Insufficient"],
        },
        Decoy {
            name: "the order flips for amounts of 10^18 cents or more (round 9, lock-order/04)",
            class: Class::Stuck,
            subject: order_flips_for_huge,
            caught_by: "opposite_transfers_do_not_deadlock",
            breaks: "one-order",
            says: &["opposite orders"],
        },
        Decoy {
            name: "the order kept in a byte (round 9, lock-order/08)",
            class: Class::Stuck,
            subject: order_by_low_id_bits::<8>,
            caught_by: "opposite_transfers_do_not_deadlock",
            breaks: "one-order",
            says: &["opposite orders"],
        },
        Decoy {
            name: "an ordered try_lock, back-off and yield loop (round 14, lock-order/07)",
            class: Class::RuleSkipped,
            subject: ordered_back_off::<{ usize::MAX }, 0>,
            caught_by: "every_transfer_counts_under_contention",
            breaks: "waits-for-busy",
            says: &["was held by another thread", "spun"],
        },
        Decoy {
            name: "an ordered back-off loop that refuses after 2 rounds (round 14, lock-order/10)",
            class: Class::RuleSkipped,
            subject: ordered_back_off::<2, 0>,
            caught_by: "every_transfer_counts_under_contention",
            breaks: "waits-for-busy",
            says: &["A transfer that finds an account busy", "refused"],
        },
        Decoy {
            name: "the order flips past a million transfers, counted in a file (round 14, lock-order/03)",
            class: Class::StateBetweenCalls,
            subject: flips_after_a_million_in_a_file,
            caught_by: "the_order_is_set_by_the_accounts_alone",
            breaks: "one-order",
            says: &[
                "10000 transfers of `transfer`",
                "reads and",
                "kept in a file",
            ],
        },
        Decoy {
            name: "a bank of three or fewer locked whole (round 15, lock-order/08)",
            class: Class::Sequential,
            subject: small_banks_locked_whole,
            caught_by: "every_transfer_counts_under_contention",
            breaks: "disjoint-at-once",
            says: &[
                "had not finished after a second",
                "locks only its two accounts",
            ],
        },
        Decoy {
            name: "an ordered back-off loop with a 70 ms nap (round 15, lock-order/05)",
            class: Class::RuleSkipped,
            subject: ordered_back_off::<{ usize::MAX }, 70>,
            caught_by: "every_transfer_counts_under_contention",
            breaks: "waits-for-busy",
            says: &["was held by another thread", "found an"],
        },
        Decoy {
            name: "the order on the id's low 16 bits (round 14, lock-order/01)",
            class: Class::Stuck,
            subject: order_by_low_id_bits::<16>,
            caught_by: "opposite_transfers_do_not_deadlock",
            breaks: "one-order",
            says: &["opposite orders"],
        },
        Decoy {
            name: "the higher id first when two ids are over 2^20 apart (round 14, lock-order/02)",
            class: Class::Stuck,
            subject: flips_when_far_apart,
            caught_by: "opposite_transfers_do_not_deadlock",
            breaks: "one-order",
            says: &["rings of three", "deadlocked", "close a cycle"],
        },
        Decoy {
            name: "one static lock in banks past a thousand accounts (round 10, lock-order/02)",
            class: Class::Sequential,
            subject: big_banks_one_lock,
            caught_by: "transfers_on_other_accounts_run_at_once",
            breaks: "disjoint-at-once",
            says: &["take turns", "in a bank of any size"],
        },
        Decoy {
            name: "no same-account refusal past 5 × 10^18 cents (round 10, lock-order/09)",
            class: Class::Stuck,
            subject: same_account_past_5e18,
            caught_by: "a_transfer_to_the_same_account_is_refused",
            breaks: "refuses-same-account",
            says: &["a Mutex is not re-entrant"],
        },
        Decoy {
            name: "the order flips after a million transfers, counted in a static (round 10, lock-order/04)",
            class: Class::StateBetweenCalls,
            subject: crate::globals::lock_order_flips_after_a_million,
            caught_by: "the_order_is_set_by_the_accounts_alone",
            breaks: "one-order",
            says: &[
                "keeps something in a global",
                "set by the accounts themselves",
                "(in `fn lock_order_flips_after_a_million`)",
            ],
        },
    ]
}

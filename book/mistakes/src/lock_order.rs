//! Two locks taken in the order of the arguments.

use std::sync::{Mutex, PoisonError};

use harness::watched::Watched;
use suites::lock_order::Refusal;

/// The bank's accounts, each behind its own watched lock.
pub type Accounts = [Watched<i64>];

/// The refusal of a transfer of `amount` from an account holding `balance`.
pub fn short(balance: i64, amount: i64) -> Result<(), Refusal> {
    Err(Refusal::Insufficient { balance, amount })
}

// ANCHOR: from_first
/// Takes `from`, then `to`: the textbook deadlock.
pub fn from_first(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    if from == to {
        return Err(Refusal::SameAccount);
    }
    let mut source = a[from].lock();
    let mut target = a[to].lock();
    if *source < amount {
        return short(*source, amount);
    }
    *source -= amount;
    *target += amount;
    Ok(())
}
// ANCHOR_END: from_first

/// One global lock around every transfer: never deadlocks, never overlaps.
pub fn one_big_lock(a: &Accounts, from: usize, to: usize, amount: i64) -> Result<(), Refusal> {
    static BANK: Mutex<()> = Mutex::new(());
    let _all = BANK.lock().unwrap_or_else(PoisonError::into_inner);
    from_first(a, from, to, amount)
}

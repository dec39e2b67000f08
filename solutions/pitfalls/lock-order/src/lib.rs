//! Pitfalls, exercise: two locks taken in opposite orders.
//!
//! Every account of a bank sits behind its own lock, so transfers between
//! different accounts run at the same time. A transfer needs two of those
//! locks at once, and that is where it can go wrong while compiling
//! cleanly: if one thread takes account 3 and then asks for 7 while another
//! takes 7 and then asks for 3, each waits for the other forever.
//!
//! The accounts are [`Account`]s: locks that behave like `Mutex<i64>` and
//! also tell the tests who holds what and who waits for what, so a deadlock
//! is reported as the two threads and their locks instead of a hang.

pub use harness::watched::Watched;

/// An account: its balance in cents, behind its own lock.
pub type Account = Watched<i64>;

/// Why a transfer did not happen. Nothing moved in either case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// `from` and `to` are the same account.
    SameAccount,
    /// `from` holds less than the amount.
    Insufficient {
        /// What `from` held when the transfer looked.
        balance: i64,
        /// What the transfer asked for.
        amount: i64,
    },
}

// ANCHOR: transfer
/// Moves `amount` (> 0) cents from account `from` to account `to`, or
/// refuses. Many threads call this at once, in every direction.
pub fn transfer(accounts: &[Account], from: usize, to: usize, amount: i64) -> Result<(), Refused> {
    // SOLUTION: todo!("move the money; opposite transfers at once must never deadlock")
    if from == to {
        // Locking one account twice would wait for ourselves: a std Mutex
        // is not re-entrant.
        return Err(Refused::SameAccount);
    }
    let (source, target) = (&accounts[from], &accounts[to]);
    // ANCHOR: order
    // Every thread takes the lower-numbered account first. Then no thread
    // can hold the higher one while it waits for the lower one, so no two
    // threads can each hold what the other waits for. The order must be
    // one that never changes: an account's number, not its balance or
    // which side of the transfer it is on.
    let (mut source, mut target) = if source.id() < target.id() {
        let source = source.lock();
        (source, target.lock())
    } else {
        let target = target.lock();
        (source.lock(), target)
    };
    // ANCHOR_END: order
    // Check and move under the same two locks: checking under one lock
    // and moving under another lets two transfers both see enough money,
    // and letting go of `from` before adding to `to` shows anyone who
    // looks in between a total short of `amount`.
    if *source < amount {
        return Err(Refused::Insufficient {
            balance: *source,
            amount,
        });
    }
    *source -= amount;
    *target += amount;
    Ok(())
    // END SOLUTION
}
// ANCHOR_END: transfer

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
    todo!("move the money; opposite transfers at once must never deadlock")
}
// ANCHOR_END: transfer

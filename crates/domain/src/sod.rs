//! Separation of duties (SPEC §1): nobody approves what they created or submitted.

use crate::error::{Conflict, DomainError};
use crate::ids::UserId;

/// Refuses an approval by the item's creator or submitter. Every approval in Castellan
/// calls this before it records a decision.
pub fn ensure_independent_approver(
    approver: UserId,
    created_by: UserId,
    submitted_by: Option<UserId>,
) -> Result<(), DomainError> {
    if approver == created_by || submitted_by == Some(approver) {
        Err(DomainError::Conflict(Conflict::SelfApproval))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creators_and_submitters_cannot_approve() {
        let (alice, bob, carol) = (UserId(1), UserId(2), UserId(3));
        assert!(ensure_independent_approver(alice, alice, None).is_err());
        assert!(ensure_independent_approver(bob, alice, Some(bob)).is_err());
        assert!(ensure_independent_approver(carol, alice, Some(bob)).is_ok());
        assert!(ensure_independent_approver(bob, alice, None).is_ok());
    }
}

//! Separation of duties (SPEC §1): nobody approves, returns as approver or closes an item
//! that they created, submitted or helped prepare.

use crate::error::DomainError;
use crate::error::KernelConflict;
use crate::ids::UserId;

/// The people an item comes from: whoever created it, whoever submitted it for approval,
/// and the team that prepared it. None of them may decide on it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Authors<'a> {
    /// Who created the item.
    pub created_by: Option<UserId>,
    /// Who last submitted it for approval.
    pub submitted_by: Option<UserId>,
    /// Who prepared it (an assessment's team, say).
    pub team: &'a [UserId],
}

impl Authors<'_> {
    /// Whether `user` created, submitted or helped prepare the item.
    pub fn includes(&self, user: UserId) -> bool {
        self.created_by == Some(user)
            || self.submitted_by == Some(user)
            || self.team.contains(&user)
    }
}

/// Refuses a decision (an approval, a return as approver, a closing, a committee decision)
/// by one of the item's authors. Every approval in Castellan calls this before it records a
/// decision; nothing else encodes the rule.
pub fn ensure_independent_approver(
    approver: UserId,
    authors: &Authors<'_>,
) -> Result<(), DomainError> {
    if authors.includes(approver) {
        Err(KernelConflict::SelfApproval.into())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creators_submitters_and_team_members_cannot_approve() {
        let (alice, bob, carol, dave) = (UserId(1), UserId(2), UserId(3), UserId(4));
        let team = [carol];
        let authors = Authors {
            created_by: Some(alice),
            submitted_by: Some(bob),
            team: &team,
        };
        for author in [alice, bob, carol] {
            assert_eq!(
                ensure_independent_approver(author, &authors),
                Err(KernelConflict::SelfApproval.into())
            );
        }
        assert!(ensure_independent_approver(dave, &authors).is_ok());
        // Nothing known about the item's origin: anyone may decide.
        assert!(ensure_independent_approver(alice, &Authors::default()).is_ok());
    }
}

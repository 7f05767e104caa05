//! An item's way through its approval chain: the steps it was submitted with, the round (each
//! new submission after a return starts the next), and the step now waiting. Every process
//! that submits items for approval (requests, document versions, training plans, …) keeps
//! one `ChainRun` per item and moves it only through these functions, so that steps are
//! skipped, completed and approved the same way everywhere.

use super::chain::{Progress, Step, StepRole, progress};
use crate::ids::UserId;
use crate::time::Timestamp;
use serde::Serialize;

/// An item's chain state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChainRun {
    /// The chain it was last submitted with.
    pub chain_id: Option<i64>,
    /// That chain's version then.
    pub chain_version: Option<i64>,
    /// The steps of that version.
    pub steps: Vec<Step>,
    /// Submissions so far.
    pub round: i64,
    /// The step waiting for approval (0-based), while submitted.
    pub current_step: Option<i64>,
    /// Who submitted it last.
    pub submitted_by: Option<UserId>,
    /// When.
    pub submitted_at: Option<Timestamp>,
}

/// Where a run stands after a submission or an approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// Waiting for approvals at this step (the same one or a new one).
    AtStep(usize),
    /// Every step is complete (or none had an approver): the item is approved.
    Approved,
}

/// The chain an item is submitted with.
#[derive(Debug, Clone, Copy)]
pub struct ChainPick<'a> {
    /// Its id.
    pub id: i64,
    /// Its version now.
    pub version: i64,
    /// Its steps now.
    pub steps: &'a [Step],
}

impl ChainRun {
    /// The step waiting for approval.
    pub fn step(&self) -> Option<&Step> {
        self.current_step
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.steps.get(i))
    }

    /// The index of the step waiting for approval.
    pub fn step_index(&self) -> Option<usize> {
        self.current_step.and_then(|i| usize::try_from(i).ok())
    }

    /// Starts a new round with `chain` as it is now. `head` is the department head a
    /// `department_head` step would ask; such a step is skipped when there is none.
    pub fn submit(
        &mut self,
        chain: ChainPick<'_>,
        by: UserId,
        at: Timestamp,
        head: Option<UserId>,
    ) -> RunState {
        self.chain_id = Some(chain.id);
        self.chain_version = Some(chain.version);
        self.steps = chain.steps.to_vec();
        self.round += 1;
        self.submitted_by = Some(by);
        self.submitted_at = Some(at);
        self.open_from(0, head)
    }

    /// One more approval of the current step, which now has `approvals` in this round.
    pub fn approve(&mut self, approvals: u32, head: Option<UserId>) -> RunState {
        let Some(at) = self.step_index() else {
            return RunState::Approved;
        };
        match progress(&self.steps, at, approvals) {
            Progress::SameStep => RunState::AtStep(at),
            Progress::NextStep(next) => self.open_from(next, head),
            Progress::Approved => {
                self.current_step = None;
                RunState::Approved
            }
        }
    }

    /// Ends the round without approval (rejected, returned or withdrawn).
    pub fn stop(&mut self) {
        self.current_step = None;
    }

    /// Whether the step at `index` is the chain's last.
    pub fn is_last_step(&self, index: usize) -> bool {
        index + 1 >= self.steps.len()
    }

    fn open_from(&mut self, from: usize, head: Option<UserId>) -> RunState {
        let open = self
            .steps
            .iter()
            .enumerate()
            .skip(from)
            .find(|(_, s)| s.approver_role != StepRole::DepartmentHead || head.is_some())
            .map(|(i, _)| i);
        match open {
            Some(i) => {
                self.current_step = Some(i as i64);
                RunState::AtStep(i)
            }
            None => {
                self.current_step = None;
                RunState::Approved
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::Role;
    use crate::workflow::chain::StepScope;

    fn step(role: StepRole, n: u32) -> Step {
        Step {
            name: String::new(),
            approver_role: role,
            scope: StepScope::Any,
            min_approvals: n,
        }
    }

    fn chain() -> Vec<Step> {
        vec![
            step(StepRole::DepartmentHead, 1),
            step(StepRole::Role(Role::SecurityOfficer), 2),
            step(StepRole::Role(Role::Committee), 1),
        ]
    }

    #[test]
    fn a_run_walks_its_steps_and_skips_a_missing_department_head() {
        let steps = chain();
        let pick = ChainPick {
            id: 4,
            version: 2,
            steps: &steps,
        };
        let now = Timestamp::now();
        let mut run = ChainRun::default();
        assert_eq!(
            run.submit(pick, UserId(1), now, Some(UserId(9))),
            RunState::AtStep(0)
        );
        assert_eq!((run.round, run.chain_version), (1, Some(2)));
        assert_eq!(run.approve(1, Some(UserId(9))), RunState::AtStep(1));
        assert_eq!(run.approve(1, Some(UserId(9))), RunState::AtStep(1));
        assert_eq!(run.approve(2, Some(UserId(9))), RunState::AtStep(2));
        assert!(run.is_last_step(2));
        assert_eq!(run.approve(1, Some(UserId(9))), RunState::Approved);
        assert_eq!(run.current_step, None);

        // A second round without a department head starts at the second step.
        assert_eq!(run.submit(pick, UserId(1), now, None), RunState::AtStep(1));
        assert_eq!(run.round, 2);
        run.stop();
        assert_eq!(run.step(), None);
    }

    #[test]
    fn a_chain_of_only_a_missing_head_approves_at_once() {
        let steps = vec![step(StepRole::DepartmentHead, 1)];
        let mut run = ChainRun::default();
        let pick = ChainPick {
            id: 1,
            version: 1,
            steps: &steps,
        };
        assert_eq!(
            run.submit(pick, UserId(1), Timestamp::now(), None),
            RunState::Approved
        );
    }
}

//! Workflow move checks per second (issue 12: at least 1,000,000/s): every (from, to) pair
//! of the assessment and request processes, checked for callers of every kind — team
//! members, independent reviewers, authors who may not decide, step approvers, outsiders —
//! with and without a comment.
//!
//! `cargo run --release -p castellan-domain --example workflow_bench`

use castellan_domain::request::{self, RequestStatus};
use castellan_domain::risk::assessment::{self, Phase};
use castellan_domain::sod::Authors;
use castellan_domain::workflow::{Caller, Subject};
use castellan_domain::{Role, UserId};
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let team = [UserId(1), UserId(2)];
    let assessment_subject = Subject {
        authors: Authors {
            created_by: Some(UserId(1)),
            submitted_by: Some(UserId(2)),
            team: &team,
        },
        requester: None,
    };
    let request_subject = request::subject(Some(UserId(3)), Some(UserId(3)), Some(UserId(3)));
    let callers = [
        Caller::new(UserId(1), &[Role::Assessor]),
        Caller::new(UserId(2), &[Role::SecurityOfficer, Role::Committee]),
        Caller::new(UserId(5), &[Role::SecurityOfficer]),
        Caller::new(UserId(6), &[Role::Committee]),
        Caller::new(UserId(7), &[Role::Staff]),
        Caller {
            step_approver: true,
            ..Caller::new(UserId(8), &[Role::Staff])
        },
        Caller {
            step_approver: true,
            ..Caller::new(UserId(3), &[Role::SecurityAdmin])
        },
        Caller::new(UserId(9), &[Role::DataAdmin, Role::SecurityAdmin]),
    ];
    let comments = [None, Some("请补充")];
    let rounds = 200_000;
    let started = Instant::now();
    let (mut checks, mut allowed) = (0_u64, 0_u64);
    for _ in 0..rounds {
        for caller in &callers {
            for comment in comments {
                for from in Phase::ALL {
                    for to in Phase::ALL {
                        let r = assessment::FLOW.check(
                            black_box(from),
                            to,
                            caller,
                            &assessment_subject,
                            comment,
                        );
                        allowed += u64::from(r.is_ok());
                        checks += 1;
                    }
                }
                for from in RequestStatus::ALL {
                    for to in RequestStatus::ALL {
                        let r = request::FLOW.check(
                            black_box(from),
                            to,
                            caller,
                            &request_subject,
                            comment,
                        );
                        allowed += u64::from(r.is_ok());
                        checks += 1;
                    }
                }
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "move checks: {:.0}/s ({checks} in {seconds:.2} s; {allowed} allowed)",
        checks as f64 / seconds
    );
    // The moves that exist only (each needs the caller's role, team or step, separation of
    // duties and the comment rule).
    let started = Instant::now();
    let (mut declared, mut ok) = (0_u64, 0_u64);
    for _ in 0..rounds {
        for caller in &callers {
            for comment in comments {
                for m in assessment::FLOW.moves {
                    let r = assessment::FLOW.check(
                        black_box(m.from),
                        m.to,
                        caller,
                        &assessment_subject,
                        comment,
                    );
                    ok += u64::from(r.is_ok());
                    declared += 1;
                }
                for m in request::FLOW.moves {
                    let r = request::FLOW.check(
                        black_box(m.from),
                        m.to,
                        caller,
                        &request_subject,
                        comment,
                    );
                    ok += u64::from(r.is_ok());
                    declared += 1;
                }
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "checks of declared moves: {:.0}/s ({declared} in {seconds:.2} s; {ok} allowed)",
        declared as f64 / seconds
    );
    // The list of moves a page shows (`allowed_transitions`), per item.
    let started = Instant::now();
    let mut lists = 0_u64;
    let mut total = 0_usize;
    for _ in 0..rounds {
        for caller in &callers {
            for state in RequestStatus::ALL {
                total += request::FLOW
                    .allowed(black_box(state), caller, &request_subject)
                    .len();
                lists += 1;
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "allowed-move lists: {:.0}/s ({lists} in {seconds:.2} s; {total} moves)",
        lists as f64 / seconds
    );
}

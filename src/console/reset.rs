//! The Lag tab's reset dialog: where to (typed: `earliest`, `latest`, `-15m`, an RFC 3339
//! time), the plan the pipeline computed, and a yes before anything moves. The dialog is plain
//! state; the loop asks the pipeline for the plan and the reset (`Command::PlanReset`,
//! `Command::ApplyReset`) and hands the answers back.

use crate::broker::reset::{ResetRow, ResetTarget};

/// Where the dialog is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResetStep {
    /// Typing the target.
    Entering,
    /// Waiting for the plan of `target`.
    Planning(ResetTarget),
    /// The plan, waiting for a yes.
    Confirm {
        target: ResetTarget,
        plan: Vec<ResetRow>,
    },
    /// The pipeline pauses, seeks and resumes.
    Applying(ResetTarget),
}

/// The reset dialog's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetDialog {
    /// What was typed; empty means `earliest`.
    pub input: String,
    pub step: ResetStep,
    /// Why the last entry or request failed.
    pub error: Option<String>,
}

impl Default for ResetDialog {
    fn default() -> ResetDialog {
        ResetDialog {
            input: String::new(),
            step: ResetStep::Entering,
            error: None,
        }
    }
}

/// What a key did to the dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogOutcome {
    /// Nothing for the loop to do.
    Stay,
    /// The dialog is closed.
    Close,
    /// Ask the pipeline for the plan of this target.
    Plan(ResetTarget),
    /// Ask the pipeline to apply this plan.
    Apply(Vec<ResetRow>),
}

/// A key as the dialog reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogKey {
    Char(char),
    Delete,
    Enter,
    Cancel,
}

impl ResetDialog {
    /// Applies one key; `now_ms` anchors a typed `-15m`.
    pub fn key(&mut self, key: DialogKey, now_ms: i64) -> DialogOutcome {
        match (&self.step, key) {
            (_, DialogKey::Cancel) => DialogOutcome::Close,
            (ResetStep::Entering, DialogKey::Char(c)) => {
                self.input.push(c);
                self.error = None;
                DialogOutcome::Stay
            }
            (ResetStep::Entering, DialogKey::Delete) => {
                self.input.pop();
                self.error = None;
                DialogOutcome::Stay
            }
            (ResetStep::Entering, DialogKey::Enter) => {
                let typed = if self.input.trim().is_empty() {
                    "earliest"
                } else {
                    self.input.as_str()
                };
                match ResetTarget::parse_time_or_edge(typed, now_ms) {
                    Ok(target) => {
                        self.step = ResetStep::Planning(target);
                        self.error = None;
                        DialogOutcome::Plan(target)
                    }
                    Err(why) => {
                        self.error = Some(why);
                        DialogOutcome::Stay
                    }
                }
            }
            (ResetStep::Confirm { target, plan }, DialogKey::Enter | DialogKey::Char('y')) => {
                let plan = plan.clone();
                self.step = ResetStep::Applying(*target);
                DialogOutcome::Apply(plan)
            }
            (ResetStep::Confirm { .. }, DialogKey::Char('n')) => DialogOutcome::Close,
            _ => DialogOutcome::Stay,
        }
    }

    /// Takes in the plan (or why there is none).
    pub fn planned(&mut self, result: Result<Vec<ResetRow>, String>) {
        let ResetStep::Planning(target) = self.step else {
            return;
        };
        match result {
            Ok(plan) => self.step = ResetStep::Confirm { target, plan },
            Err(why) => {
                self.step = ResetStep::Entering;
                self.error = Some(why);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(partition: u32, current: u64, new: u64) -> ResetRow {
        ResetRow {
            partition,
            current,
            new,
            high_watermark: current,
            lag_after: current - new,
        }
    }

    #[test]
    fn typing_plans_and_a_yes_applies() {
        let mut d = ResetDialog::default();
        for c in "-15m".chars() {
            assert_eq!(d.key(DialogKey::Char(c), 0), DialogOutcome::Stay);
        }
        let want = ResetTarget::Datetime(-900_000);
        assert_eq!(d.key(DialogKey::Enter, 0), DialogOutcome::Plan(want));
        assert_eq!(d.step, ResetStep::Planning(want));
        // Keys while planning do nothing but cancel.
        assert_eq!(d.key(DialogKey::Char('y'), 0), DialogOutcome::Stay);
        d.planned(Ok(vec![row(0, 10, 4)]));
        assert_eq!(
            d.key(DialogKey::Char('y'), 0),
            DialogOutcome::Apply(vec![row(0, 10, 4)])
        );
        assert_eq!(d.step, ResetStep::Applying(want));
    }

    #[test]
    fn empty_means_earliest_and_bad_entries_say_why() {
        let mut d = ResetDialog::default();
        assert_eq!(
            d.key(DialogKey::Enter, 0),
            DialogOutcome::Plan(ResetTarget::Earliest)
        );
        d.planned(Err("broker down".into()));
        assert_eq!(d.step, ResetStep::Entering);
        assert_eq!(d.error.as_deref(), Some("broker down"));
        for c in "soon".chars() {
            d.key(DialogKey::Char(c), 0);
        }
        assert_eq!(d.key(DialogKey::Enter, 0), DialogOutcome::Stay);
        assert!(d.error.as_deref().is_some_and(|e| e.contains("RFC 3339")));
        d.key(DialogKey::Delete, 0);
        assert_eq!((d.input.as_str(), d.error.as_ref()), ("soo", None));
        assert_eq!(d.key(DialogKey::Cancel, 0), DialogOutcome::Close);
    }
}

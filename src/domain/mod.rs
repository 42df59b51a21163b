//! The hiring process itself: rubric, stages, loop plans and their rules.
//! No Slack types and no SQL live here; everything is a pure, tested function.

pub mod agreement;
pub mod audit;
pub mod calibration;
pub mod ids;
pub mod lint;
pub mod loop_plan;
pub mod metrics;
pub mod name;
pub mod practice;
pub mod reveal;
pub mod rubric;
pub mod rubric_file;
pub mod scorecard;
pub mod slug;
pub mod stage;
pub mod states;
pub mod template;
pub mod votes;

pub use ids::{ChannelId, TeamId, UserId};
pub use loop_plan::{Field, FieldErrors, LoopDraft, LoopPlan, PlannedStage, StageDraft};
pub use name::CandidateName;
pub use rubric::{Dimension, Level};
pub use rubric_file::Rubric;
pub use scorecard::{Card, CardDraft, Criterion};
pub use stage::{Probe, StageKind};
pub use states::{
    AuditState, CalibrationState, DecisionStatus, DocGate, JobKind, LoopState, StageState,
};
pub use template::{StageSpec, Template, Templates};

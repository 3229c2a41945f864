//! Plain data types shared by the pipeline stages. No I/O lives here.

pub mod incident;
pub mod oncall;
pub mod policy;
pub mod postmortem;
pub mod source;

pub use incident::*;
pub use oncall::*;
pub use policy::*;
pub use postmortem::*;
pub use source::*;

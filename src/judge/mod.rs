//! Judgement: facts in, one verdict out. `finding` holds the facts analyzers report (a finding,
//! its class and its evidence); `verdict` turns one file's findings into its verdict, a pure
//! function of them; `baseline` takes the findings a team has accepted out before judgement.
//! Nothing here reads a file or writes output.

pub mod baseline;
pub mod finding;
pub mod verdict;

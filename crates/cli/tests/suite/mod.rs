mod agents;
mod attacks;
mod attacks_audit;
mod audit;
mod cli;
pub mod fixture;

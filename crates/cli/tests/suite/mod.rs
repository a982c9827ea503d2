mod agents;
mod attacks;
mod attacks_decide;
mod audit;
mod cli;
pub mod fixture;

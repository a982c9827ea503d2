mod agents;
mod attacks;
mod audit;
mod cli;
pub mod fixture;

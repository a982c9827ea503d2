mod agents;
mod attacks;
mod attacks_inline;
mod audit;
mod cli;
pub mod fixture;

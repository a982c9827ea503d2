mod agents;
mod attacks;
mod attacks_secrets;
mod audit;
mod cli;
pub mod fixture;

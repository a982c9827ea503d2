mod agents;
mod attacks;
mod attacks_redteam2;
mod attacks_secrets;
mod audit;
mod cli;
pub mod fixture;

mod attacks;
mod cli;
pub mod fixture;

//! Self-care: one-time passwords (delivered through the [`outbox`]), contact details and
//! workflow (diary) events.

pub mod contact;
pub mod otp;
pub mod outbox;
pub mod workflow;

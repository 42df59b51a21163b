//! Two kinds of error: what the user did wrong (told to them plainly), and
//! everything else (logged with context; the user gets a short apology).

use std::fmt;

#[derive(Debug)]
pub enum AppError {
    /// Shown to the user as it is.
    User(String),
    /// Logged in full; never shown.
    Internal(anyhow::Error),
}

impl AppError {
    pub fn user(message: impl Into<String>) -> Self {
        AppError::User(message.into())
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::User(m) => write!(f, "user error: {m}"),
            AppError::Internal(e) => write!(f, "internal error: {e:#}"),
        }
    }
}

impl<E: Into<anyhow::Error>> From<E> for AppError {
    fn from(e: E) -> Self {
        AppError::Internal(e.into())
    }
}

pub type AppResult<T> = Result<T, AppError>;

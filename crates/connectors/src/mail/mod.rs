//! The support mailbox: reading (IMAP), understanding (MIME), showing safely (HTML) and sending
//! (SMTP).
//!
//! Every mail is outside input. Parsing never fails: a truncated, garbled or hostile message still
//! yields a [`ParsedMail`] with whatever could be read and notes saying what could not.

mod dsn;
mod encoded_words;
mod html;
mod imap;
mod outgoing;
mod parse;
mod smtp;
mod tnef;

pub use dsn::DeliveryReport;
pub use html::{RemoteContent, SanitizedHtml, sanitize_html};
pub use imap::{FetchedMail, ImapClient, ImapSettings, MailboxStatus, Security, WaitOutcome};
pub use outgoing::{OutgoingMail, compose, new_message_id};
pub use parse::{Attachment, ParseLimits, ParsedMail, attachment_bytes, parse_mail};
pub use smtp::{SmtpSecurity, SmtpSender, SmtpSettings};
pub use tnef::TnefContent;

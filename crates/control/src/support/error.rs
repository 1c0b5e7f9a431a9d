use showdesk_core::support::Category;

/// Everything a support use case can fail with (codes mirrored in the UI).
#[derive(Debug, thiserror::Error)]
pub enum SupportError {
    #[error(transparent)]
    Store(#[from] showdesk_store::StoreError),
    #[error(transparent)]
    Connector(#[from] showdesk_connectors::ConnectorError),
    #[error("the box office refused: {message}")]
    BoxOffice { code: String, message: String },
    #[error("the mailbox is not set up: {0}")]
    NotConfigured(&'static str),
    #[error("ticket {0} does not exist")]
    NoTicket(i64),
    #[error("the mail template {name} ({language}) is missing")]
    NoTemplate { name: String, language: String },
    #[error("the mail template {template} needs a value for {{{{{variable}}}}}")]
    MissingVariable { template: String, variable: String },
    #[error(
        "{recipient} is not the buyer of this ticket's orders: confirm before sending order details, links or codes to them"
    )]
    ForeignRecipient { recipient: String },
    #[error("this ticket has no order {0}")]
    NoSuchOrder(String),
    #[error("no duplicate order was found for this buyer")]
    NoDuplicate,
    #[error("the amount {0} is not valid here: {1}")]
    BadAmount(String, String),
    #[error("this ticket has no address to write to")]
    NoRecipient,
    #[error("no automatic acknowledgement for category {0}: it is switched off")]
    AckOff(Category),
}

impl SupportError {
    pub fn code(&self) -> String {
        match self {
            Self::Store(err) => err.code().to_owned(),
            Self::Connector(err) => err.code().to_owned(),
            Self::BoxOffice { code, .. } => format!("box_office.{}", code.trim_start_matches("box_office.")),
            Self::NotConfigured(_) => "support.not_configured".into(),
            Self::NoTicket(_) => "support.no_ticket".into(),
            Self::NoTemplate { .. } => "support.no_template".into(),
            Self::MissingVariable { .. } => "support.missing_variable".into(),
            Self::ForeignRecipient { .. } => "support.foreign_recipient".into(),
            Self::NoSuchOrder(_) => "support.no_such_order".into(),
            Self::NoDuplicate => "support.no_duplicate".into(),
            Self::BadAmount(..) => "support.bad_amount".into(),
            Self::NoRecipient => "support.no_recipient".into(),
            Self::AckOff(_) => "support.ack_off".into(),
        }
    }
}

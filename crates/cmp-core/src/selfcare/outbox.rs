//! The outbox: messages the system "sends" (OTP texts, notifications) are rows written in
//! the transaction that decides to send them; a delivery process (an SMS or e-mail
//! gateway) would read them from there. In sandbox mode `GET /admin/outbox` lists them.
//! An OTP's code appears in clear only in its message's text, as the SMS would carry it.

use cmp_model::messages::{GetOutboxRequest, GetOutboxResponse, OutboxMessage};
use cmp_store::repo::{counters, selfcare};
use cmp_store::DbConn;

use crate::error::OpError;
use crate::{Context, OpResult};

/// Writes a message to the outbox, inside the caller's transaction.
pub(crate) fn send(
    ctx: &Context,
    conn: &mut DbConn,
    kind: &str,
    channel: &str,
    address: &str,
    text: String,
) -> Result<(), OpError> {
    let message_id = counters::next(conn, selfcare::OUTBOX_COUNTER)?;
    selfcare::send(
        conn,
        &selfcare::OutboxMessage {
            message_id,
            created_at: ctx.now(),
            kind: kind.to_string(),
            channel: channel.to_string(),
            address: address.to_string(),
            body: text,
            request_id: ctx.request_id.clone(),
        },
    )?;
    Ok(())
}

/// GetOutbox (sandbox only): every message, oldest first.
pub fn get_outbox(ctx: &Context, req: GetOutboxRequest) -> OpResult<GetOutboxResponse> {
    let rows = ctx.read(|c| Ok(selfcare::outbox_messages(c)?))?;
    Ok(GetOutboxResponse {
        external_reference: req.external_reference,
        message: rows
            .into_iter()
            .map(|r| OutboxMessage {
                message_id: r.message_id,
                created_at: r.created_at.and_utc(),
                kind: r.kind,
                channel: r.channel,
                address: r.address,
                text: r.body,
            })
            .collect(),
    })
}

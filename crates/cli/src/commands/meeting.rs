//! `meeting agenda`, `meeting minutes`.

use super::Context;
use crate::args::{MeetingCommand, MeetingMinutes};
use crate::exit::{Failure, Result};
use crate::output;
use brygga_core::{MinutesResult, NewMinutes};

pub fn run(ctx: &Context, cmd: MeetingCommand) -> Result<()> {
    match cmd {
        MeetingCommand::Agenda { case, format } => {
            output::show(format.json, &ctx.open()?.meeting_agenda(case)?)
        }
        MeetingCommand::Minutes(minutes) => self::minutes(ctx, minutes),
    }
}

/// The parties default to the participants; one of them must be given.
fn minutes(ctx: &Context, m: MeetingMinutes) -> Result<()> {
    let parties = match m.parties {
        Some(p) => p,
        None if !m.participants.is_empty() => m.participants.join(", "),
        None => {
            return Err(Failure::usage(
                "name who took part: --parties \"Skolan, BUP\" or --participant NAME",
            ))
        }
    };
    let text = crate::args::TextArgs {
        text: None,
        text_file: Some(m.text_file),
    }
    .require()?;
    let id = ctx.open()?.write_minutes(NewMinutes {
        case_id: m.case,
        event_at: m.at.unwrap_or_else(chrono::Utc::now),
        participants: m.participants,
        key_persons: m.key_persons,
        parties,
        text,
        results: m
            .results
            .into_iter()
            .map(|(action_id, result)| MinutesResult { action_id, result })
            .collect(),
    })?;
    output::created(id)
}

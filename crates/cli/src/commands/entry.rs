//! `entry add`, `entry edit`, `entry sign`, `entry correct`, `entry list`,
//! `entry show`.

use super::Context;
use crate::args::{EntryAdd, EntryCommand, EntryEdit};
use crate::exit::{Code, Failure, Result};
use crate::{output, parse};
use brygga_core::NewEntry;

pub fn run(ctx: &Context, cmd: EntryCommand) -> Result<()> {
    match cmd {
        EntryCommand::Add(add) => self::add(ctx, add),
        EntryCommand::Edit(edit) => self::edit(ctx, edit),
        EntryCommand::Sign { id } => Ok(ctx.open()?.sign_entry(id)?),
        EntryCommand::Correct(correct) => {
            let text = correct.text.require()?;
            let id = ctx
                .open()?
                .correct_entry(correct.id, &text, &correct.reason)?;
            output::created(id)
        }
        EntryCommand::List { case, format } => {
            output::show(format.json, &ctx.open()?.list_entries(case)?)
        }
        EntryCommand::Show { id, format } => output::show(format.json, &ctx.open()?.entry(id)?),
    }
}

fn add(ctx: &Context, add: EntryAdd) -> Result<()> {
    let new = NewEntry {
        kind: add.kind,
        event_at: add.at,
        fields: add.content.field_map()?,
        text: add.content.text.require()?,
        participants: add.content.participants,
        key_persons: add.content.key_persons,
    };
    output::created(ctx.open()?.draft_entry(add.case, new)?)
}

/// Replaces a draft's content: what is not given is taken from the draft.
/// `--field key=value` sets one field and `key=` removes it; the draft's
/// fields are dropped when the kind changes (they belong to the old kind).
/// `--participant` replaces the list, and so does `--key-person`. A signed
/// entry is refused by the core.
fn edit(ctx: &Context, edit: EntryEdit) -> Result<()> {
    if edit.kind.is_none() && edit.at.is_none() && edit.content.is_empty() {
        return Err(Failure::usage(
            "nothing to change; give --kind, --at, --text, --text-file, --field, --participant or --key-person",
        ));
    }
    let changed_fields = edit.content.field_map()?;
    let text = edit.content.text.read()?;
    let mut journal = ctx.open()?;
    let draft = journal.entry(edit.id)?;
    let kind = edit.kind.unwrap_or(draft.kind);
    let mut fields = if kind == draft.kind {
        draft.fields
    } else {
        Default::default()
    };
    fields.extend(changed_fields);
    fields.retain(|_, value| !value.is_empty());
    let event_at = match edit.at {
        Some(at) => at,
        None => parse::time(&draft.event_at).map_err(|e| {
            Failure::new(
                Code::Damaged,
                format!("the draft's event time is unreadable: {e}"),
            )
        })?,
    };
    let participants = if edit.content.participants.is_empty() {
        draft.participants
    } else {
        edit.content.participants
    };
    let key_persons = if edit.content.key_persons.is_empty() {
        draft
            .key_persons
            .iter()
            .map(|k| parse::id(&k.contact_id).map_err(|e| Failure::new(Code::Damaged, e)))
            .collect::<Result<Vec<_>>>()?
    } else {
        edit.content.key_persons
    };
    journal.edit_draft(
        edit.id,
        NewEntry {
            kind,
            event_at,
            participants,
            key_persons,
            fields,
            text: text.unwrap_or(draft.text),
        },
    )?;
    Ok(())
}

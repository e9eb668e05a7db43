//! `contacts add`, `contacts edit`, `contacts left-role`, `contacts list`:
//! the team's key persons.

use super::Context;
use crate::args::{ContactAdd, ContactFields, ContactsCommand};
use crate::exit::Result;
use crate::output;
use brygga_core::{ContactEdit, ContactFilter, NewContact};

pub fn run(ctx: &Context, cmd: ContactsCommand) -> Result<()> {
    match cmd {
        ContactsCommand::Add(ContactAdd {
            org,
            org_name,
            role,
            name,
            phone,
            email,
        }) => {
            let id = ctx.open()?.add_contact(NewContact {
                org_kind: org.as_str().to_owned(),
                org_name,
                role,
                name,
                phone,
                email,
            })?;
            output::created(id)
        }
        ContactsCommand::Edit { id, fields } => {
            let ContactFields {
                org_name,
                role,
                name,
                phone,
                email,
            } = fields;
            Ok(ctx.open()?.edit_contact(
                id,
                ContactEdit {
                    org_name,
                    role,
                    name,
                    phone,
                    email,
                },
            )?)
        }
        ContactsCommand::LeftRole { id } => Ok(ctx.open()?.contact_left_role(id)?),
        ContactsCommand::List { org, all, format } => output::show(
            format.json,
            &ctx.open()?
                .list_contacts(&ContactFilter { org_kind: org, all })?,
        ),
    }
}

//! `guardian add`, `guardian set`.

use super::Context;
use crate::args::{ContactArgs, GuardianCommand};
use crate::exit::{Failure, Result};
use crate::output;
use brygga_core::{Journal, NewGuardian};
use uuid::Uuid;

pub fn run(ctx: &Context, cmd: GuardianCommand) -> Result<()> {
    match cmd {
        GuardianCommand::Add {
            case,
            name,
            relation,
            contact,
        } => {
            let id = ctx.open()?.add_guardian(NewGuardian {
                case_id: case,
                name,
                relation,
                phone: contact.phone,
                email: contact.email,
                address: contact.address,
            })?;
            output::created(id)
        }
        GuardianCommand::Set { id, contact } => {
            if contact.given().is_empty() {
                return Err(Failure::usage(
                    "nothing to set; give --phone, --email or --address",
                ));
            }
            set_contact(&mut ctx.open()?, id, &contact)
        }
    }
}

fn set_contact(journal: &mut Journal, guardian: Uuid, contact: &ContactArgs) -> Result<()> {
    for (field, value) in contact.given() {
        journal.set_guardian_field(guardian, field, value)?;
    }
    Ok(())
}

//! `pupil add`, `pupil list`.

use super::Context;
use crate::args::PupilCommand;
use crate::exit::Result;
use crate::output;
use brygga_core::NewPupil;

pub fn run(ctx: &Context, cmd: PupilCommand) -> Result<()> {
    match cmd {
        PupilCommand::Add(add) => {
            let id = ctx.open()?.add_pupil(NewPupil {
                name: add.name,
                personnummer: add.personnummer,
                school: add.school,
                grade: add.grade,
                protected_identity: add.protected,
            })?;
            output::created(id)
        }
        PupilCommand::List(format) => output::show(format.json, &ctx.open()?.list_pupils()?),
    }
}

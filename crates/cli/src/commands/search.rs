//! `search`.

use super::Context;
use crate::args::SearchArgs;
use crate::exit::Result;
use crate::output;

pub fn run(ctx: &Context, args: SearchArgs) -> Result<()> {
    let query = args.query.join(" ");
    output::show(args.format.json, &ctx.open()?.search(&query, args.limit)?)
}

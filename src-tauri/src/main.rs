// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod display;
mod web_engine;

fn main() {
    display::exit_unless_present();
    web_engine::configure();
    brygga_desktop::run();
}

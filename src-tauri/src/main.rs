// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod display;

fn main() {
    display::exit_unless_present();
    brygga_desktop::run();
}

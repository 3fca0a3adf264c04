fn main() {
    control_plane_lab::start();
}
